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
    const apdu::ResponseApdu limit =
        exchange(channel, getDataCommand(tag::kEcSingleTransactionLimit));
    if (limit.sw == kReferencedDataNotFound || limit.sw == apdu::sw::kFunctionNotSupported) {
        return state;
    }
    const std::string what = "GET DATA 9F78";
    state.singleTransactionLimit = decodeAmount(
        parseSingleObject(requireSuccess(limit, what), tag::kEcSingleTransactionLimit, what), what);
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

}  // namespace taplink::emv
