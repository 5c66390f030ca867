// The built `taplink` binary against an in-test UnixServer whose handlers return canned
// answers (the shapes docs/api/taplink-api.schema.json gives): output for people and for
// machines, exit codes, progress on stderr, cancellation on timeout and Ctrl-C, events.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <thread>

#include "child_process.hpp"
#include "schema_check.hpp"
#include "server_fixture.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::api::test {
namespace {

constexpr const char* kReader = "TapLink Sim Reader 00 00";

using testsupport::ChildProcess;
using testsupport::ProcessResult;

// `taplink ARGS...` with its stdout and stderr on pipes. TAPLINK_SOCKET and XDG_RUNTIME_DIR
// are the child's only when given, so the test decides where it looks for taplinkd.
ChildProcess startTaplink(const std::vector<std::string>& arguments,
                          const std::map<std::string, std::string>& environment = {}) {
    testsupport::SpawnOptions options;
    options.out = testsupport::Stream::pipe();
    options.err = testsupport::Stream::pipe();
    options.unsetEnv = {"TAPLINK_SOCKET", "XDG_RUNTIME_DIR"};
    options.setEnv = environment;
    std::vector<std::string> argv{TAPLINK_CLI_PATH};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return ChildProcess(argv, options);
}

ProcessResult runTaplink(const std::vector<std::string>& arguments,
                         const std::map<std::string, std::string>& environment = {}) {
    return startTaplink(arguments, environment).finish(kGuard);
}

nlohmann::json cannedAnswers() {
    return {
        {"readers.list",
         {{"readers",
           {{{"name", kReader},
             {"role", "card"},
             {"state", "present"},
             {"card", {{"scheme", "city-epurse"}, {"maskedSerial", "\u20260042"}}}},
            {{"name", "TapLink Sim Reader 00 01"},
             {"role", "chip"},
             {"state", "present"},
             {"card", nullptr}},
            {{"name", "Empty Reader 00 00"},
             {"role", "card"},
             {"state", "empty"},
             {"card", nullptr}}}}}},
        {"card.info",
         {{"reader", kReader},
          {"scheme", "city-epurse"},
          {"serial", "\u20260042"},
          {"issuerId", "5441504C494E4B31"},
          {"validFrom", "2026-01-01"},
          {"validUntil", "2036-12-31"},
          {"balance", 1000},
          {"currency", "CNY"}}},
        {"card.history",
         {{"records",
           {{{"type", "purchase"},
             {"amount", 200},
             {"terminalId", "000000000001"},
             {"date", "2026-11-22"},
             {"time", "08:01:02"},
             {"atc", 2}},
            {{"type", "load"},
             {"amount", 5000},
             {"balanceAfter", 6000},
             {"terminalId", "434800000001"},
             {"date", "2026-11-21"},
             {"time", "19:50:00"},
             {"atc", 1}}}}}},
        {"topup.start",
         {{"orderId", "ORD-1"},
          {"amount", 5000},
          {"balanceBefore", 1000},
          {"balanceAfter", 6000},
          {"tac", "1A2B3C4D"},
          {"settled", true},
          {"receipt", {{"receiptNo", "R-1"}, {"merchant", "TapLink Test City"}}}}},
        {"ecload.start",
         {{"orderId", "ORD-E"},
          {"amount", 5000},
          {"balanceBefore", 1000},
          {"balanceAfter", 6000},
          {"card", {{"scheme", "bank-ec"}, {"pan", "\u20261234"}, {"application", "PBOC DEBIT"}}},
          {"settled", true},
          {"receipt", {{"receiptId", "RCP-1"}, {"pan", "\u20261234"}}}}},
        {"pay.start",
         {{"orderId", "ORD-P"},
          {"status", "approved"},
          {"amount", 5000},
          {"currency", "CNY"},
          {"merchant", "Demo Shop"},
          {"authCode", "A1B2C3"},
          {"card",
           {{"scheme", "bank-purchase"}, {"pan", "\u20261234"}, {"application", "PBOC DEBIT"}}},
          {"settled", true},
          {"receipt", {{"receiptId", "RCP-P"}}}}},
        {"device.info",
         {{"chipSerial", "544C434800000001"},
          {"terminalId", "434800000001"},
          {"certificate",
           {{"subject",
             "O=TapLink, CN=TapLink device 544C434800000001, serialNumber=544C434800000001"},
            {"issuer", "O=TapLink, CN=TapLink Device CA"},
            {"notAfter", "2027-11-21T00:00:00Z"},
            {"sha256", std::string(64, 'a')}}},
          {"server", {{"url", "https://127.0.0.1:8443"}}},
          {"version", "0.1.0"}}},
        {"diagnostics",
         {{"pcsc", {{"ok", true}, {"message", "pcscd is running"}}},
          {"readers", 3},
          {"chip", {{"ok", true}, {"message", "chip 544C434800000001 operational"}}},
          {"server", {{"ok", true}, {"message", "https://127.0.0.1:8443 answers"}}},
          {"journal", {{"unfinished", 0}}}}},
        {"chip.status",
         {{"applets",
           {{{"applet", "load-sam"}, {"lifecycle", "operational"}},
            {{"applet", "payment"},
             {"lifecycle", "installed"},
             {"parametersVersion", 0},
             {"keys", false}}}}}},
        {"chip.sync",
         {{"jobs",
           {{{"jobId", "J-1"},
             {"applet", "load-sam"},
             {"operation", "lock"},
             {"outcome", "done"},
             {"statusWord", "9000"}}}},
          {"applets",
           {{{"applet", "load-sam"}, {"lifecycle", "locked"}},
            {{"applet", "payment"},
             {"lifecycle", "installed"},
             {"parametersVersion", 0},
             {"keys", false}}}}}},
        {"token.generate", {{"code", "40217735"}, {"counter", 3}}},
    };
}

class CliTest : public ServerFixture {
  protected:
    enum class TopupMode { Complete, WaitForCancel, FinishAfterTooLateCancel };

    std::mutex mutex;
    nlohmann::json answers = cannedAnswers();
    std::map<std::string, std::string> failures;     // method -> error code its handler throws
    std::map<std::string, nlohmann::json> received;  // method -> the params it last got
    std::vector<nlohmann::json> responses;           // every ui.respond's params, in order
    std::atomic<TopupMode> topupMode{TopupMode::Complete};
    std::optional<std::stop_source> runningTopup;

    CliTest() {
        for (const auto* name : {"readers.list", "card.info", "card.history", "device.info",
                                 "diagnostics", "chip.status", "chip.sync", "token.generate"}) {
            dispatcher.add(name, [this, method = std::string(name)](const nlohmann::json& params,
                                                                    CallContext&) {
                return answer(method, params);
            });
        }
        dispatcher.add("topup.start", [this](const nlohmann::json& params, CallContext& context) {
            return load("topup.start", "topup.progress", params, context);
        });
        dispatcher.add("ecload.start", [this](const nlohmann::json& params, CallContext& context) {
            return load("ecload.start", "ecload.progress", params, context);
        });
        dispatcher.add("tx.cancel", [this](const nlohmann::json& params, CallContext&) {
            return cancel(params);
        });
        dispatcher.add("ui.attach", [this](const nlohmann::json& params, CallContext&) {
            answer("ui.attach", params);
            return nlohmann::json{{"attached", true}, {"pending", nlohmann::json::array()}};
        });
        dispatcher.add("ui.respond", [this](const nlohmann::json& params, CallContext&) {
            answer("ui.respond", params);
            return nlohmann::json{{"id", params.at("id")}, {"accepted", true}};
        });
        dispatcher.add("pay.start", [this](const nlohmann::json& params, CallContext& context) {
            return pay(params, context);
        });
        start();
    }
    // The server goes before the members its handlers use.
    ~CliTest() override { server.reset(); }

    ProcessResult taplink(std::vector<std::string> arguments) {
        arguments.insert(arguments.end(), {"--socket", socketPath});
        return runTaplink(arguments);
    }

    // Changes a canned answer, e.g. setAnswer("/card.info/balance", 5); handlers read them
    // on other threads.
    void setAnswer(const std::string& pointer, nlohmann::json value) {
        const std::lock_guard lock(mutex);
        answers[nlohmann::json::json_pointer(pointer)] = std::move(value);
    }
    void setFailure(const std::string& method, const std::string& code) {
        const std::lock_guard lock(mutex);
        failures[method] = code;
    }

    nlohmann::json paramsOf(const std::string& method) {
        const std::lock_guard lock(mutex);
        return received.count(method) != 0 ? received[method] : nlohmann::json();
    }

  private:
    nlohmann::json answer(const std::string& method, const nlohmann::json& params) {
        const std::lock_guard lock(mutex);
        received[method] = params;
        if (method == "ui.respond") {
            responses.push_back(params);
        }
        if (const auto failure = failures.find(method); failure != failures.end()) {
            throw apiErrorNamed(failure->second, "daemon detail for " + failure->second);
        }
        return answers[method];
    }

    // topup.start and ecload.start: the stages, the gate for cancelling, the canned result.
    nlohmann::json load(const std::string& method, const std::string& progress,
                        const nlohmann::json& params, CallContext& context) {
        answer(method, params);
        const std::string orderId = params.at("orderId").get<std::string>();
        const auto stage = [&](const char* name) {
            context.notify(progress, {{"orderId", orderId}, {"stage", name}});
        };
        stage("waiting_for_card");
        if (method == "ecload.start") {
            stage("choosing_application");
        }
        if (topupMode != TopupMode::Complete) {
            {
                const std::lock_guard lock(mutex);
                runningTopup = context.stopSource();
            }
            if (!gate.wait(context)) {
                throw ApiError(ErrorCode::Cancelled, "the top-up was cancelled");
            }
        }
        stage("authorizing");
        stage("writing");
        stage("confirming");
        const std::lock_guard lock(mutex);
        return answers[method];
    }

    // pay.start: asks the attached caller which application (as taplinkd's trusted UI does)
    // and waits for its ui.respond, then answers the canned result. Before that, the
    // questions of another caller's order, which every attached UI sees too.
    nlohmann::json pay(const nlohmann::json& params, CallContext& context) {
        const bool attached = !paramsOf("ui.attach").is_null();
        answer("pay.start", params);
        if (!attached) {
            throw ApiError(ErrorCode::ConfirmationUnavailable, "not attached");
        }
        const nlohmann::json candidates = nlohmann::json::array(
            {{{"aid", "A000000333010101"}, {"label", "PBOC DEBIT"}, {"priority", 1}},
             {{"aid", "A000000333010102"}, {"label", "PBOC CREDIT"}, {"priority", 2}}});
        const nlohmann::json question{
            {"origin", ""}, {"transport", "unix"}, {"expiresAt", "2026-12-06T00:00:00Z"}};
        auto otherApplication = question;
        otherApplication.update(
            {{"id", "u7"},
             {"kind", "application"},
             {"application", {{"orderId", "ORD-SOMEONE-ELSE"}, {"candidates", candidates}}}});
        auto otherPin = question;
        otherPin.update({{"id", "u8"},
                         {"kind", "pin"},
                         {"pin",
                          {{"orderId", "ORD-SOMEONE-ELSE"},
                           {"amount", 100},
                           {"currency", "CNY"},
                           {"merchant", "Elsewhere"},
                           {"pan", "\u20269999"}}}});
        context.notify("ui.request", otherApplication);
        context.notify("ui.request", otherPin);
        context.notify(
            "ui.request",
            {{"id", "u1"},
             {"kind", "application"},
             {"origin", ""},
             {"transport", "unix"},
             {"expiresAt", "2026-12-06T00:00:00Z"},
             {"application", {{"orderId", params.at("orderId")}, {"candidates", candidates}}}});
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (paramsOf("ui.respond").is_null() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        context.notify("pay.progress",
                       {{"orderId", params.at("orderId")}, {"stage", "completing"}});
        const std::lock_guard lock(mutex);
        return answers["pay.start"];
    }

    nlohmann::json cancel(const nlohmann::json& params) {
        answer("tx.cancel", params);
        if (topupMode == TopupMode::FinishAfterTooLateCancel) {
            gate.release();
            throw ApiError(ErrorCode::TooLate, "the card has been written");
        }
        const std::lock_guard lock(mutex);
        if (runningTopup) {
            runningTopup->request_stop();
        }
        return {{"orderId", params.at("orderId")}, {"cancelled", true}};
    }
};

TEST_F(CliTest, TheCannedAnswersMatchThePublishedSchema) {
    const auto schema = ApiSchema::load();
    const auto canned = cannedAnswers();
    for (const auto& [method, result] : canned.items()) {
        EXPECT_EQ(schema.check(result, "methods/" + method + "/result"), std::vector<std::string>{})
            << method;
    }
}

TEST_F(CliTest, WithoutADaemonItSaysSoAndExits3) {
    const std::string missing = temp.path() + "/nowhere/taplinkd.sock";
    const auto result = runTaplink({"readers", "--socket", missing});
    EXPECT_EQ(result.exitCode, 3);
    EXPECT_EQ(result.err, "taplink: taplinkd is not running (no socket at " + missing +
                              "); start it with `taplinkd`\n");
    EXPECT_EQ(result.out, "");
    const auto json = runTaplink({"balance", "--json", "--socket", missing});
    EXPECT_EQ(json.exitCode, 3);
    EXPECT_EQ(nlohmann::json::parse(json.out)["error"]["code"], "daemon_not_running");
}

TEST_F(CliTest, UsageErrorsExit2WithoutTouchingTheDaemon) {
    const std::vector<std::vector<std::string>> cases{
        {},
        {"frobnicate"},
        {"readers", "extra"},
        {"readers", "--bogus"},
        {"topup"},
        {"topup", "--order"},
        {"topup", "--order", "O", "--timeout", "0"},
        {"topup", "--order", "O", "--timeout", "soon"},
        {"ecload"},
        {"ecload", "--order"},
        {"ecload", "--order", "O", "--limit", "3"},
        {"history", "--limit", "0"},
        {"history", "--limit", "12x"},
        {"readers", "--reader", "R"},
        {"balance", "--order", "O"},
        {"balance", "--reader="},
        {"--json=yes", "readers"},
        {"chip"},
        {"chip", "lock"},
        {"status", "sync"},
        {"token"},
        {"token", "--challenge"},
        {"token", "--challenge", "12345678", "--order", "O"},
        {"readers", "--challenge", "12345678"},
    };
    for (const auto& arguments : cases) {
        const auto result = runTaplink(arguments);
        std::string shown;
        for (const auto& argument : arguments) {
            shown += argument + " ";
        }
        EXPECT_EQ(result.exitCode, 2) << shown;
        EXPECT_EQ(result.err.rfind("taplink: ", 0), 0U) << shown;
        EXPECT_NE(result.err.find("Try 'taplink --help'."), std::string::npos) << shown;
    }
    EXPECT_TRUE(received.empty());
}

TEST_F(CliTest, HelpListsTheExitCodesAndVersionPrintsIt) {
    const auto help = runTaplink({"--help"});
    EXPECT_EQ(help.exitCode, 0);
    for (const auto* line : {"  0  ok", "  2  usage error", "  3  taplinkd is not running",
                             "  8  cancelled or timed out", "  9  secure chip error"}) {
        EXPECT_NE(help.out.find(line), std::string::npos) << line;
    }
    const auto version = runTaplink({"--version"});
    EXPECT_EQ(version.exitCode, 0);
    EXPECT_EQ(version.out, "taplink 0.1.0 (API " + std::string(api::kApiVersion) + ")\n");
}

TEST_F(CliTest, ReadersForPeopleAndForMachines) {
    const auto human = taplink({"readers"});
    EXPECT_EQ(human.exitCode, 0) << human.err;
    EXPECT_EQ(human.out,
              "TapLink Sim Reader 00 00: card reader, card city-epurse \u20260042\n"
              "TapLink Sim Reader 00 01: secure chip reader, chip present\n"
              "Empty Reader 00 00: card reader, empty\n");
    const auto json = taplink({"readers", "--json"});
    EXPECT_EQ(json.exitCode, 0);
    EXPECT_EQ(nlohmann::json::parse(json.out), cannedAnswers()["readers.list"]);
}

TEST_F(CliTest, TheSocketComesFromTaplinkSocketOrXdgRuntimeDir) {
    EXPECT_EQ(runTaplink({"readers"}, {{"TAPLINK_SOCKET", socketPath}}).exitCode, 0);
    const std::string runtime = temp.path() + "/xdg";
    std::filesystem::create_directory(runtime);
    auto xdgOptions = options();
    xdgOptions.socketPath = runtime + "/taplink/taplinkd.sock";
    const UnixServer xdgServer(dispatcher, xdgOptions);
    const auto result = runTaplink({"readers"}, {{"XDG_RUNTIME_DIR", runtime}});
    EXPECT_EQ(result.exitCode, 0) << result.err;
}

TEST_F(CliTest, BalanceShowsYuanAndAMaskedSerialAndPassesTheReader) {
    const auto result = taplink({"balance", "--reader", kReader});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out,
              "card      city-epurse \u20260042 on TapLink Sim Reader 00 00\n"
              "issuer    5441504C494E4B31\n"
              "valid     2026-01-01 to 2036-12-31\n"
              "balance   \u00A510.00\n");
    EXPECT_EQ(paramsOf("card.info"), (nlohmann::json{{"reader", kReader}}));
}

TEST_F(CliTest, ASerialTheDaemonLeftUnmaskedIsMaskedAnyway) {
    setAnswer("/card.info/serial", "00000000000000000042");
    const auto result = taplink({"balance"});
    EXPECT_NE(result.out.find("city-epurse \u20260042 on"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("00000000000000000042"), std::string::npos);
    EXPECT_EQ(paramsOf("card.info"), nlohmann::json::object());
}

TEST_F(CliTest, HistoryListsLoadsAndPurchasesAndPassesTheLimitAsANumber) {
    const auto result = taplink({"history", "--limit", "5"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out,
              "2026-11-22 08:01:02  purchase  -\u00A52.00  terminal 000000000001  ATC 2\n"
              "2026-11-21 19:50:00  load      +\u00A550.00  balance \u00A560.00  terminal "
              "434800000001  ATC 1\n");
    EXPECT_EQ(paramsOf("card.history"), (nlohmann::json{{"limit", 5}}));
    setAnswer("/card.history/records", nlohmann::json::array());
    EXPECT_EQ(taplink({"history"}).out, "no transactions on the card\n");
}

TEST_F(CliTest, ABankCardsHistoryNamesTheMerchantWhereItHasNoTerminal) {
    setAnswer("/card.history/records", nlohmann::json::array({{{"type", "load"},
                                                               {"amount", 5000},
                                                               {"merchant", "TAPLINK DEMO"},
                                                               {"date", "2026-12-06"},
                                                               {"time", "00:00:00"},
                                                               {"atc", 1}},
                                                              {{"type", "purchase"},
                                                               {"amount", 100},
                                                               {"date", "2026-12-05"},
                                                               {"time", "10:00:00"},
                                                               {"atc", 2}}}));
    EXPECT_EQ(taplink({"history"}).out,
              "2026-12-06 00:00:00  load      +\u00A550.00  merchant TAPLINK DEMO  ATC 1\n"
              "2026-12-05 10:00:00  purchase  -\u00A51.00  ATC 2\n");
}

TEST_F(CliTest, TopupPrintsProgressOnStderrAndTheReceiptOnStdout) {
    const auto result = taplink({"topup", "--order", "ORD-1", "--reader", kReader});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.err,
              "waiting for the card: tap it on the reader\n"
              "authorizing with the top-up server\n"
              "writing to the card: keep it on the reader\n"
              "confirming with the top-up server\n");
    EXPECT_EQ(result.out,
              "topped up \u00A550.00 (order ORD-1)\n"
              "balance   \u00A510.00 \u2192 \u00A560.00\n"
              "TAC       1A2B3C4D\n"
              "receipt\n"
              "  merchant: TapLink Test City\n"
              "  receiptNo: R-1\n");
    EXPECT_EQ(paramsOf("topup.start"), (nlohmann::json{{"orderId", "ORD-1"}, {"reader", kReader}}));
}

TEST_F(CliTest, TopupInJsonPrintsProgressAsJsonLinesAndTheResultAsJson) {
    const auto result = taplink({"--json", "topup", "--order", "ORD-1"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(nlohmann::json::parse(result.out), cannedAnswers()["topup.start"]);
    const auto schema = ApiSchema::load();
    std::istringstream lines(result.err);
    std::vector<std::string> stages;
    for (std::string line; std::getline(lines, line);) {
        const auto progress = nlohmann::json::parse(line);
        EXPECT_EQ(schema.check(progress, "notifications/topup.progress/params"),
                  std::vector<std::string>{});
        stages.push_back(progress["stage"].get<std::string>());
    }
    EXPECT_EQ(stages, (std::vector<std::string>{"waiting_for_card", "authorizing", "writing",
                                                "confirming"}));
}

struct ErrorCase {
    const char* code;
    int exitCode;
    const char* message;
};

TEST_F(CliTest, EcloadPrintsProgressOnStderrAndTheEcBalancesAndReceiptOnStdout) {
    const auto result = taplink({"ecload", "--order", "ORD-E", "--reader", kReader});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.err,
              "waiting for the card: tap it on the reader\n"
              "the card has several applications: choose one in the TapLink app\n"
              "asking the bank to authorize the load\n"
              "writing to the card: keep it on the reader\n"
              "confirming with the bank\n");
    EXPECT_EQ(result.out,
              "EC load (\u5708\u5B58) of \u00A550.00 onto card \u20261234 PBOC DEBIT (order "
              "ORD-E)\n"
              "EC balance \u00A510.00 \u2192 \u00A560.00\n"
              "receipt\n"
              "  pan: \u20261234\n"
              "  receiptId: RCP-1\n");
    EXPECT_EQ(paramsOf("ecload.start"),
              (nlohmann::json{{"orderId", "ORD-E"}, {"reader", kReader}}));
    EXPECT_EQ(paramsOf("topup.start"), nlohmann::json());
}

TEST_F(CliTest, PayAttachesForItsCallAnswersTheApplicationAndPrintsTheReceipt) {
    const auto result = taplink({"pay", "--order", "ORD-P"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(paramsOf("ui.attach"), nlohmann::json::object());
    EXPECT_EQ(paramsOf("ui.respond"),
              (nlohmann::json{{"id", "u1"}, {"decision", "allow"}, {"choice", "A000000333010101"}}))
        << "the highest priority, as taplinkd takes it without a UI";
    {
        const std::lock_guard lock(mutex);
        EXPECT_EQ(responses.size(), 1U) << "only its own order's question: " << responses.size();
    }
    EXPECT_EQ(paramsOf("pay.start"), (nlohmann::json{{"orderId", "ORD-P"}}));
    EXPECT_EQ(result.err, "completing the payment with the card\n");
    EXPECT_EQ(result.out,
              "paid \u00A550.00 to Demo Shop with card \u20261234 PBOC DEBIT (order ORD-P)\n"
              "authorization code A1B2C3\n"
              "receipt\n"
              "  receiptId: RCP-P\n");
    const auto json = taplink({"--json", "pay", "--order", "ORD-P"});
    EXPECT_EQ(ApiSchema::load().check(nlohmann::json::parse(json.out), "methods/pay.start/result"),
              std::vector<std::string>{});
}

TEST_F(CliTest, PayErrorsMapToTheirExitCodes) {
    const std::vector<ErrorCase> cases{
        {"wrong_pin", 10, "the PIN was wrong; nothing was charged"},
        {"limit_exceeded", 7,
         "over this device's payment limit (per payment or per day); nothing was charged"},
        {"pin_blocked", 5,
         "the card's PIN is blocked (contact the issuing bank); nothing was loaded"},
    };
    for (const auto& [code, exitCode, message] : cases) {
        setFailure("pay.start", code);
        const auto result = taplink({"pay", "--order", "ORD-P"});
        EXPECT_EQ(result.exitCode, exitCode) << code;
        EXPECT_EQ(result.err,
                  std::string("taplink: ") + message + " (daemon detail for " + code + ")\n")
            << code;
    }
    EXPECT_EQ(taplink({"pay"}).exitCode, 2) << "--order is required";
    EXPECT_EQ(taplink({"pay", "--order", "ORD-P", "--limit", "3"}).exitCode, 2);
}

TEST_F(CliTest, EcloadInJsonPrintsOnlyJson) {
    setAnswer("/ecload.start/settled", false);
    setAnswer("/ecload.start/receipt", nlohmann::json::object());
    const auto result = taplink({"--json", "ecload", "--order", "ORD-E"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    const auto printed = nlohmann::json::parse(result.out);
    EXPECT_EQ(printed["settled"], false);
    EXPECT_EQ(printed["card"]["pan"], "\u20261234");
    const auto schema = ApiSchema::load();
    EXPECT_EQ(schema.check(printed, "methods/ecload.start/result"), std::vector<std::string>{});
    std::istringstream lines(result.err);
    std::vector<std::string> stages;
    for (std::string line; std::getline(lines, line);) {
        const auto progress = nlohmann::json::parse(line);
        EXPECT_EQ(schema.check(progress, "notifications/ecload.progress/params"),
                  std::vector<std::string>{});
        stages.push_back(progress["stage"].get<std::string>());
    }
    EXPECT_EQ(stages, (std::vector<std::string>{"waiting_for_card", "choosing_application",
                                                "authorizing", "writing", "confirming"}));
}

TEST_F(CliTest, BalanceOfABankCardShowsItsEcBalanceAndMaskedPan) {
    setAnswer("/card.info", {{"reader", kReader},
                             {"scheme", "bank-ec"},
                             {"pan", "6288880000008883"},  // unmasked by mistake: masked here
                             {"application", "PBOC DEBIT"},
                             {"ecBalance", 1500},
                             {"ecBalanceLimit", 100000},
                             {"validUntil", "2030-12-31"},
                             {"currency", "CNY"}});
    const auto result = taplink({"balance"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, std::string("card      bank-ec \u20268883 PBOC DEBIT on ") + kReader +
                              "\n"
                              "valid     to 2030-12-31\n"
                              "EC balance \u00A515.00 (limit \u00A51000.00)\n");
    EXPECT_EQ(result.out.find("6288880000008883"), std::string::npos);
}

TEST_F(CliTest, AnEcloadNotYetConfirmedSaysTaplinkdKeepsReportingIt) {
    setAnswer("/ecload.start/settled", false);
    setAnswer("/ecload.start/receipt", nlohmann::json::object());
    const auto result = taplink({"ecload", "--order", "ORD-E"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(result.out.find("the server has not confirmed it yet"), std::string::npos);
    EXPECT_EQ(result.out.find("receipt"), std::string::npos) << result.out;
}

TEST_F(CliTest, AnEcloadThatTimesOutIsCancelledThroughTxCancelAndExits8) {
    topupMode = TopupMode::WaitForCancel;
    const auto result = taplink({"ecload", "--order", "ORD-8", "--timeout", "1"});
    EXPECT_EQ(result.exitCode, 8);
    EXPECT_EQ(paramsOf("tx.cancel"), (nlohmann::json{{"orderId", "ORD-8"}}));
    EXPECT_NE(result.err.find("timed out; cancelling the EC load\n"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("the EC load was cancelled)\n"), std::string::npos) << result.err;
}

TEST_F(CliTest, TheEcloadErrorCodesMapToTheirExitCodes) {
    const std::vector<ErrorCase> cases{
        {"wrong_scheme", 5,
         "this card does not fit the order (a city card is topped up, a bank card is EC-loaded)"},
        {"ec_limit_exceeded", 7,
         "the card cannot hold that much e-cash (over its EC balance limit); nothing was loaded"},
        {"card_expired", 5, "the card has expired"},
        {"no_application", 5, "the card has no e-cash application TapLink supports"},
        {"pin_blocked", 5,
         "the card's PIN is blocked (contact the issuing bank); nothing was loaded"},
        {"declined", 7, "the load was declined"},
        {"user_denied", 8, "refused in the confirmation dialog"},
    };
    for (const auto& [code, exitCode, message] : cases) {
        setFailure("ecload.start", code);
        const auto result = taplink({"ecload", "--order", "ORD-E"});
        EXPECT_EQ(result.exitCode, exitCode) << code;
        EXPECT_EQ(result.err,
                  std::string("taplink: ") + message + " (daemon detail for " + code + ")\n")
            << code;
        const auto json = taplink({"ecload", "--order", "ORD-E", "--json"});
        EXPECT_EQ(nlohmann::json::parse(json.out)["error"]["code"], code);
        EXPECT_EQ(nlohmann::json::parse(json.out)["error"]["exitCode"], exitCode);
    }
}

TEST_F(CliTest, ATopupThatTimesOutIsCancelledThroughTxCancelAndExits8) {
    topupMode = TopupMode::WaitForCancel;
    const auto result = taplink({"topup", "--order", "ORD-9", "--timeout", "1"});
    EXPECT_EQ(result.exitCode, 8);
    EXPECT_EQ(paramsOf("tx.cancel"), (nlohmann::json{{"orderId", "ORD-9"}}));
    EXPECT_NE(result.err.find("timed out; cancelling the top-up\n"), std::string::npos);
    EXPECT_NE(result.err.find("taplink: timed out (no result after 1 s; the top-up was "
                              "cancelled)\n"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.out, "");
}

TEST_F(CliTest, WhenCancellingIsTooLateTheTopupIsWaitedForAndSucceeds) {
    topupMode = TopupMode::FinishAfterTooLateCancel;
    const auto result = taplink({"topup", "--order", "ORD-1", "--timeout", "1"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(result.err.find("too late to cancel"), std::string::npos);
    EXPECT_NE(result.out.find("topped up \u00A550.00"), std::string::npos);
}

TEST_F(CliTest, CtrlCDuringATopupCancelsItAndExits8) {
    topupMode = TopupMode::WaitForCancel;
    ChildProcess child = startTaplink({"topup", "--order", "ORD-2", "--socket", socketPath});
    ASSERT_TRUE(gate.waitStarted(1));
    child.signal(SIGINT);
    const auto result = child.finish(kGuard);
    EXPECT_EQ(result.exitCode, 8);
    EXPECT_NE(result.err.find("interrupted; cancelling the top-up\n"), std::string::npos);
    EXPECT_EQ(paramsOf("tx.cancel"), (nlohmann::json{{"orderId", "ORD-2"}}));
    EXPECT_TRUE(gate.waitCancelled(1));
}

// taplinkd reports the server's 400 malformed_request (the two sides disagree on the wire
// contract, e.g. a card's algorithm id) as server_error: exit 6 and the server's words,
// never exit 7 and "declined", which stay for the issuer's no.
TEST_F(CliTest, AProtocolRefusalIsAServerErrorNotADecline) {
    setFailure("topup.start", "server_error");
    const auto refused = taplink({"topup", "--order", "ORD-1"});
    EXPECT_EQ(refused.exitCode, 6);
    EXPECT_NE(refused.err.find("the top-up server reported an error"), std::string::npos)
        << refused.err;
    EXPECT_EQ(refused.err.find("declined"), std::string::npos) << refused.err;
    const auto json = nlohmann::json::parse(taplink({"topup", "--order", "ORD-1", "--json"}).out);
    EXPECT_EQ(json["error"]["code"], "server_error");
    EXPECT_EQ(json["error"]["exitCode"], 6);

    setFailure("topup.start", "declined");
    const auto declined = taplink({"topup", "--order", "ORD-1"});
    EXPECT_EQ(declined.exitCode, 7);
    EXPECT_NE(declined.err.find("the load was declined"), std::string::npos) << declined.err;
}

TEST_F(CliTest, EachDaemonErrorCodeMapsToItsExitCodeAndMessage) {
    const std::vector<ErrorCase> cases{
        {"invalid_params", 2, "taplinkd refused the request"},
        {"no_reader", 4, "no card reader connected"},
        {"pcsc_unavailable", 4, "pcscd is not running"},
        {"no_card", 5, "no card on the reader"},
        {"card_removed", 5, "the card was removed"},
        {"unsupported_card", 5, "this card is not supported"},
        {"server_unreachable", 6, "the top-up server cannot be reached"},
        {"server_error", 6, "the top-up server reported an error"},
        {"script_rejected", 6, "the server's recharge script was rejected"},
        {"declined", 7, "the load was declined"},
        {"order_not_found", 7, "the server does not know this order"},
        {"order_settled", 7, "the order has already been settled"},
        {"cancelled", 8, "cancelled"},
        {"timeout", 8, "timed out"},
        {"chip_unavailable", 9, "the device's secure chip is not available"},
        {"chip_locked", 9,
         "the device's secure chip is locked by its management system; nothing was loaded or "
         "charged (ask the operator to unlock it, then run 'taplink chip sync')"},
        {"too_late", 1, "too late to cancel: the card has been written"},
        {"busy", 1, "taplinkd is busy; try again"},
        {"not_found", 1, "not found"},
        {"internal", 1, "taplinkd failed"},
    };
    for (const auto& [code, exitCode, message] : cases) {
        setFailure("topup.start", code);
        const auto result = taplink({"topup", "--order", "ORD-1"});
        EXPECT_EQ(result.exitCode, exitCode) << code;
        EXPECT_EQ(result.err,
                  std::string("taplink: ") + message + " (daemon detail for " + code + ")\n")
            << code;
    }
    setFailure("card.info", "a_code_from_the_future");
    const auto unknown = taplink({"balance", "--json"});
    EXPECT_EQ(unknown.exitCode, 1);
    EXPECT_EQ(nlohmann::json::parse(unknown.out)["error"]["code"], "a_code_from_the_future");
    EXPECT_EQ(taplink({"balance"}).err,
              "taplink: taplinkd: daemon detail for a_code_from_the_future "
              "(a_code_from_the_future)\n");
}

TEST_F(CliTest, AnAnswerOfTheWrongShapeIsAnErrorNotACrash) {
    setAnswer("/card.info", {{"balance", "lots"}});
    const auto result = taplink({"balance"});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(result.err.rfind("taplink: unexpected answer from taplinkd", 0), 0U) << result.err;
}

TEST_F(CliTest, StatusShowsTheDaemonTheDeviceAndTheReaders) {
    const auto result = taplink({"status"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out,
              "taplinkd  running, API " + std::string(api::kApiVersion) +
                  ", version 0.1.0\n"
                  "device    chip 544C434800000001, terminal 434800000001\n"
                  "          certificate O=TapLink, CN=TapLink device 544C434800000001, "
                  "serialNumber=544C434800000001, valid until 2027-11-21T00:00:00Z\n"
                  "server    https://127.0.0.1:8443\n"
                  "chip      load-sam operational, payment installed\n"
                  "readers   TapLink Sim Reader 00 00: card reader, card city-epurse \u20260042\n"
                  "          TapLink Sim Reader 00 01: secure chip reader, chip present\n"
                  "          Empty Reader 00 00: card reader, empty\n");
}

TEST_F(CliTest, StatusReportsAMissingChipInLine) {
    setFailure("device.info", "chip_unavailable");
    const auto result = taplink({"status"});
    EXPECT_EQ(result.exitCode, 0);
    EXPECT_NE(result.out.find("device    unavailable: the device's secure chip is not available"),
              std::string::npos)
        << result.out;
    const auto json = nlohmann::json::parse(taplink({"status", "--json"}).out);
    EXPECT_EQ(json["device"]["error"]["code"], "chip_unavailable");
    EXPECT_EQ(json["api"]["version"], std::string(api::kApiVersion));
    EXPECT_EQ(json["readers"], cannedAnswers()["readers.list"]);
    EXPECT_EQ(json["chip"], cannedAnswers()["chip.status"]);
}

TEST_F(CliTest, StatusReportsALockedChipAndAnUnreadableOneInLine) {
    setAnswer("/chip.status/applets/0/lifecycle", "locked");
    EXPECT_NE(taplink({"status"}).out.find("chip      load-sam locked, payment installed\n"),
              std::string::npos);
    setFailure("chip.status", "chip_unavailable");
    EXPECT_NE(taplink({"status"})
                  .out.find("chip      unavailable: the device's secure chip is not available"),
              std::string::npos);
}

TEST_F(CliTest, ChipSyncAndChipStatus) {
    auto result = taplink({"chip", "sync"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out,
              "job J-1: lock of the load-sam: done (SW 9000)\n"
              "load-sam  locked\n"
              "payment   installed, parameters v0, no keys\n");
    EXPECT_EQ(paramsOf("chip.sync"), nlohmann::json::object());
    result = taplink({"chip", "status", "--json"});
    EXPECT_EQ(nlohmann::json::parse(result.out), cannedAnswers()["chip.status"]);
    setFailure("chip.sync", "server_unreachable");
    EXPECT_EQ(taplink({"chip", "sync"}).exitCode, 6);
}

TEST_F(CliTest, TokenPrintsTheCodeAndTheCounterAndPassesTheChallenge) {
    auto result = taplink({"token", "--challenge", "12345678"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, "code 40217735 (counter 3)\n");
    EXPECT_EQ(paramsOf("token.generate"), (nlohmann::json{{"challenge", "12345678"}}));
    result = taplink({"token", "--challenge", "00000042", "--json"});
    EXPECT_EQ(nlohmann::json::parse(result.out), cannedAnswers()["token.generate"]);
    EXPECT_EQ(paramsOf("token.generate"), (nlohmann::json{{"challenge", "00000042"}}));
    setFailure("token.generate", "chip_locked");
    EXPECT_EQ(taplink({"token", "--challenge", "12345678"}).exitCode, 9);
    setFailure("token.generate", "invalid_params");
    EXPECT_EQ(taplink({"token", "--challenge", "1234"}).exitCode, 2);
}

TEST_F(CliTest, DoctorPassesWhenEverythingIsWell) {
    const auto result = taplink({"doctor"});
    EXPECT_EQ(result.exitCode, 0) << result.out;
    EXPECT_EQ(result.out, "ok    socket   " + socketPath +
                              "\n"
                              "ok    taplinkd running, API " +
                              std::string(api::kApiVersion) +
                              "\n"
                              "ok    pcscd    pcscd is running\n"
                              "ok    readers  3 connected\n"
                              "ok    chip     chip 544C434800000001 operational\n"
                              "ok    server   https://127.0.0.1:8443 answers\n"
                              "ok    journal  no unfinished top-ups\n");
}

TEST_F(CliTest, DoctorExitsWithTheCodeOfTheFirstFailure) {
    setAnswer("/diagnostics/server", {{"ok", false}, {"message", "connection refused"}});
    setAnswer("/diagnostics/journal/unfinished", 2);
    auto result = taplink({"doctor"});
    EXPECT_EQ(result.exitCode, 6);
    EXPECT_NE(result.out.find("FAIL  server   connection refused\n"), std::string::npos);
    EXPECT_NE(result.out.find("warn  journal  2 unfinished top-up(s)"), std::string::npos);

    setAnswer("/diagnostics/chip", {{"ok", false}, {"message", "no chip"}});
    EXPECT_EQ(taplink({"doctor"}).exitCode, 9);
    setAnswer("/diagnostics/readers", 0);
    EXPECT_EQ(taplink({"doctor"}).exitCode, 4);
    setAnswer("/diagnostics/pcsc", {{"ok", false}, {"message", "pcscd is not running"}});
    result = taplink({"doctor", "--json"});
    EXPECT_EQ(result.exitCode, 4);
    const auto json = nlohmann::json::parse(result.out);
    EXPECT_EQ(json["ok"], false);
    EXPECT_EQ(json["pcscd"]["ok"], false);
    EXPECT_EQ(json["diagnostics"], answers["diagnostics"]);
}

TEST_F(CliTest, DoctorWithoutADaemonFailsAtTheSocket) {
    const std::string missing = temp.path() + "/none.sock";
    const auto result = runTaplink({"doctor", "--socket", missing});
    EXPECT_EQ(result.exitCode, 3);
    EXPECT_EQ(result.out, "FAIL  socket   taplinkd is not running (no socket at " + missing +
                              "); start it with `taplinkd`\n");
}

// Broadcasts reader.added until the watcher has printed a line: only then is it subscribed.
class Announcer {
  public:
    explicit Announcer(UnixServer& server)
        : thread_([this, &server] {
              while (!stop_) {
                  server.broadcast("reader.added", {{"name", "R0"}});
                  std::this_thread::sleep_for(std::chrono::milliseconds(5));
              }
          }) {}
    Announcer(const Announcer&) = delete;
    Announcer& operator=(const Announcer&) = delete;
    ~Announcer() {
        stop_ = true;
        thread_.join();
    }

  private:
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

TEST_F(CliTest, WatchPrintsEventsAsLinesUntilInterrupted) {
    ChildProcess child = startTaplink({"watch", "--socket", socketPath});
    {
        const Announcer announcer(*server);
        EXPECT_EQ(child.readLine(kGuard), "reader added: R0");
    }
    server->broadcast("card.inserted", {{"reader", kReader}, {"scheme", "city-epurse"}});
    server->broadcast("card.removed", {{"reader", kReader}});
    std::vector<std::string> lines;
    while (auto line = child.readLine(kGuard)) {
        lines.push_back(*line);
        if (*line == std::string("card removed: ") + kReader) {
            break;
        }
    }
    ASSERT_GE(lines.size(), 2U);
    EXPECT_EQ(lines[lines.size() - 2], std::string("card inserted: ") + kReader + " (city-epurse)");
    child.signal(SIGINT);
    EXPECT_EQ(child.finish(kGuard).exitCode, 0);
}

TEST_F(CliTest, WatchInJsonPrintsOneObjectPerEvent) {
    ChildProcess child = startTaplink({"watch", "--json", "--socket", socketPath});
    {
        const Announcer announcer(*server);
        const auto first = nlohmann::json::parse(child.readLine(kGuard).value_or("null"));
        EXPECT_EQ(first, (nlohmann::json{{"event", "reader.added"}, {"params", {{"name", "R0"}}}}));
    }
    server->broadcast("reader.removed", {{"name", "R9"}});
    nlohmann::json last;
    while (auto line = child.readLine(kGuard)) {
        last = nlohmann::json::parse(*line);
        if (last["event"] == "reader.removed") {
            break;
        }
    }
    EXPECT_EQ(last["params"]["name"], "R9");
    child.signal(SIGTERM);
    EXPECT_EQ(child.finish(kGuard).exitCode, 0);
}

TEST_F(CliTest, WatchEndsWithExit3WhenTheDaemonStops) {
    ChildProcess child = startTaplink({"watch", "--socket", socketPath});
    {
        const Announcer announcer(*server);
        child.readLine(kGuard);
    }
    server->stop();
    const auto result = child.finish(kGuard);
    EXPECT_EQ(result.exitCode, 3);
    EXPECT_NE(result.err.find("taplinkd closed the connection"), std::string::npos);
}

}  // namespace
}  // namespace taplink::api::test
