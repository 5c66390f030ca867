// JSON-RPC messages, params helpers, line framing and the dispatcher, without a socket.
#include <gtest/gtest.h>

#include <set>

#include "api/dispatcher.hpp"
#include "api/params.hpp"
#include "taplink/rpc/jsonrpc.hpp"
#include "taplink/rpc/line_buffer.hpp"

namespace taplink::api {
namespace {

TEST(ParseRequest, KeepsIdMethodAndParams) {
    const auto parsed = parseRequest(R"({"jsonrpc":"2.0","id":"a","method":"m","params":{"x":1}})");
    const auto& request = std::get<Request>(parsed);
    EXPECT_EQ(request.id, nlohmann::json("a"));
    EXPECT_EQ(request.method, "m");
    EXPECT_EQ(request.params, (nlohmann::json{{"x", 1}}));
    EXPECT_FALSE(request.isNotification());
}

TEST(ParseRequest, TellsANullIdFromNoIdAndDefaultsParamsToAnObject) {
    const auto withNull =
        std::get<Request>(parseRequest(R"({"jsonrpc":"2.0","id":null,"method":"m"})"));
    EXPECT_FALSE(withNull.isNotification());
    EXPECT_EQ(withNull.params, nlohmann::json::object());
    const auto without = std::get<Request>(parseRequest(R"({"jsonrpc":"2.0","method":"m"})"));
    EXPECT_TRUE(without.isNotification());
}

TEST(ParseRequest, EveryPrefixOfAValidRequestIsRefusedWithoutThrowing) {
    const std::string valid =
        R"({"jsonrpc":"2.0","id":12,"method":"card.info","params":{"reader":"R"}})";
    for (std::size_t length = 0; length < valid.size(); ++length) {
        const auto parsed = parseRequest(std::string_view(valid).substr(0, length));
        ASSERT_TRUE(std::holds_alternative<nlohmann::json>(parsed)) << length;
        EXPECT_EQ(std::get<nlohmann::json>(parsed)["error"]["code"], -32700) << length;
    }
    EXPECT_TRUE(std::holds_alternative<Request>(parseRequest(valid)));
}

TEST(ApiErrors, TheDocumentedCodesAreAllDefined) {
    const std::set<std::string_view> expected{"invalid_params",    "no_reader",
                                              "no_card",           "card_removed",
                                              "unsupported_card",  "pcsc_unavailable",
                                              "chip_unavailable",  "server_unreachable",
                                              "server_error",      "order_not_found",
                                              "order_settled",     "declined",
                                              "script_rejected",   "cancelled",
                                              "too_late",          "busy",
                                              "timeout",           "not_found",
                                              "internal",          "origin_denied",
                                              "user_denied",       "confirmation_unavailable",
                                              "rate_limited",      "wrong_scheme",
                                              "ec_limit_exceeded", "card_expired",
                                              "no_application",    "pin_blocked",
                                              "chip_locked",       "wrong_pin",
                                              "limit_exceeded",    "chip_outdated"};
    std::set<std::string_view> names;
    for (const ErrorCode code : applicationErrorCodes()) {
        names.insert(errorCodeName(code));
        EXPECT_EQ(errorCodeFromName(errorCodeName(code)), code);
    }
    EXPECT_EQ(names, expected);
    EXPECT_EQ(applicationErrorCodes().size(), expected.size());
    EXPECT_EQ(errorCodeFromName("method_not_found"), ErrorCode::MethodNotFound);
    EXPECT_EQ(errorCodeFromName("no_such_code"), std::nullopt);
}

TEST(ApiErrors, InvalidParamsAndInternalUseTheirStandardCodes) {
    EXPECT_EQ(makeError(1, ApiError(ErrorCode::InvalidParams, "m"))["error"]["code"], -32602);
    EXPECT_EQ(makeError(1, ApiError(ErrorCode::Internal, "m"))["error"]["code"], -32603);
    EXPECT_EQ(makeError(1, ApiError(ErrorCode::NoCard, "m"))["error"]["code"], -32000);
}

TEST(ApiErrors, AReplyTurnsBackIntoTheSameError) {
    const ApiError original(ErrorCode::Declined, "insufficient funds", {{"limit", 100}});
    const auto back = apiErrorFromReply(makeError(5, original)["error"]);
    EXPECT_EQ(back.codeName(), "declined");
    EXPECT_STREQ(back.what(), "insufficient funds");
    EXPECT_EQ(back.details(), original.details());
    EXPECT_EQ(apiErrorFromReply({{"code", -32601}, {"message", "x"}}).codeName(),
              "method_not_found");
    EXPECT_EQ(apiErrorFromReply({{"code", -32700}, {"message", "x"}}).codeName(), "parse_error");
    EXPECT_EQ(apiErrorFromReply("nonsense").codeName(), "internal");
    EXPECT_EQ(apiErrorFromReply({{"code", "x"}, {"message", 5}}).codeName(), "internal");
}

TEST(ApiErrors, ACodeFromANewerDaemonReadsAsInternalAndKeepsItsName) {
    const auto error = apiErrorFromReply(
        {{"code", -32000}, {"message", "m"}, {"data", {{"code", "card_melted"}}}});
    EXPECT_EQ(error.code(), ErrorCode::Internal);
    EXPECT_EQ(error.codeName(), "card_melted");
    EXPECT_STREQ(error.what(), "m");
    EXPECT_EQ(apiErrorFromReply(makeError(1, error)["error"]).codeName(), "card_melted");
}

TEST(ToLine, IsOneLineEvenForInvalidUtf8) {
    const std::string line = toLine(makeNotification("m", {{"text", "a\nb\xff"}}));
    EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(Params, ReadRequiredOptionalAndRangedMembers) {
    const nlohmann::json params{{"orderId", "o-1"}, {"limit", 5}, {"events", {"a", "b"}}};
    EXPECT_EQ(params::requiredString(params, "orderId"), "o-1");
    EXPECT_EQ(params::optionalString(params, "reader"), std::nullopt);
    EXPECT_EQ(params::optionalInteger(params, "limit", 1, 10), 5);
    EXPECT_EQ(params::requiredStringArray(params, "events"), (std::vector<std::string>{"a", "b"}));
    EXPECT_NO_THROW(params::allowOnly(params, {"orderId", "limit", "events"}));
}

TEST(Params, RefuseWhatIsMissingWrongOrUnknown) {
    const nlohmann::json params{{"empty", ""},
                                {"number", 5},
                                {"big", 18446744073709551615ULL},
                                {"negative", -1},
                                {"mixed", {"a", 1}}};
    const auto code = [](const std::function<void()>& body) {
        try {
            body();
        } catch (const ApiError& error) {
            return std::string(error.codeName());
        }
        return std::string("no error");
    };
    EXPECT_EQ(code([&] { params::requiredString(params, "missing"); }), "invalid_params");
    EXPECT_EQ(code([&] { params::requiredString(params, "empty"); }), "invalid_params");
    EXPECT_EQ(code([&] { params::optionalString(params, "number"); }), "invalid_params");
    EXPECT_EQ(code([&] { params::optionalInteger(params, "number", 6, 10); }), "invalid_params");
    EXPECT_EQ(code([&] { params::optionalInteger(params, "big", 0, 1000); }), "invalid_params");
    EXPECT_EQ(code([&] { params::optionalInteger(params, "negative", 0, 1000); }),
              "invalid_params");
    EXPECT_EQ(code([&] { params::optionalInteger(params, "empty", 0, 1000); }), "invalid_params");
    EXPECT_EQ(code([&] { params::requiredStringArray(params, "mixed"); }), "invalid_params");
    EXPECT_EQ(code([&] { params::allowOnly(params, {"empty"}); }), "invalid_params");
}

TEST(LineBuffer, SplitsLinesAcrossChunksAndDropsCarriageReturns) {
    LineBuffer buffer(16);
    buffer.append("ab", 2);
    EXPECT_EQ(buffer.next(), std::nullopt);
    buffer.append("c\r\nde\nf", 7);
    EXPECT_EQ(buffer.next(), "abc");
    EXPECT_EQ(buffer.next(), "de");
    EXPECT_EQ(buffer.next(), std::nullopt);
    EXPECT_EQ(buffer.pending(), 1U);
    EXPECT_FALSE(buffer.overflowed());
}

TEST(LineBuffer, ALineOfTheLimitPassesOneByteMoreOverflows) {
    LineBuffer exact(4);
    exact.append("abcd\n", 5);
    EXPECT_EQ(exact.next(), "abcd");
    LineBuffer complete(4);
    complete.append("abcde\nok\n", 9);
    EXPECT_EQ(complete.next(), std::nullopt);
    EXPECT_TRUE(complete.overflowed());
    LineBuffer endless(4);
    for (int i = 0; i < 3; ++i) {
        endless.append("ab", 2);
        EXPECT_EQ(endless.next(), std::nullopt);
    }
    EXPECT_TRUE(endless.overflowed());
}

// A pure interface double: the dispatcher needs only somewhere to send.
class RecordingSession final : public Session {
  public:
    RecordingSession() : Session(Peer{"test"}) {}
    void send(const nlohmann::json& message) override { sent.push_back(message); }
    std::vector<nlohmann::json> sent;
};

TEST(Dispatcher, RefusesASecondHandlerForAName) {
    Dispatcher dispatcher;
    dispatcher.add("a.b", [](const nlohmann::json&, CallContext&) { return nlohmann::json(); });
    EXPECT_THROW(dispatcher.add("a.b", [](const nlohmann::json&, CallContext&) { return 1; }),
                 std::invalid_argument);
    EXPECT_THROW(
        dispatcher.add("api.version", [](const nlohmann::json&, CallContext&) { return 1; }),
        std::invalid_argument);
}

TEST(Dispatcher, AContextSeesItsSessionsCancellation) {
    Dispatcher dispatcher;
    bool sawCancelled = false;
    dispatcher.add("t", [&](const nlohmann::json&, CallContext& context) {
        context.notify("t.progress", {{"n", 1}});
        context.session().cancelCalls();
        sawCancelled = context.cancelled();
        return context.transport();
    });
    auto session = std::make_shared<RecordingSession>();
    CallContext context(session);
    const auto reply = dispatcher.call(
        std::get<Request>(parseRequest(R"({"jsonrpc":"2.0","id":1,"method":"t"})")), context);
    EXPECT_TRUE(sawCancelled);
    EXPECT_EQ((*reply)["result"], "test");
    ASSERT_EQ(session->sent.size(), 1U);
    EXPECT_EQ(session->sent[0]["method"], "t.progress");
    EXPECT_EQ(session->callsInFlight(), 1U);
    // A call that starts after the session was cancelled starts cancelled.
    const CallContext late(session);
    EXPECT_TRUE(late.cancelled());
}

}  // namespace
}  // namespace taplink::api
