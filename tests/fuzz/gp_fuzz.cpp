// libs/gp, GlobalPlatform SCP03: the handshake's commands and answers (INITIALIZE UPDATE,
// EXTERNAL AUTHENTICATE), a wrapped command as the chip's security domain receives it and a
// wrapped answer as the TSM's side receives it, on a channel opened with the GlobalPlatform
// test keys (C-MAC, C-DEC, R-MAC, R-ENC).
#include <algorithm>
#include <optional>

#include "fuzz_support.hpp"
#include "taplink/gp/gp_error.hpp"
#include "taplink/gp/scp03_commands.hpp"
#include "taplink/gp/secure_channel.hpp"

namespace taplink::gp {
namespace {

using fuzz::require;

constexpr std::uint8_t kAllProtections = 0x33;

StaticKeys testKeys() {  // GlobalPlatform's default test key 40 41 .. 4F, for each role
    const Bytes key = fromHex("404142434445464748494A4B4C4D4E4F");
    return {key, key, key};
}

// The chip's management channel: key version 30, i parameter 70, C-MAC at least (the defaults).
CardChannelConfig cardConfig() {
    CardChannelConfig config;
    config.keys = testKeys();
    config.aid = fromHex("A000000151000000");
    return config;
}

// Both ends of a channel, open.
struct OpenChannel {
    CardChannel card{cardConfig(), 0};
    HostChannel host{testKeys(), fromHex("0011223344556677")};

    OpenChannel() {
        const Bytes answer = card.initializeUpdate(host.initializeUpdate(0x30));
        card.externalAuthenticate(host.externalAuthenticate({answer, 0x9000}, kAllProtections));
        host.confirm({{}, 0x9000});
    }
};

std::optional<apdu::CommandApdu> commandOf(ByteView bytes) {
    try {
        return apdu::CommandApdu::parse(bytes);
    } catch (const apdu::ApduError&) {
        return std::nullopt;
    }
}

void checkHandshakeAnswer(ByteView bytes) {
    try {
        require(encodeInitializeUpdateAnswer(parseInitializeUpdateAnswer(bytes)) ==
                    Bytes(bytes.begin(), bytes.end()),
                "INITIALIZE UPDATE answer: encode(parse(b)) == b");
    } catch (const GpError&) {
    }
}

void checkHandshakeCommands(const apdu::CommandApdu& command) {
    try {
        const InitializeUpdateCommand parsed = parseInitializeUpdate(command);
        const InitializeUpdateCommand again = parseInitializeUpdate(encodeInitializeUpdate(parsed));
        require(
            again.keyVersion == parsed.keyVersion && again.hostChallenge == parsed.hostChallenge,
            "INITIALIZE UPDATE: parse(encode(c)) == c");
    } catch (const GpError&) {
    }
    try {
        parseExternalAuthenticate(command);
    } catch (const GpError&) {
    }
}

// The card refuses what its host did not wrap, and a refusal closes the session.
void checkCardUnwrap(const apdu::CommandApdu& command) {
    OpenChannel channel;
    try {
        channel.card.unwrap(command);
    } catch (const GpError&) {
        require(!channel.card.isOpen(), "card: a refused command closes the channel");
    }
}

void checkHostUnwrap(ByteView bytes) {
    OpenChannel channel;
    try {
        channel.host.unwrap(apdu::ResponseApdu::parse(bytes));
    } catch (const GpError&) {
    } catch (const apdu::ApduError&) {
    }
}

// What the host wraps, the card unwraps to the same command; and back for an answer.
void checkRoundTrips(const apdu::CommandApdu& plain, ByteView bytes) {
    if ((plain.cla & kClaSecureMessaging) != 0 || plain.data.size() > 200) {
        return;  // already marked as wrapped, or no room for the padding and the MAC
    }
    OpenChannel channel;
    const auto wrapped = apdu::CommandApdu::parse(channel.host.wrap(plain).encode());
    require(channel.card.unwrap(wrapped) == plain, "SCP03: card.unwrap(host.wrap(c)) == c");
    const apdu::ResponseApdu answer{Bytes(bytes.begin(), bytes.end()), 0x9000};
    require(channel.host.unwrap(channel.card.wrap(answer)) == answer,
            "SCP03: host.unwrap(card.wrap(r)) == r");
}

void checkInput(ByteView bytes) {
    checkHandshakeAnswer(bytes);
    checkHostUnwrap(bytes);
    if (const auto command = commandOf(bytes)) {
        checkHandshakeCommands(*command);
        checkCardUnwrap(*command);
        checkRoundTrips(*command, bytes.first(std::min<std::size_t>(bytes.size(), 200)));
    }
}

}  // namespace
}  // namespace taplink::gp

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::gp::checkInput(taplink::fuzz::bytesOf(data, size));
    return 0;
}
