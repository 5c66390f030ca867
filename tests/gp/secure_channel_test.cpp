// Both ends of SCP03 in process with the GlobalPlatform test keys 40..4F: what each side
// refuses (tampering, replay, reordering, a wrong cryptogram, an old sequence counter, a
// level below the card's minimum) and that a refusal on the card closes the session.

#include "taplink/gp/secure_channel.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string_view>

#include "gp_test_support.hpp"

#include "taplink/crypto/cmac.hpp"

namespace taplink::gp {
namespace {

Bytes gpTestKey() {  // the GlobalPlatform default test key 40 41 .. 4F
    return fromHex("404142434445464748494A4B4C4D4E4F");
}

StaticKeys gpKeys() {
    return {gpTestKey(), gpTestKey(), gpTestKey()};
}

Bytes hostChallenge() {
    return fromHex("0011223344556677");
}

using test::codeOf;

CardChannelConfig cardConfig(std::uint8_t minimumLevel = level::kCmac) {
    return {gpKeys(), 0x30, 0x70, Bytes(10, 0x00), fromHex("A000000151000000"), minimumLevel};
}

struct Ends {
    CardChannel card{cardConfig(), 0};
    HostChannel host{gpKeys(), hostChallenge()};

    void open(std::uint8_t securityLevel) {
        const Bytes answer = card.initializeUpdate(host.initializeUpdate(0x30));
        card.externalAuthenticate(host.externalAuthenticate({answer, 0x9000}, securityLevel));
        host.confirm({{}, 0x9000});
    }
};

apdu::CommandApdu putData() {
    return {0x80, 0xE2, 0x90, 0x00, fromHex("BF25055C034F9F70"), std::nullopt};
}

apdu::ResponseApdu answerData() {
    return {fromHex("E3104F07A0000001510000"), 0x9000};
}

TEST(SecureChannel, TamperingAnyByteOfAWrappedCommandFails) {
    for (const std::uint8_t securityLevel :
         {std::uint8_t{0x01}, std::uint8_t{0x03}, std::uint8_t{0x33}}) {
        Ends probe;
        probe.open(securityLevel);
        const Bytes wrapped = probe.host.wrap(putData()).encode();
        for (std::size_t i = 0; i < wrapped.size(); ++i) {
            SCOPED_TRACE(testing::Message() << "level " << int{securityLevel} << " byte " << i);
            Ends ends;
            ends.open(securityLevel);
            Bytes tampered = ends.host.wrap(putData()).encode();
            ASSERT_EQ(tampered, wrapped);
            tampered[i] ^= 0x01;
            apdu::CommandApdu command;
            try {
                command = apdu::CommandApdu::parse(tampered);
            } catch (const apdu::ApduError&) {
                continue;  // a broken Lc: the APDU layer already refuses it
            }
            EXPECT_THROW(ends.card.unwrap(command), GpError);
            EXPECT_FALSE(ends.card.isOpen());
        }
    }
}

TEST(SecureChannel, TamperingAnyByteOfAWrappedResponseFails) {
    for (const std::uint8_t securityLevel :
         {std::uint8_t{0x11}, std::uint8_t{0x13}, std::uint8_t{0x33}}) {
        Ends probe;
        probe.open(securityLevel);
        probe.card.unwrap(probe.host.wrap(putData()));
        const Bytes wrapped = probe.card.wrap(answerData()).encode();
        for (std::size_t i = 0; i < wrapped.size(); ++i) {
            SCOPED_TRACE(testing::Message() << "level " << int{securityLevel} << " byte " << i);
            Ends ends;
            ends.open(securityLevel);
            ends.card.unwrap(ends.host.wrap(putData()));
            Bytes tampered = ends.card.wrap(answerData()).encode();
            ASSERT_EQ(tampered, wrapped);
            tampered[i] ^= 0x01;
            EXPECT_THROW(ends.host.unwrap(apdu::ResponseApdu::parse(tampered)), GpError);
            EXPECT_FALSE(ends.host.isOpen());
        }
    }
}

TEST(SecureChannel, ReplayedOrReorderedCommandsFail) {
    Ends replay;
    replay.open(0x03);
    const auto first = replay.host.wrap(putData());
    EXPECT_EQ(replay.card.unwrap(first), putData());
    EXPECT_EQ(codeOf([&] { replay.card.unwrap(first); }), GpErrorCode::BadMac);
    EXPECT_FALSE(replay.card.isOpen());
    EXPECT_EQ(codeOf([&] { replay.card.unwrap(replay.host.wrap(putData())); }),
              GpErrorCode::NotOpen);

    Ends reorder;
    reorder.open(0x01);
    const auto one = reorder.host.wrap(putData());
    const auto two = reorder.host.wrap(putData());
    EXPECT_EQ(codeOf([&] { reorder.card.unwrap(two); }), GpErrorCode::BadMac);
    EXPECT_EQ(codeOf([&] { reorder.card.unwrap(one); }), GpErrorCode::NotOpen);
}

TEST(SecureChannel, ReplayedSessionFailsOnANewCardChallenge) {
    Ends first;
    const auto initializeUpdate = first.host.initializeUpdate(0x30);
    const Bytes answer = first.card.initializeUpdate(initializeUpdate);
    const auto external = first.host.externalAuthenticate({answer, 0x9000}, 0x01);
    first.card.externalAuthenticate(external);
    // The same host messages again: the card has moved its counter, so its challenge and
    // session keys differ and the old EXTERNAL AUTHENTICATE no longer verifies.
    first.card.initializeUpdate(initializeUpdate);
    EXPECT_EQ(codeOf([&] { first.card.externalAuthenticate(external); }), GpErrorCode::BadMac);
    EXPECT_FALSE(first.card.isOpen());
}

// An EXTERNAL AUTHENTICATE with a correct C-MAC over a wrong host cryptogram, built here
// from the published formulas (Amendment D 6.2.2.3, 6.2.4).
apdu::CommandApdu externalAuthenticateWithCryptogram(const Bytes& answer, Bytes cryptogram) {
    const ByteView cardChallenge = ByteView(answer).subspan(13, 8);
    const SessionKeys keys = deriveSessionKeys(gpKeys(), hostChallenge(), cardChallenge);
    const Bytes input = concat(concat(Bytes(16, 0x00), fromHex("8482010010")), cryptogram);
    const Bytes mac = crypto::aesCmac(keys.mac, input);
    return {0x84, 0x82, 0x01, 0x00, concat(cryptogram, ByteView(mac).first(8)), std::nullopt};
}

TEST(SecureChannel, WrongHostCryptogramClosesTheSession) {
    Ends ends;
    const Bytes answer = ends.card.initializeUpdate(ends.host.initializeUpdate(0x30));
    const ByteView cardChallenge = ByteView(answer).subspan(13, 8);
    const SessionKeys keys = deriveSessionKeys(gpKeys(), hostChallenge(), cardChallenge);
    Bytes cryptogram = hostCryptogram(keys.mac, hostChallenge(), cardChallenge);
    const auto good = externalAuthenticateWithCryptogram(answer, cryptogram);
    cryptogram[7] ^= 0x80;
    const auto bad = externalAuthenticateWithCryptogram(answer, cryptogram);
    EXPECT_EQ(codeOf([&] { ends.card.externalAuthenticate(bad); }), GpErrorCode::BadCryptogram);
    EXPECT_FALSE(ends.card.isOpen());
    // The session is gone: even the right answer now finds no handshake to finish.
    EXPECT_EQ(codeOf([&] { ends.card.externalAuthenticate(good); }), GpErrorCode::NotOpen);
    EXPECT_EQ(statusWordFor(GpErrorCode::BadCryptogram), 0x6300);
}

TEST(SecureChannel, WrongCardCryptogramIsRefusedByTheHost) {
    Ends ends;
    Bytes answer = ends.card.initializeUpdate(ends.host.initializeUpdate(0x30));
    answer[28] ^= 0x01;
    EXPECT_EQ(codeOf([&] {
                  ends.host.externalAuthenticate({answer, 0x9000}, 0x01);
              }),
              GpErrorCode::BadCryptogram);
    HostChannel otherKeys({fromHex("00112233445566778899AABBCCDDEEFF"), gpTestKey(), gpTestKey()},
                          hostChallenge());
    const Bytes fresh = ends.card.initializeUpdate(otherKeys.initializeUpdate(0x30));
    EXPECT_NO_THROW(otherKeys.externalAuthenticate({fresh, 0x9000}, 0x01));  // K-MAC decides
    HostChannel wrongMac({gpTestKey(), fromHex("00112233445566778899AABBCCDDEEFF"), gpTestKey()},
                         hostChallenge());
    const Bytes again = ends.card.initializeUpdate(wrongMac.initializeUpdate(0x30));
    EXPECT_EQ(codeOf([&] {
                  wrongMac.externalAuthenticate({again, 0x9000}, 0x01);
              }),
              GpErrorCode::BadCryptogram);
}

TEST(SecureChannel, SequenceCounterThatDoesNotGoUpIsRefused) {
    CardChannel card(cardConfig(), 6);
    HostChannel host(gpKeys(), hostChallenge(), 7);  // the host has seen counter 7 already
    const auto command = host.initializeUpdate(0x30);
    EXPECT_EQ(codeOf([&] {
                  host.externalAuthenticate({card.initializeUpdate(command), 0x9000}, 1);
              }),
              GpErrorCode::Replay);
    EXPECT_EQ(card.sequenceCounter(), 7U);
    EXPECT_NO_THROW(host.externalAuthenticate({card.initializeUpdate(command), 0x9000}, 1));
    EXPECT_EQ(host.sequenceCounter(), 8U);

    CardChannel usedUp(cardConfig(), 0xFFFFFF);
    EXPECT_EQ(codeOf([&] { usedUp.initializeUpdate(command); }), GpErrorCode::Replay);
    EXPECT_EQ(usedUp.sequenceCounter(), 0xFFFFFFU);
    EXPECT_THROW(CardChannel(cardConfig(), 0x1000000), GpError);
}

// Amendment D 7.1.3: the sequence counter is the answer's last 3 bytes, outside the card
// cryptogram. A relay that rewrites it would poison the host's replay counter for good.
Bytes withCounter(Bytes answer, std::uint32_t counter) {
    const std::size_t at = answer.size() - 3;
    answer[at] = static_cast<std::uint8_t>(counter >> 16U);
    answer[at + 1] = static_cast<std::uint8_t>(counter >> 8U);
    answer[at + 2] = static_cast<std::uint8_t>(counter);
    return answer;
}

TEST(SecureChannel, ARewrittenCounterPassesTheCardCryptogramButNotThePseudoRandomCheck) {
    CardChannel card(cardConfig(), 4);
    const Bytes rewritten = withCounter(
        card.initializeUpdate(HostChannel(gpKeys(), hostChallenge()).initializeUpdate(0x30)),
        0xFFFFFE);
    HostChannel trusting(gpKeys(), hostChallenge(), 4);
    EXPECT_NO_THROW(trusting.externalAuthenticate({rewritten, 0x9000}, 1)) << "why it is needed";
    EXPECT_EQ(trusting.sequenceCounter(), 0xFFFFFEU);

    HostChannel host(gpKeys(), hostChallenge(), 4);
    host.requirePseudoRandomChallenge(cardConfig().aid);
    EXPECT_EQ(codeOf([&] {
                  host.externalAuthenticate({rewritten, 0x9000}, 1);
              }),
              GpErrorCode::BadCryptogram);
    EXPECT_EQ(host.sequenceCounter(), 4U) << "a refused answer leaves the counter alone";
    const Bytes genuine = card.initializeUpdate(host.initializeUpdate(0x30));
    EXPECT_NO_THROW(card.externalAuthenticate(host.externalAuthenticate({genuine, 0x9000}, 1)));
    EXPECT_EQ(host.sequenceCounter(), 6U);
}

TEST(SecureChannel, APseudoRandomChallengeIsRequiredForTheRightAid) {
    CardChannelConfig randomChallenge = cardConfig();
    randomChallenge.iParameter = iparam::kRmac | iparam::kRenc;  // 60: no counter
    CardChannel randomCard(randomChallenge, 0);
    HostChannel host(gpKeys(), hostChallenge());
    host.requirePseudoRandomChallenge(cardConfig().aid);
    const Bytes random = randomCard.initializeUpdate(host.initializeUpdate(0x30));
    EXPECT_EQ(codeOf([&] {
                  host.externalAuthenticate({random, 0x9000}, 1);
              }),
              GpErrorCode::BadCryptogram);
    EXPECT_FALSE(host.sequenceCounter().has_value());

    HostChannel otherAid(gpKeys(), hostChallenge());
    otherAid.requirePseudoRandomChallenge(fromHex("A000000151000001"));
    CardChannel card(cardConfig(), 0);
    const Bytes answer = card.initializeUpdate(otherAid.initializeUpdate(0x30));
    EXPECT_EQ(codeOf([&] {
                  otherAid.externalAuthenticate({answer, 0x9000}, 1);
              }),
              GpErrorCode::BadCryptogram);
}

TEST(SecureChannel, TheRealCardPassesThePseudoRandomCheck) {
    Ends ends;
    ends.host.requirePseudoRandomChallenge(cardConfig().aid);
    ends.open(level::kCmac | level::kCdec | level::kRmac | level::kRenc);
    EXPECT_TRUE(ends.host.isOpen());
    EXPECT_EQ(ends.host.sequenceCounter(), 1U);
}

TEST(SecureChannel, SecurityLevelBelowTheCardsMinimumIsRefused) {
    Ends ends;
    ends.card = CardChannel(cardConfig(level::kCmac | level::kCdec), 0);
    const Bytes answer = ends.card.initializeUpdate(ends.host.initializeUpdate(0x30));
    const auto external = ends.host.externalAuthenticate({answer, 0x9000}, level::kCmac);
    EXPECT_EQ(codeOf([&] { ends.card.externalAuthenticate(external); }),
              GpErrorCode::SecurityNotSatisfied);
    EXPECT_FALSE(ends.card.isOpen());
    EXPECT_EQ(codeOf([&] {
                  ends.host.externalAuthenticate({answer, 0x9000}, 0x02);
              }),
              GpErrorCode::BadFormat);
}

TEST(SecureChannel, PlainCommandInAnOpenSessionIsRefused) {
    Ends ends;
    ends.open(0x01);
    apdu::CommandApdu plain = ends.host.wrap(putData());
    plain.cla = 0x80;
    EXPECT_EQ(codeOf([&] { ends.card.unwrap(plain); }), GpErrorCode::SecurityNotSatisfied);
    EXPECT_FALSE(ends.card.isOpen());
}

TEST(SecureChannel, NothingIsWrappedBeforeTheChannelOpens) {
    Ends ends;
    EXPECT_EQ(codeOf([&] { ends.host.wrap(putData()); }), GpErrorCode::NotOpen);
    EXPECT_EQ(codeOf([&] { ends.card.unwrap(putData()); }), GpErrorCode::NotOpen);
    EXPECT_EQ(ends.card.wrap(answerData()), answerData());
    EXPECT_EQ(codeOf([&] { ends.host.confirm({{}, 0x9000}); }), GpErrorCode::NotOpen);
}

TEST(SecureChannel, NewInitializeUpdateEndsTheSession) {
    Ends ends;
    ends.open(0x33);
    ends.card.initializeUpdate(ends.host.initializeUpdate(0x30));
    EXPECT_FALSE(ends.card.isOpen());
    EXPECT_EQ(codeOf([&] { ends.card.unwrap(ends.host.wrap(putData())); }), GpErrorCode::NotOpen);
}

TEST(SecureChannel, ErrorStatusWordsAreNotProtected) {
    Ends ends;
    ends.open(0x33);
    ends.card.unwrap(ends.host.wrap(putData()));
    const apdu::ResponseApdu refused{{}, 0x6A88};
    EXPECT_EQ(ends.card.wrap(refused), refused);
    EXPECT_EQ(ends.host.unwrap(refused), refused);
}

TEST(SecureChannel, UnknownKeyVersionIsRefused) {
    Ends ends;
    EXPECT_EQ(codeOf([&] { ends.card.initializeUpdate(ends.host.initializeUpdate(0x31)); }),
              GpErrorCode::UnknownKey);
    EXPECT_NO_THROW(ends.card.initializeUpdate(ends.host.initializeUpdate(0x00)));
}

}  // namespace
}  // namespace taplink::gp
