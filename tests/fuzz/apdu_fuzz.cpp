// libs/apdu's ISO/IEC 7816-4 APDUs: a command APDU as a card (taplink-sim, the secure chip)
// receives it, a response APDU as a reader returns it, and the transport's 61xx / 6Cxx
// handling over answers taken from the input.
#include <optional>

#include "fuzz_support.hpp"
#include "scripted_card.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/transport.hpp"

namespace taplink::fuzz {
namespace {

std::optional<apdu::CommandApdu> commandOf(ByteView bytes) {
    try {
        return apdu::CommandApdu::parse(bytes);
    } catch (const apdu::ApduError&) {
        return std::nullopt;
    }
}

// The encoding of a parsed command reads back as the same command, and it is canonical:
// encoding that again changes nothing (a short command in the extended form comes back short).
void checkCommand(ByteView bytes) {
    const auto command = commandOf(bytes);
    if (!command) {
        return;
    }
    const Bytes encoded = command->encode();
    const auto again = commandOf(encoded);
    require(again && *again == *command, "command APDU: parse(encode(c)) == c");
    require(again->encode() == encoded, "command APDU: the encoding is canonical");
}

void checkResponse(ByteView bytes) {
    try {
        const auto response = apdu::ResponseApdu::parse(bytes);
        require(response.encode() == Bytes(bytes.begin(), bytes.end()),
                "response APDU: encode(parse(b)) == b");
    } catch (const apdu::ApduError&) {
        require(bytes.size() < 2, "response APDU: refused only without a status word");
    }
}

// completeExchange never hands a 61xx on, nor more than the largest extended answer.
void checkExchange(ByteView bytes) {
    ScriptedCard card(bytes);
    const apdu::CommandApdu readRecord{0x00, apdu::kInsReadRecord, 0x01, 0x0C, {}, 256};
    try {
        const auto response = card.transmit(readRecord);
        require(response.sw1() != apdu::sw::kMoreDataSw1, "transport: no 61xx left");
        require(response.data.size() <= apdu::kMaxChainedResponse, "transport: bounded answer");
    } catch (const apdu::TransportError&) {
    } catch (const CardGone&) {
    }
}

void checkInput(ByteView bytes) {
    checkCommand(bytes);
    checkResponse(bytes);
    checkExchange(bytes);
}

}  // namespace
}  // namespace taplink::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::fuzz::checkInput(taplink::fuzz::bytesOf(data, size));
    return 0;
}
