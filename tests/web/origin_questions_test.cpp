// How often web pages may have the user asked about their origin: one open question per
// registrable domain, a quiet time after a refusal, a few new questions a minute (per domain
// and in all).
#include "app/origin_questions.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::app {
namespace {

using std::chrono::seconds;

class OriginQuestionsTest : public ::testing::Test {
  protected:
    std::chrono::steady_clock::time_point now{};
    OriginQuestions questions{[this] { return now; }};

    // The error code a turn is refused with; empty when it is given.
    std::string refusal(const std::string& origin) {
        try {
            questions.turn(origin);
            return "";
        } catch (const api::ApiError& error) {
            return std::string(error.codeName());
        }
    }
};

TEST_F(OriginQuestionsTest, OneOpenQuestionPerRegistrableDomain) {
    const auto first = questions.turn("https://a.evil.example");
    EXPECT_EQ(refusal("https://b.evil.example"), "busy") << "another page of the domain";
    EXPECT_EQ(refusal("https://a.evil.example"), "") << "the same page shares the dialog";
    EXPECT_EQ(refusal("https://shop.example"), "") << "another domain";
}

TEST_F(OriginQuestionsTest, TheDomainIsFreeOnceTheAnswerIsIn) {
    {
        const auto turn = questions.turn("https://a.shop.example");
        questions.answered("https://a.shop.example", UiAnswer::Allow);
    }
    EXPECT_EQ(refusal("https://b.shop.example"), "");
}

TEST_F(OriginQuestionsTest, ARefusedDomainIsNotAskedAboutForAQuietTime) {
    for (const UiAnswer answer : {UiAnswer::Deny, UiAnswer::Timeout}) {
        {
            const auto turn = questions.turn("https://a.evil.example");
            questions.answered("https://a.evil.example", answer);
        }
        EXPECT_EQ(refusal("https://b.evil.example"), "origin_denied");
        EXPECT_EQ(refusal("https://a.evil.example"), "origin_denied");
        now += OriginQuestions::kQuietAfterRefusal - seconds(1);
        EXPECT_EQ(refusal("https://a.evil.example"), "origin_denied");
        now += seconds(1);
        EXPECT_EQ(refusal("https://a.evil.example"), "") << "asked again after the quiet time";
    }
}

TEST_F(OriginQuestionsTest, OnlyAFewNewQuestionsAMinuteInAll) {
    for (std::size_t i = 0; i < OriginQuestions::kMaxQuestionsPerMinute; ++i) {
        EXPECT_EQ(refusal("https://shop" + std::to_string(i) + ".example"), "") << i;
        now += seconds(1);
    }
    EXPECT_EQ(refusal("https://one-more.example"), "busy");
    now += seconds(60 - OriginQuestions::kMaxQuestionsPerMinute + 1);  // the first one aged out
    EXPECT_EQ(refusal("https://one-more.example"), "");
}

TEST_F(OriginQuestionsTest, APageThatWithdrawsAndAsksAgainHasOnlyItsDomainsFew) {
    for (std::size_t i = 0; i < OriginQuestions::kMaxQuestionsPerDomain; ++i) {
        EXPECT_EQ(refusal("https://a.evil.example"), "") << i;  // asked, then withdrawn
    }
    EXPECT_EQ(refusal("https://b.evil.example"), "busy");
    EXPECT_EQ(refusal("https://shop.example"), "") << "other pages are still asked about";
    now += seconds(60);
    EXPECT_EQ(refusal("https://a.evil.example"), "");
}

}  // namespace
}  // namespace taplink::app
