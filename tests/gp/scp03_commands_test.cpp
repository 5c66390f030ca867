// The handshake layouts (Amendment D 7.1, 7.2): encoders and strict parsers.

#include "taplink/gp/scp03_commands.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string_view>

#include "gp_test_support.hpp"

#include "taplink/gp/gp_error.hpp"

namespace taplink::gp {
namespace {

using test::codeOf;

// A 32-byte answer with i 70 (pseudo-random: the 3-byte counter is there).
Bytes sampleAnswer() {
    return fromHex(
        "00000000000000000000"
        "300370"
        "86C8BD65FA1044EE"
        "707A3FA35DE12B2D"
        "000001");
}

TEST(Scp03Commands, InitializeUpdateAnswerRoundTrips) {
    const InitializeUpdateAnswer parsed = parseInitializeUpdateAnswer(sampleAnswer());
    EXPECT_EQ(parsed.keyVersion, 0x30);
    EXPECT_EQ(parsed.iParameter, 0x70);
    EXPECT_EQ(toHex(parsed.cardChallenge), "86C8BD65FA1044EE");
    EXPECT_EQ(toHex(parsed.cardCryptogram), "707A3FA35DE12B2D");
    EXPECT_EQ(parsed.sequenceCounter, 1U);
    EXPECT_EQ(encodeInitializeUpdateAnswer(parsed), sampleAnswer());
}

TEST(Scp03Commands, RefusesAnswersOfEveryOtherLength) {
    for (std::size_t size = 0; size < 40; ++size) {
        if (size == 32) {
            continue;
        }
        Bytes answer = sampleAnswer();
        answer.resize(size, 0x00);
        EXPECT_EQ(codeOf([&] { parseInitializeUpdateAnswer(answer); }), GpErrorCode::BadLength)
            << size;
    }
}

TEST(Scp03Commands, RefusesBadKeyInformation) {
    Bytes scp02 = sampleAnswer();
    scp02[11] = 0x02;
    EXPECT_EQ(codeOf([&] { parseInitializeUpdateAnswer(scp02); }), GpErrorCode::BadFormat);
    Bytes s16 = sampleAnswer();
    s16[12] = 0x71;
    EXPECT_EQ(codeOf([&] { parseInitializeUpdateAnswer(s16); }), GpErrorCode::Unsupported);
    Bytes randomWithCounter = sampleAnswer();
    randomWithCounter[12] = 0x60;  // random challenge: no counter, so 32 bytes is wrong
    EXPECT_EQ(codeOf([&] { parseInitializeUpdateAnswer(randomWithCounter); }),
              GpErrorCode::BadLength);
    Bytes pseudoWithoutCounter = sampleAnswer();
    pseudoWithoutCounter.resize(29);
    EXPECT_EQ(codeOf([&] { parseInitializeUpdateAnswer(pseudoWithoutCounter); }),
              GpErrorCode::BadLength);
    pseudoWithoutCounter[12] = 0x60;
    EXPECT_FALSE(parseInitializeUpdateAnswer(pseudoWithoutCounter).sequenceCounter);
}

TEST(Scp03Commands, InitializeUpdateCommand) {
    const auto command = encodeInitializeUpdate({0x30, fromHex("0011223344556677")});
    EXPECT_EQ(toHex(command.encode()), "8050300008001122334455667700");
    const auto parsed = parseInitializeUpdate(command);
    EXPECT_EQ(parsed.keyVersion, 0x30);
    EXPECT_EQ(toHex(parsed.hostChallenge), "0011223344556677");
    EXPECT_EQ(codeOf([] {
                  encodeInitializeUpdate({0x30, fromHex("00112233445566")});
              }),
              GpErrorCode::BadLength);
    const auto s16 =
        apdu::CommandApdu::parse(fromHex("8050300010"
                                         "00112233445566778899AABBCCDDEEFF"));
    EXPECT_EQ(codeOf([&] { parseInitializeUpdate(s16); }), GpErrorCode::BadLength);
    const auto wrongClass = apdu::CommandApdu::parse(fromHex("0050300008001122334455667700"));
    EXPECT_EQ(codeOf([&] { parseInitializeUpdate(wrongClass); }), GpErrorCode::BadFormat);
}

TEST(Scp03Commands, ExternalAuthenticateCommand) {
    const Bytes data = fromHex(
        "21397242467FF75F"
        "AC568F0C574F8F35");
    const auto parsed = parseExternalAuthenticate({0x84, 0x82, 0x33, 0x00, data, std::nullopt});
    EXPECT_EQ(parsed.securityLevel, 0x33);
    EXPECT_EQ(toHex(parsed.hostCryptogram), "21397242467FF75F");
    EXPECT_EQ(toHex(parsed.mac), "AC568F0C574F8F35");
    EXPECT_EQ(codeOf([&] {
                  parseExternalAuthenticate({0x84, 0x82, 0x02, 0x00, data, {}});
              }),
              GpErrorCode::BadFormat);
    EXPECT_EQ(codeOf([&] {
                  parseExternalAuthenticate({0x80, 0x82, 0x01, 0x00, data, {}});
              }),
              GpErrorCode::BadFormat);
    const Bytes shortData(data.begin(), data.end() - 1);
    EXPECT_EQ(codeOf([&] {
                  parseExternalAuthenticate({0x84, 0x82, 0x01, 0x00, shortData, {}});
              }),
              GpErrorCode::BadLength);
}

TEST(Scp03Commands, SecurityLevels) {
    for (const int valid : {0x01, 0x03, 0x11, 0x13, 0x33}) {
        EXPECT_TRUE(isValidSecurityLevel(static_cast<std::uint8_t>(valid))) << valid;
    }
    for (const int invalid : {0x00, 0x02, 0x10, 0x21, 0x23, 0x31, 0x30, 0x83}) {
        EXPECT_FALSE(isValidSecurityLevel(static_cast<std::uint8_t>(invalid))) << invalid;
    }
    EXPECT_TRUE(isLevelSupported(0x33, 0x70));
    EXPECT_FALSE(isLevelSupported(0x33, 0x30));
    EXPECT_TRUE(isLevelSupported(0x13, 0x30));
    EXPECT_FALSE(isLevelSupported(0x11, 0x10));
    EXPECT_TRUE(isLevelSupported(0x03, 0x00));
}

}  // namespace
}  // namespace taplink::gp
