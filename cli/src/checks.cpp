// taplink status and taplink doctor: several calls each, and what fails is reported in line
// rather than ending the command.
#include <optional>
#include <sstream>

#include "command_context.hpp"
#include "exit_status.hpp"
#include "human_output.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::cli {

namespace {

namespace method = api::method;

// A call whose failure is part of the report: its result, or {"error":{code,message}}.
nlohmann::json callOrError(api::Client& client, std::string_view name,
                           const api::CallOptions& options) {
    try {
        return client.call(name, nlohmann::json::object(), options);
    } catch (const api::ApiError& error) {
        return {{"error", {{"code", error.codeName()}, {"message", messageFor(error)}}}};
    }
}

bool isError(const nlohmann::json& answer) {
    return answer.is_object() && answer.contains("error");
}

std::string errorText(const nlohmann::json& answer) {
    return "unavailable: " + answer.at("error").at("message").get<std::string>();
}

std::string deviceLines(const nlohmann::json& device) {
    if (isError(device)) {
        return "device    " + errorText(device) + "\n";
    }
    const auto& certificate = device.at("certificate");
    std::ostringstream out;
    out << "device    chip " << device.at("chipSerial").get<std::string>() << ", terminal "
        << device.at("terminalId").get<std::string>() << "\n"
        << "          certificate " << certificate.at("subject").get<std::string>()
        << ", valid until " << certificate.at("notAfter").get<std::string>() << "\n"
        << "server    " << device.at("server").at("url").get<std::string>() << "\n";
    return out.str();
}

// "chip      load-sam operational, payment installed".
std::string chipLines(const nlohmann::json& chip) {
    if (isError(chip)) {
        return "chip      " + errorText(chip) + "\n";
    }
    std::string line = "chip     ";
    const char* separator = " ";
    for (const auto& applet : chip.at("applets")) {
        line += separator + applet.at("applet").get<std::string>() + " " +
                applet.at("lifecycle").get<std::string>();
        separator = ", ";
    }
    return line + "\n";
}

std::string readerLines(const nlohmann::json& readers) {
    if (isError(readers)) {
        return "readers   " + errorText(readers) + "\n";
    }
    std::istringstream lines(formatReaders(readers));
    std::string out;
    std::string prefix = "readers   ";
    for (std::string line; std::getline(lines, line);) {
        out += prefix + line + "\n";
        prefix = "          ";
    }
    return out;
}

// One line of the doctor's report.
struct Check {
    std::string name;
    bool ok = true;
    bool warning = false;
    std::string message;
};

struct DoctorReport {
    std::vector<Check> checks;
    nlohmann::json json = nlohmann::json::object();
    int exitCode = kOk;

    void add(Check check, int failureCode) {
        if (!check.ok && exitCode == kOk) {
            exitCode = failureCode;  // the first failure is the most fundamental one
        }
        json[check.name] = {{"ok", check.ok}, {"message", check.message}};
        checks.push_back(std::move(check));
    }
};

void addDiagnostics(DoctorReport& report, const nlohmann::json& diagnostics) {
    const auto component = [](const nlohmann::json& part, std::string name) {
        return Check{std::move(name), part.at("ok").get<bool>(), false,
                     part.at("message").get<std::string>()};
    };
    report.add(component(diagnostics.at("pcsc"), "pcscd"), kNoReader);
    const auto readers = diagnostics.at("readers").get<std::int64_t>();
    report.add({"readers", readers > 0, false,
                readers > 0 ? std::to_string(readers) + " connected" : "no card reader connected"},
               kNoReader);
    report.add(component(diagnostics.at("chip"), "chip"), kChipError);
    report.add(component(diagnostics.at("server"), "server"), kServerProblem);
    const auto unfinished = diagnostics.at("journal").at("unfinished").get<std::int64_t>();
    report.add({"journal", true, unfinished > 0,
                unfinished > 0
                    ? std::to_string(unfinished) + " unfinished top-up(s); taplinkd resumes them"
                    : "no unfinished top-ups"},
               kOk);
    report.json["diagnostics"] = diagnostics;
}

void runDoctorChecks(const CommandContext& context, DoctorReport& report) {
    std::optional<api::Client> client;
    try {
        client.emplace(context.connect());
        report.add({"socket", true, false, context.socketPath}, kDaemonNotRunning);
    } catch (const api::DaemonUnavailable& error) {
        report.add({"socket", false, false, messageFor(error)}, kDaemonNotRunning);
        return;
    }
    try {
        const auto version = client->call(method::kApiVersion, {}, context.callOptions());
        report.add(
            {"taplinkd", true, false, "running, API " + version.at("version").get<std::string>()},
            kDaemonNotRunning);
        addDiagnostics(report, client->call(method::kDiagnostics, {}, context.callOptions()));
    } catch (const api::ApiError& error) {
        report.add({"taplinkd", false, false, messageFor(error)}, exitCodeFor(error.code()));
    } catch (const api::TransportError& error) {
        report.add({"taplinkd", false, false, error.what()}, kDaemonNotRunning);
    }
}

}  // namespace

int runStatus(const CommandContext& context) {
    auto client = context.connect();
    const auto options = context.callOptions();
    const auto version = client.call(method::kApiVersion, {}, options);
    const auto device = callOrError(client, method::kDeviceInfo, options);
    const auto readers = callOrError(client, method::kReadersList, options);
    const auto chip = callOrError(client, method::kChipStatus, options);
    if (context.options.json) {
        context.out << CommandContext::jsonLine(
            {{"api", version}, {"device", device}, {"chip", chip}, {"readers", readers}});
        return kOk;
    }
    std::string daemon = "taplinkd  running, API " + version.at("version").get<std::string>();
    if (!isError(device)) {
        daemon += ", version " + device.at("version").get<std::string>();
    }
    context.out << daemon << "\n" << deviceLines(device) << chipLines(chip) << readerLines(readers);
    return kOk;
}

int runDoctor(const CommandContext& context) {
    DoctorReport report;
    runDoctorChecks(context, report);
    if (context.options.json) {
        report.json["ok"] = report.exitCode == kOk;
        context.out << CommandContext::jsonLine(report.json);
        return report.exitCode;
    }
    for (const auto& check : report.checks) {
        const char* verdict = !check.ok ? "FAIL" : (check.warning ? "warn" : "ok  ");
        context.out << verdict << "  " << check.name
                    << std::string(check.name.size() < 9 ? 9 - check.name.size() : 1, ' ')
                    << check.message << "\n";
    }
    return report.exitCode;
}

}  // namespace taplink::cli
