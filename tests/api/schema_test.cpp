// The published API description against the code: docs/api/taplink-api.schema.json names
// exactly the methods, events and error codes the code defines, with the CLI's exit codes;
// the built-in methods answer in its shapes; docs/api.md and cli/README.md document them.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "api/dispatcher.hpp"
#include "exit_status.hpp"
#include "options.hpp"
#include "schema_check.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::api::test {
namespace {

std::set<std::string> keysOf(const nlohmann::json& object) {
    std::set<std::string> keys;
    for (const auto& [key, value] : object.items()) {
        keys.insert(key);
    }
    return keys;
}

template <class Names>
std::set<std::string> setOf(const Names& names) {
    return {names.begin(), names.end()};
}

std::vector<std::string_view> applicationErrorNames() {
    std::vector<std::string_view> names;
    for (const ErrorCode code : applicationErrorCodes()) {
        names.push_back(errorCodeName(code));
    }
    return names;
}

std::string readSourceFile(const std::string& path) {
    std::ifstream file(std::string(TAPLINK_SOURCE_DIR) + "/" + path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

class RecordingSession final : public Session {
  public:
    RecordingSession() : Session(Peer{"test"}) {}
    void send(const nlohmann::json& /*message*/) override {}
};

TEST(ApiSchema, NamesExactlyTheMethodsEventsAndErrorsOfTheCode) {
    const auto schema = ApiSchema::load();
    const auto& document = schema.document();
    EXPECT_EQ(document["version"], kApiVersion);
    EXPECT_EQ(keysOf(document["methods"]), setOf(kMethods));
    EXPECT_EQ(keysOf(document["events"]), setOf(kEvents));
    EXPECT_EQ(
        keysOf(document["notifications"]),
        (std::set<std::string>{
            std::string(notification::kTopupProgress), std::string(notification::kEcloadProgress),
            std::string(notification::kPayProgress), std::string(notification::kUiRequest),
            std::string(notification::kUiRequestClosed)}));
    EXPECT_EQ(keysOf(document["handshake"]),
              std::set<std::string>{std::string(method::kSessionHello)});
    EXPECT_EQ(keysOf(document["errors"]), setOf(applicationErrorNames()));
}

TEST(ApiSchema, GivesEachErrorTheRpcCodeAndCliExitCodeTheCodeUses) {
    const auto schema = ApiSchema::load();
    const auto& errors = schema.document()["errors"];
    for (const auto& [code, description] : errors.items()) {
        const auto known = errorCodeFromName(code);
        ASSERT_TRUE(known.has_value()) << code;
        EXPECT_EQ(description["rpcCode"], static_cast<int>(ApiError(*known, "").rpcCode())) << code;
        EXPECT_EQ(description["cliExit"], static_cast<int>(cli::exitCodeFor(*known))) << code;
    }
}

TEST(ApiSchema, ListsOnlyKnownErrorsPerMethodAndResolvesEveryReference) {
    const auto schema = ApiSchema::load();
    const auto& document = schema.document();
    for (const auto& [method, description] : document["methods"].items()) {
        for (const auto& code : description["errors"]) {
            EXPECT_TRUE(document["errors"].contains(code.get<std::string>())) << method << code;
        }
        // Resolving checks every $ref on the way; an empty params object fits where nothing
        // is required.
        EXPECT_NO_THROW(schema.check(nlohmann::json::object(), "methods/" + method + "/params"))
            << method;
    }
}

TEST(ApiSchema, TheCheckerCatchesWhatIsWrong) {
    const auto schema = ApiSchema::load();
    nlohmann::json card{{"reader", "R"},
                        {"scheme", "city-epurse"},
                        {"serial", "\u20260042"},
                        {"issuerId", "5441504C494E4B31"},
                        {"validFrom", "2026-01-01"},
                        {"validUntil", "2036-12-31"},
                        {"balance", 1000},
                        {"currency", "CNY"}};
    EXPECT_TRUE(schema.check(card, "methods/card.info/result").empty());
    for (const auto& [member, wrong] :
         std::vector<std::pair<std::string, nlohmann::json>>{{"balance", -1},
                                                             {"balance", "1000"},
                                                             {"serial", "0042"},
                                                             {"validFrom", "1.1.2026"},
                                                             {"currency", "EUR"},
                                                             {"extra", 1}}) {
        auto broken = card;
        broken[member] = wrong;
        EXPECT_FALSE(schema.check(broken, "methods/card.info/result").empty()) << member;
    }
    card.erase("currency");
    EXPECT_FALSE(schema.check(card, "methods/card.info/result").empty());
}

TEST(ApiSchema, TheBuiltInMethodsAnswerInItsShapes) {
    const auto schema = ApiSchema::load();
    Dispatcher dispatcher;
    CallContext context(std::make_shared<RecordingSession>());
    const auto call = [&](const std::string& method, nlohmann::json params) {
        Request request{1, method, std::move(params)};
        EXPECT_TRUE(schema.check(request.params, "methods/" + method + "/params").empty());
        return dispatcher.call(request, context).value().at("result");
    };
    EXPECT_EQ(
        schema.check(call("api.version", nlohmann::json::object()), "methods/api.version/result"),
        std::vector<std::string>{});
    EXPECT_EQ(schema.check(call("events.subscribe", {{"events", {"card.inserted"}}}),
                           "methods/events.subscribe/result"),
              std::vector<std::string>{});
    EXPECT_EQ(schema.check(call("events.unsubscribe", nlohmann::json::object()),
                           "methods/events.unsubscribe/result"),
              std::vector<std::string>{});
}

TEST(ApiDocs, DescribeEveryMethodEventErrorAndExitCode) {
    const std::string docs = readSourceFile("docs/api.md");
    ASSERT_FALSE(docs.empty());
    for (const auto& name : kMethods) {
        EXPECT_NE(docs.find("`" + std::string(name)), std::string::npos) << name;
    }
    for (const auto& name : kEvents) {
        EXPECT_NE(docs.find("`" + std::string(name)), std::string::npos) << name;
    }
    EXPECT_NE(docs.find("`topup.progress"), std::string::npos);
    for (const auto& code : applicationErrorNames()) {
        EXPECT_NE(docs.find("`" + std::string(code) + "`"), std::string::npos) << code;
    }
}

// Every "  N  meaning" line of `taplink --help` appears in cli/README.md and docs/api.md.
TEST(ApiDocs, ShowTheSameExitCodesAsTaplinkHelp) {
    std::istringstream help(cli::usageText());
    const std::string readme = readSourceFile("cli/README.md");
    const std::string docs = readSourceFile("docs/api.md");
    int exitCodes = 0;
    const std::regex exitLine("^  ([0-9]+) +(.+)$");
    for (std::string line; std::getline(help, line);) {
        std::smatch parts;
        if (std::regex_match(line, parts, exitLine)) {
            ++exitCodes;
            const std::string row = "| " + parts[1].str() + " | " + parts[2].str() + " |";
            EXPECT_NE(readme.find(row), std::string::npos) << row;
            EXPECT_NE(docs.find(row), std::string::npos) << row;
        }
    }
    EXPECT_EQ(exitCodes, 11);
}

}  // namespace
}  // namespace taplink::api::test
