// Complete SCP03 sessions, both ends in process, against scp03_vectors.json (computed by
// make_scp03_vectors.py with pycryptodome): the card side must produce the vectors' card
// answers byte for byte, the host side their commands, and each must undo the other.

#include <gtest/gtest.h>

#include "gp_test_support.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/gp/secure_channel.hpp"

namespace taplink::gp {
namespace {

using nlohmann::json;

std::uint8_t byteField(const json& v, const char* name) {
    return test::hexField(v, name).at(0);
}

CardChannel cardFor(const json& v, const StaticKeys& keys) {
    CardChannelConfig config{keys,
                             byteField(v, "kvn"),
                             byteField(v, "iParameter"),
                             Bytes(10, 0x00),
                             test::hexField(v, "aid"),
                             level::kCmac};
    return {config, v.at("sequenceCounter").get<std::uint32_t>() - 1};
}

void runSteps(const json& v, HostChannel& host, CardChannel& card) {
    for (const auto& step : v.at("steps")) {
        SCOPED_TRACE(step.at("command").get<std::string>());
        const auto plain = apdu::CommandApdu::parse(test::hexField(step, "command"));
        const auto wrapped = host.wrap(plain);
        EXPECT_EQ(toHex(wrapped.encode()), step.at("wrappedCommand").get<std::string>());
        EXPECT_EQ(card.unwrap(wrapped), plain);
        const apdu::ResponseApdu response{
            test::hexField(step, "responseData"),
            static_cast<std::uint16_t>(bigEndian(test::hexField(step, "sw")))};
        const auto protectedResponse = card.wrap(response);
        EXPECT_EQ(toHex(protectedResponse.encode()), step.at("wrappedResponse").get<std::string>());
        EXPECT_EQ(host.unwrap(protectedResponse), response);
    }
}

TEST(Scp03Vectors, BothEndsReproduceEverySession) {
    const auto vectors = test::loadScp03Vectors();
    ASSERT_EQ(vectors.at("sessions").size(), 12U);
    for (const auto& v : vectors.at("sessions")) {
        SCOPED_TRACE(v.at("keySize").get<int>());
        SCOPED_TRACE(v.at("securityLevel").get<std::string>());
        const Bytes key = test::hexField(v, "staticKey");
        const StaticKeys keys{key, key, key};
        CardChannel card = cardFor(v, keys);
        HostChannel host(keys, test::hexField(v, "hostChallenge"));
        const auto initializeUpdate = host.initializeUpdate(byteField(v, "kvn"));
        EXPECT_EQ(toHex(initializeUpdate.encode()), v.at("initializeUpdate").get<std::string>());
        const Bytes answer = card.initializeUpdate(initializeUpdate);
        EXPECT_EQ(toHex(answer), v.at("initializeUpdateResponse").get<std::string>());
        const auto external =
            host.externalAuthenticate({answer, 0x9000}, byteField(v, "securityLevel"));
        EXPECT_EQ(toHex(external.encode()), v.at("externalAuthenticate").get<std::string>());
        card.externalAuthenticate(external);
        host.confirm({{}, 0x9000});
        ASSERT_TRUE(card.isOpen());
        EXPECT_EQ(card.securityLevel(), byteField(v, "securityLevel"));
        EXPECT_EQ(host.sequenceCounter(), v.at("sequenceCounter").get<std::uint32_t>());
        runSteps(v, host, card);
    }
}

TEST(Scp03Vectors, SessionKeysAndCryptogramsMatch) {
    const auto vectors = test::loadScp03Vectors();
    for (const auto& v : vectors.at("sessions")) {
        const Bytes key = test::hexField(v, "staticKey");
        const Bytes answer = test::hexField(v, "initializeUpdateResponse");
        const ByteView cardChallenge = ByteView(answer).subspan(13, 8);
        const Bytes hostChallenge = test::hexField(v, "hostChallenge");
        const SessionKeys keys = deriveSessionKeys({key, key, key}, hostChallenge, cardChallenge);
        EXPECT_EQ(toHex(keys.enc), v.at("sEnc").get<std::string>());
        EXPECT_EQ(toHex(keys.mac), v.at("sMac").get<std::string>());
        EXPECT_EQ(toHex(keys.rmac), v.at("sRmac").get<std::string>());
        EXPECT_EQ(toHex(hostCryptogram(keys.mac, hostChallenge, cardChallenge)),
                  v.at("hostCryptogram").get<std::string>());
        EXPECT_EQ(toHex(cardCryptogram(keys.mac, hostChallenge, cardChallenge)),
                  toHex(ByteView(answer).subspan(21, 8)));
    }
}

}  // namespace
}  // namespace taplink::gp
