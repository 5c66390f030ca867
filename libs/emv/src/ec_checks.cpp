#include "taplink/emv/ec_checks.hpp"

#include <string>

#include "taplink/emv/bcd.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"
#include "taplink/emv/emv_transport.hpp"

namespace taplink::emv {

namespace {

constexpr std::uint8_t kInsGetData = 0xCA;
constexpr std::uint16_t kReferencedDataNotFound = 0x6A88;

[[noreturn]] void refuse(const std::string& why) {
    throw EmvError(EmvErrorCode::NotAccepted, why);
}

std::string fen(std::uint64_t amount) {
    return std::to_string(amount) + " fen";
}

void checkLoad(const EcState& state, std::uint64_t amount) {
    if (amount > state.balanceLimit || state.balance > state.balanceLimit - amount) {
        refuse("balance " + fen(state.balance) + " + " + fen(amount) + " passes the limit " +
               fen(state.balanceLimit));
    }
}

void checkPurchase(const EcState& state, std::uint64_t amount) {
    if (state.singleTransactionLimit && amount > *state.singleTransactionLimit) {
        refuse(fen(amount) + " passes the single transaction limit " +
               fen(*state.singleTransactionLimit));
    }
    if (amount > state.balance) {
        refuse(fen(amount) + " is more than the balance " + fen(state.balance));
    }
}

// The object's value; nullopt when the card does not have it (6A88) or does not answer
// GET DATA for it (6A81).
std::optional<Bytes> readOptionalObject(apdu::ApduChannel& channel, std::uint16_t tag) {
    const apdu::ResponseApdu answer = exchange(channel, getDataCommand(tag));
    if (answer.sw == kReferencedDataNotFound || answer.sw == apdu::sw::kFunctionNotSupported) {
        return std::nullopt;
    }
    const std::string what = "GET DATA " + tagName(tag);
    return parseSingleObject(requireSuccess(answer, what), tag, what);
}

}  // namespace

apdu::CommandApdu getDataCommand(std::uint16_t tag) {
    return apdu::CommandApdu{0x80,
                             kInsGetData,
                             static_cast<std::uint8_t>(tag >> 8U),
                             static_cast<std::uint8_t>(tag & 0xFFU),
                             {},
                             apdu::kMaxShortLe};
}

std::uint64_t readEcAmount(apdu::ApduChannel& channel, std::uint16_t tag) {
    const std::string what = "GET DATA " + tagName(tag);
    const Bytes answer = requireSuccess(exchange(channel, getDataCommand(tag)), what);
    return decodeAmount(parseSingleObject(answer, tag, what), what);
}

EcState readEcState(apdu::ApduChannel& channel) {
    EcState state{readEcAmount(channel, tag::kEcBalance),
                  readEcAmount(channel, tag::kEcBalanceLimit), std::nullopt};
    const std::optional<Bytes> limit = readOptionalObject(channel, tag::kEcSingleTransactionLimit);
    if (limit) {
        state.singleTransactionLimit = decodeAmount(*limit, "GET DATA 9F78");
    }
    return state;
}

void checkEcAmount(const EcState& state, std::uint64_t amount, EcUse use) {
    if (amount == 0) {
        refuse("an amount of zero");
    }
    if (use == EcUse::Load) {
        checkLoad(state, amount);
    } else {
        checkPurchase(state, amount);
    }
}

std::optional<std::uint8_t> readPinTryCounter(apdu::ApduChannel& channel) {
    const std::optional<Bytes> counter = readOptionalObject(channel, tag::kPinTryCounter);
    if (!counter) {
        return std::nullopt;
    }
    return counter->front();  // exactly 1 byte: parseSingleObject checked its length
}

void checkPinTryCounter(std::optional<std::uint8_t> pinTryCounter, Tvr& tvr) {
    if (pinTryCounter == 0) {
        tvr.set(TvrBit::PinTryLimitExceeded);
    }
}

void refuseBlockedPinForLoad(const Tvr& tvr) {
    if (tvr.isSet(TvrBit::PinTryLimitExceeded)) {
        throw EmvError(EmvErrorCode::PinBlocked,
                       "the card's PIN is blocked (PIN try counter 9F17 is 0)");
    }
}

}  // namespace taplink::emv
