#include "operator_commands.hpp"

#include <ctime>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "admin_client.hpp"

namespace taplink::server {

namespace {

using nlohmann::json;

struct Command {
    std::string method;
    std::string path;
    json body;
    void (*print)(const json& answer, std::ostream& out) = nullptr;
};

// The member of an answer, or null when the answer lacks it (operator[] on a const json
// must not be given a missing key).
const json& member(const json& object, const char* key) {
    static const json kNull;
    if (!object.is_object()) {
        return kNull;
    }
    const auto found = object.find(key);
    return found != object.end() ? *found : kNull;
}

// The elements of an array member; nothing when it is missing or not an array.
const json& list(const json& object, const char* key) {
    static const json kEmpty = json::array();
    const json& value = member(object, key);
    return value.is_array() ? value : kEmpty;
}

class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

std::string dateOf(const json& seconds) {
    if (!seconds.is_number_integer()) {
        return "-";
    }
    const auto time = static_cast<std::time_t>(seconds.get<std::int64_t>());
    std::tm utc{};
    ::gmtime_r(&time, &utc);
    std::ostringstream text;
    text << std::put_time(&utc, "%Y-%m-%d %H:%M:%S");
    return text.str();
}

std::string yuan(const json& fen) {
    const auto value = fen.is_number_unsigned() ? fen.get<std::uint64_t>() : 0;
    std::ostringstream text;
    text << value / 100 << '.' << std::setw(2) << std::setfill('0') << value % 100;
    return text.str();
}

void printOrderLine(const json& order, std::ostream& out) {
    out << order.value("orderId", "") << "  " << std::setw(10) << yuan(member(order, "amount"))
        << ' ' << order.value("currency", "") << "  " << order.value("scheme", "") << "  "
        << std::setw(9) << std::left << order.value("status", "") << std::right << "  "
        << dateOf(member(order, "createdAt")) << '\n';
}

void printOrderId(const json& answer, std::ostream& out) {
    out << answer.value("orderId", "") << '\n';
}

void printPretty(const json& answer, std::ostream& out) {
    out << answer.dump(2) << '\n';
}

void printOrders(const json& answer, std::ostream& out) {
    for (const json& order : list(answer, "orders")) {
        printOrderLine(order, out);
    }
}

void printLedger(const json& answer, std::ostream& out) {
    out << "settled orders:\n";
    for (const json& entry : list(answer, "settled")) {
        out << "  " << entry.value("orderId", "") << "  card " << entry.value("cardSerial", "")
            << "  " << yuan(member(entry, "amount")) << "  balance "
            << yuan(member(entry, "balanceBefore")) << " -> " << yuan(member(entry, "balanceAfter"))
            << "  TAC " << entry.value("tac", "") << "  " << dateOf(member(entry, "settledAt"))
            << '\n';
    }
    out << "per card:\n";
    for (const json& card : list(answer, "cards")) {
        out << "  " << card.value("cardSerial", "") << "  " << yuan(member(card, "total")) << " in "
            << member(card, "loads") << " load(s)\n";
    }
    out << "total loaded: " << yuan(member(answer, "total")) << '\n';
}

void printDevices(const json& answer, std::ostream& out) {
    for (const json& device : list(answer, "devices")) {
        out << device.value("chipSerial", "") << "  " << device.value("status", "")
            << "  last seen " << dateOf(member(device, "lastSeen")) << "  valid to "
            << dateOf(member(device, "notAfter")) << "  " << device.value("subject", "") << '\n';
    }
}

void printRevocation(const json& answer, std::ostream& out) {
    out << "revoked " << answer.value("chipSerial", "") << " ("
        << answer.value("knownCertificates", 0) << " known certificate(s))\n";
}

void printEvents(const json& answer, std::ostream& out) {
    for (const json& event : list(answer, "events")) {
        out << dateOf(member(event, "at")) << "  " << event.value("kind", "");
        for (const char* field : {"orderId", "chipSerial", "code"}) {
            const std::string value = event.value(field, "");
            if (!value.empty()) {
                out << "  " << value;
            }
        }
        const std::string message = event.value("message", "");
        out << (message.empty() ? "" : "  " + message) << '\n';
    }
}

const std::string& word(const OperatorOptions& options, std::size_t index, const char* what) {
    if (options.words.size() <= index) {
        throw UsageError(std::string("missing ") + what);
    }
    return options.words[index];
}

const std::string& required(const std::optional<std::string>& option, const char* name) {
    if (!option) {
        throw UsageError(std::string("missing ") + name);
    }
    return *option;
}

void requireWords(const OperatorOptions& options, std::size_t count) {
    if (options.words.size() > count) {
        throw UsageError("unexpected argument " + options.words[count]);
    }
}

Command orderCommand(const OperatorOptions& options) {
    const std::string& action = word(options, 1, "order command (create, show, list, cancel)");
    if (action == "create") {
        requireWords(options, 2);
        json body{{"amount", required(options.amount, "--amount")},
                  {"scheme", options.scheme.value_or("city-epurse")}};
        if (options.account) {
            body["account"] = *options.account;
        }
        if (options.merchant) {
            body["merchant"] = *options.merchant;
        }
        return {"POST", "/admin/orders", body, printOrderId};
    }
    if (action == "list") {
        requireWords(options, 2);
        return {"GET", "/admin/orders", nullptr, printOrders};
    }
    if (action == "show" || action == "cancel") {
        const std::string& id = word(options, 2, "order id");
        requireWords(options, 3);
        if (action == "show") {
            return {"GET", "/admin/orders/" + id, nullptr, printPretty};
        }
        return {"POST", "/admin/orders/" + id + "/cancel", nullptr, printOrderLine};
    }
    throw UsageError("unknown order command " + action);
}

// An account as one line; the PAN only masked, as the server gives it.
void printAccountLine(const json& account, std::ostream& out) {
    out << account.value("accountId", "") << "  " << account.value("pan", "") << "  "
        << std::setw(12) << yuan(member(account, "balance")) << "  " << account.value("holder", "")
        << '\n';
}

void printAccountId(const json& answer, std::ostream& out) {
    out << answer.value("accountId", "") << '\n';
}

void printAccounts(const json& answer, std::ostream& out) {
    for (const json& account : list(answer, "accounts")) {
        printAccountLine(account, out);
    }
}

void printAccount(const json& answer, std::ostream& out) {
    printAccountLine(answer, out);
    for (const json& entry : list(answer, "ledger")) {
        const json& order = member(entry, "orderId");
        out << "  " << dateOf(member(entry, "at")) << "  " << std::setw(6) << std::left
            << entry.value("kind", "") << std::right << std::setw(12)
            << yuan(member(entry, "amount")) << "  balance " << yuan(member(entry, "balanceAfter"))
            << (order.is_string() ? "  " + order.get<std::string>() : "") << '\n';
    }
}

Command accountCreate(const OperatorOptions& options) {
    json body{{"holder", required(options.holder, "--holder")},
              {"pan", required(options.pan, "--pan")}};
    if (options.balance) {
        body["balance"] = *options.balance;
    }
    if (options.pin) {
        body["pin"] = *options.pin;
    }
    return {"POST", "/admin/accounts", body, printAccountId};
}

Command accountCommand(const OperatorOptions& options) {
    const std::string& action =
        word(options, 1, "account command (create, credit, set-pin, show, list)");
    if (action == "create" || action == "list") {
        requireWords(options, 2);
        return action == "create" ? accountCreate(options)
                                  : Command{"GET", "/admin/accounts", nullptr, printAccounts};
    }
    const std::string& id = word(options, 2, "account id");
    requireWords(options, 3);
    if (action == "show") {
        return {"GET", "/admin/accounts/" + id, nullptr, printAccount};
    }
    if (action == "credit") {
        return {"POST", "/admin/accounts/" + id + "/credit",
                json{{"amount", required(options.amount, "--amount")}}, printAccountLine};
    }
    if (action == "set-pin") {
        return {"POST", "/admin/accounts/" + id + "/pin",
                json{{"pin", required(options.pin, "--pin")}}, printAccountLine};
    }
    throw UsageError("unknown account command " + action);
}

Command deviceCommand(const OperatorOptions& options) {
    const std::string& action = word(options, 1, "device command (list, revoke)");
    requireWords(options, 2);
    if (action == "list") {
        return {"GET", "/admin/devices", nullptr, printDevices};
    }
    if (action == "revoke") {
        return {"POST", "/admin/devices/revoke",
                json{{"chipSerial", required(options.chipSerial, "--chip-serial")}},
                printRevocation};
    }
    throw UsageError("unknown device command " + action);
}

void printJobId(const json& answer, std::ostream& out) {
    out << answer.value("jobId", "") << '\n';
}

void printJobLine(const json& job, std::ostream& out) {
    const json& statusWord = member(job, "statusWord");
    out << job.value("jobId", "") << "  " << job.value("chipSerial", "") << "  " << std::left
        << std::setw(9) << job.value("applet", "") << "  " << std::setw(14)
        << job.value("operation", "") << "  " << std::setw(8) << job.value("state", "")
        << std::right << (statusWord.is_string() ? "  SW " + statusWord.get<std::string>() : "")
        << "  " << dateOf(member(job, "createdAt")) << '\n';
}

void printJobs(const json& answer, std::ostream& out) {
    for (const json& job : list(answer, "jobs")) {
        printJobLine(job, out);
    }
}

std::string numberOrDash(const json& value) {
    return value.is_number() ? value.dump() : "-";
}

// The applets as the TSM last authenticated them, the parameters last queued, the jobs.
void printTsmStatus(const json& answer, std::ostream& out) {
    out << "chip " << answer.value("chipSerial", "")
        << (answer.value("loadSamLocked", false) ? "  load SAM locked for loads" : "") << '\n';
    for (const json& applet : list(answer, "applets")) {
        const json& lifecycle = member(applet, "lifecycle");
        out << "  " << std::left << std::setw(9) << applet.value("applet", "") << std::right << "  "
            << (lifecycle.is_string() ? lifecycle.get<std::string>() : "unknown")
            << "  parameters v" << numberOrDash(member(applet, "parametersVersion")) << "  keys "
            << (applet.value("keysPresent", false) ? "yes" : "no") << "  counter "
            << numberOrDash(member(applet, "sequenceCounter")) << '\n';
    }
    const json& parameters = member(answer, "parameters");
    if (parameters.is_object()) {
        out << "  parameters queued v" << numberOrDash(member(parameters, "version"))
            << ": per transaction " << parameters.value("perTransaction", "") << ", daily "
            << parameters.value("daily", "") << ", CVM " << parameters.value("cvm", "") << '\n';
    }
    printJobs(answer, out);
}

std::string chipPath(const OperatorOptions& options) {
    return "/admin/tsm/chips/" + required(options.chipSerial, "--chip-serial");
}

// The members of a personalise or update-params body the command line gives.
json tsmParameters(const OperatorOptions& options) {
    json parameters = json::object();
    const std::pair<const char*, const std::optional<std::string>*> limits[] = {
        {"perTransaction", &options.perTransaction},
        {"daily", &options.daily},
        {"cvm", &options.cvm}};
    for (const auto& [name, value] : limits) {
        if (*value) {
            parameters[name] = **value;
        }
    }
    if (!options.aids.empty()) {
        parameters["aids"] = options.aids;
    }
    return parameters;
}

Command tsmJob(const OperatorOptions& options, const std::string& operation) {
    json body{{"operation", operation}};
    if (options.applet) {
        body["applet"] = *options.applet;
    }
    if (operation == "personalise" || operation == "update-params") {
        body["parameters"] = tsmParameters(options);
    }
    return {"POST", chipPath(options) + "/jobs", body, printJobId};
}

Command tsmCommand(const OperatorOptions& options) {
    const std::string& action =
        word(options, 1,
             "tsm command (status, lock, unlock, personalise, update-params, refresh, jobs)");
    requireWords(options, 2);
    if (action == "status") {
        return {"GET", chipPath(options), nullptr, printTsmStatus};
    }
    if (action == "jobs") {
        return {"GET", options.chipSerial ? chipPath(options) + "/jobs" : "/admin/tsm/jobs",
                nullptr, printJobs};
    }
    if (action == "lock" || action == "unlock" || action == "personalise" ||
        action == "update-params") {
        return tsmJob(options, action);
    }
    if (action == "refresh") {  // a status job: the applet's authenticated state
        return tsmJob(options, "status");
    }
    throw UsageError("unknown tsm command " + action);
}

void printTokenVerdict(const json& answer, std::ostream& out) {
    out << "accepted: chip " << answer.value("chipSerial", "") << ", counter "
        << numberOrDash(member(answer, "counter")) << '\n';
}

// token verify: the bank checks a device's dynamic token (a refusal exits kExitRefused).
Command tokenCommand(const OperatorOptions& options) {
    if (word(options, 1, "token command (verify)") != "verify") {
        throw UsageError("unknown token command " + options.words[1]);
    }
    requireWords(options, 2);
    const json body{{"chipSerial", required(options.chipSerial, "--chip-serial")},
                    {"challenge", required(options.challenge, "--challenge")},
                    {"code", required(options.code, "--code")}};
    return {"POST", "/admin/tokens/verify", body, printTokenVerdict};
}

Command commandFor(const OperatorOptions& options) {
    const std::string& group = word(options, 0, "command");
    if (group == "order") {
        return orderCommand(options);
    }
    if (group == "account") {
        return accountCommand(options);
    }
    if (group == "device") {
        return deviceCommand(options);
    }
    if (group == "tsm") {
        return tsmCommand(options);
    }
    if (group == "token") {
        return tokenCommand(options);
    }
    requireWords(options, 1);
    if (group == "ledger") {
        return {"GET", "/admin/ledger", nullptr, printLedger};
    }
    if (group == "events") {
        return {"GET", "/admin/events", nullptr, printEvents};
    }
    throw UsageError("unknown command " + group);
}

}  // namespace

int runOperatorCommand(const OperatorOptions& options, std::ostream& out, std::ostream& err) {
    Command command;
    try {
        command = commandFor(options);
    } catch (const UsageError& error) {
        err << "taplink-server: " << error.what() << '\n';
        return kExitUsage;
    }
    AdminReply reply;
    try {
        reply =
            AdminClient(options.adminSocket).request(command.method, command.path, command.body);
    } catch (const AdminClientError& error) {
        err << "taplink-server: " << error.what() << '\n';
        return kExitUnreachable;
    }
    if (reply.status >= 300) {
        const json error = reply.body.value("error", json::object());
        err << "taplink-server: " << error.value("code", "error") << ": "
            << error.value("message", "the server refused") << '\n';
        if (options.json) {
            out << reply.body.dump() << '\n';
        }
        return kExitRefused;
    }
    if (options.json) {
        out << reply.body.dump() << '\n';
        return kExitOk;
    }
    try {
        command.print(reply.body, out);
    } catch (const json::exception& error) {
        err << "taplink-server: an answer of an unexpected shape: " << error.what() << '\n';
        return kExitUnreachable;
    }
    return kExitOk;
}

}  // namespace taplink::server
