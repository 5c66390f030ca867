#include "taplink/base/strict_json.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace taplink {
namespace {

using nlohmann::json;

class BodyError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using Reader = JsonObjectReader<DescribedAs<BodyError>>;

// A caller with its own words and its own error: what the problem was, kept whole.
struct Recorded {
    JsonProblem::Kind kind;
    std::string where;
    std::string member;
    std::string detail;
};
struct Record {
    Recorded operator()(const JsonProblem& problem) const {
        return {problem.kind, std::string(problem.where), std::string(problem.member),
                std::string(problem.detail)};
    }
};
using RecordingReader = JsonObjectReader<Record>;

template <class Call>
std::string messageOf(Call call) {
    try {
        call();
    } catch (const BodyError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no BodyError";
    return {};
}

template <class Call>
Recorded problemOf(Call call) {
    try {
        call();
    } catch (const Recorded& problem) {
        return problem;
    }
    ADD_FAILURE() << "no problem reported";
    return {};
}

TEST(StrictJsonTest, ReadsRequiredAndOptionalMembersOfExactTypes) {
    const json body = json::parse(R"({"name":"a","count":7,"on":true,"offset":-3})");
    Reader in(body, "body");
    EXPECT_EQ(in.string("name"), "a");
    EXPECT_EQ(in.integer("count", 1, 10), 7U);
    EXPECT_EQ(in.boolean("on"), true);
    EXPECT_EQ(in.signedInteger("offset", -5, 5), -3);
    EXPECT_EQ(in.optionalString("label"), std::nullopt);
    EXPECT_EQ(in.optionalInteger("limit", 0, 1), std::nullopt);
    EXPECT_EQ(in.optionalSignedInteger("delta", 0, 1), std::nullopt);
    EXPECT_EQ(in.optionalBoolean("off"), std::nullopt);
    EXPECT_EQ(in.optional("other"), nullptr);
    EXPECT_NO_THROW(in.finish());
}

TEST(StrictJsonTest, RefusesAValueThatIsNotAnObject) {
    EXPECT_EQ(messageOf([] { Reader(json::array(), "order"); }), "order must be a JSON object");
    const Recorded problem = problemOf([] { RecordingReader(json("x"), "order"); });
    EXPECT_EQ(problem.kind, JsonProblem::Kind::NotObject);
    EXPECT_EQ(problem.detail, "string");
}

TEST(StrictJsonTest, AMissingMemberIsNamed) {
    const json body = json::object();
    Reader in(body, "order");
    EXPECT_EQ(messageOf([&] { in.string("orderId"); }), "order lacks \"orderId\"");
    RecordingReader recording(body, "order");
    const Recorded problem = problemOf([&] { recording.integer("amount", 0, 1); });
    EXPECT_EQ(problem.kind, JsonProblem::Kind::Missing);
    EXPECT_EQ(problem.where, "order");
    EXPECT_EQ(problem.member, "amount");
}

TEST(StrictJsonTest, AnIllTypedMemberIsNamedWithTheRule) {
    const json body = json::parse(R"({"s":1,"n":"1","b":"true","f":1.5})");
    Reader in(body, "body");
    EXPECT_EQ(messageOf([&] { in.string("s"); }), "body.s must be a string");
    EXPECT_EQ(messageOf([&] { in.integer("n", 0, 9); }), "body.n must be an integer from 0 to 9");
    EXPECT_EQ(messageOf([&] { in.boolean("b"); }), "body.b must be true or false");
    EXPECT_EQ(messageOf([&] { in.optionalInteger("f", 0, 9); }),
              "body.f must be an integer from 0 to 9");
}

TEST(StrictJsonTest, IntegersOutsideTheirRangeAreRefused) {
    const json body =
        json::parse(R"({"low":0,"high":11,"negative":-1,"huge":18446744073709551615})");
    Reader in(body, "body");
    EXPECT_THROW(in.integer("low", 1, 10), BodyError);
    EXPECT_THROW(in.integer("high", 1, 10), BodyError);
    EXPECT_THROW(in.integer("negative", 0, 10), BodyError);
    EXPECT_EQ(in.integer("huge", 0, UINT64_MAX), UINT64_MAX);
    EXPECT_EQ(messageOf([&] { in.signedInteger("huge", -1, 1); }),
              "body.huge must be an integer from -1 to 1");
    EXPECT_EQ(in.signedInteger("negative", -1, 1), -1);
    EXPECT_THROW(in.signedInteger("high", -10, 10), BodyError);
}

TEST(StrictJsonTest, FinishRefusesAMemberNobodyRead) {
    const json body = json::parse(R"({"amount":1,"amuont":2})");
    Reader in(body, "order");
    in.integer("amount", 0, 10);
    EXPECT_EQ(messageOf([&] { in.finish(); }), "order has an unknown field \"amuont\"");
    in.optional("amuont");
    EXPECT_NO_THROW(in.finish());
}

TEST(StrictJsonTest, AllowOnlyRefusesAMemberNotListedReadOrNot) {
    const json body = json::parse(R"({"reader":"r","limit":3})");
    const Reader in(body, "params");
    EXPECT_NO_THROW(in.allowOnly({"reader", "limit"}));
    EXPECT_EQ(messageOf([&] { in.allowOnly({"reader"}); }),
              "params has an unknown field \"limit\"");
    RecordingReader recording(body, "params");
    const Recorded problem = problemOf([&] { recording.allowOnly({}); });
    EXPECT_EQ(problem.kind, JsonProblem::Kind::Unknown);
    EXPECT_EQ(problem.member, "limit");  // the first in key order
}

TEST(StrictJsonTest, ObjectMembersAreReadByTheirOwnReader) {
    const json body = json::parse(R"({"listen":{"host":"127.0.0.1","port":70000},"tls":3})");
    Reader in(body, "configuration");
    Reader listen = in.object("listen");
    EXPECT_EQ(listen.where(), "configuration.listen");
    EXPECT_EQ(listen.string("host"), "127.0.0.1");
    EXPECT_EQ(messageOf([&] { listen.integer("port", 0, 65535); }),
              "configuration.listen.port must be an integer from 0 to 65535");
    EXPECT_EQ(messageOf([&] { in.object("tls"); }), "configuration.tls must be a JSON object");
}

TEST(StrictJsonTest, TheCallersOwnRulesUseItsWords) {
    const json body = json::parse(R"({"currency":"USD"})");
    Reader in(body, "order");
    EXPECT_EQ(messageOf([&] { in.failMember("currency", "must be \"CNY\""); }),
              "order.currency must be \"CNY\"");
    EXPECT_EQ(messageOf([&] { in.fail("is for another merchant"); }),
              "order is for another merchant");
    RecordingReader recording(body, "order");
    const Recorded problem = problemOf([&] { recording.fail("too late"); });
    EXPECT_EQ(problem.kind, JsonProblem::Kind::Other);
    EXPECT_EQ(problem.member, "");
    EXPECT_EQ(problem.detail, "too late");
}

TEST(StrictJsonTest, IntegerHelpersAcceptOnlyJsonIntegers) {
    EXPECT_EQ(unsignedJsonInteger(json(5), 0, 9), 5U);
    EXPECT_EQ(unsignedJsonInteger(json(5U), 6, 9), std::nullopt);
    EXPECT_EQ(unsignedJsonInteger(json(-1), 0, 9), std::nullopt);
    EXPECT_EQ(unsignedJsonInteger(json(5.0), 0, 9), std::nullopt);
    EXPECT_EQ(unsignedJsonInteger(json("5"), 0, 9), std::nullopt);
    EXPECT_EQ(signedJsonInteger(json(-5), -9, 9), -5);
    EXPECT_EQ(signedJsonInteger(json(UINT64_MAX), INT64_MIN, INT64_MAX), std::nullopt);
    EXPECT_EQ(signedJsonInteger(json(true), 0, 1), std::nullopt);
}

}  // namespace
}  // namespace taplink
