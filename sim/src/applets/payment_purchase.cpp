#include "applets/payment_purchase.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <utility>

#include "taplink/apdu/apdu.hpp"
#include "taplink/crypto/ocra.hpp"
#include "taplink/crypto/pin_block.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::sim {

namespace pay = chip::pay;

struct PurchaseContext {
    pay::PurchaseRequest request;
    pay::PurchaseStart start;
    std::vector<tlv::Tlv> cardData;  // in the order received
    std::size_t cardDataSize = 0;    // PUT CARD DATA bytes so far
    std::optional<Bytes> pinBlock;
};

namespace {

// ISO/IEC 7816-4 clause 5.6.
using apdu::sw::kConditionsNotSatisfied;
using apdu::sw::kIncorrectP1P2;
using apdu::sw::kOk;
using apdu::sw::kWrongData;
using apdu::sw::kWrongLength;
// EMV Book 3 Annex A1 sizes of the card data SEAL needs.
constexpr std::size_t kCryptogramSize = 8;  // 9F26
constexpr std::size_t kAtcSize = 2;         // 9F36
constexpr std::size_t kMaxPanSize = 10;     // 5A, cn up to 19 digits

ResponseApdu status(std::uint16_t word) {
    return ResponseApdu{{}, word};
}

bool isPurchaseInstruction(std::uint8_t ins) {
    return ins == pay::ins::kBeginPurchase || ins == pay::ins::kPutCardData ||
           ins == pay::ins::kPutPin || ins == pay::ins::kSeal || ins == pay::ins::kGenerateToken;
}

// Card objects SEAL reads and the server reads again: a second one could make them read
// different values, so each may come once in all the purchase's card data.
constexpr std::array<std::uint32_t, 5> kOnceOnlyCardTags{
    emv::tag::kPan, emv::tag::kExpirationDate, emv::tag::kApplicationCryptogram,
    emv::tag::kCryptogramInformationData, emv::tag::kAtc};

std::size_t occurrences(const std::vector<tlv::Tlv>& objects, std::uint32_t tag) {
    std::size_t count = 0;
    for (const tlv::Tlv& object : objects) {
        count += (object.tag == tag ? 1 : 0) + occurrences(object.children, tag);
    }
    return count;
}

bool repeatsAOnceOnlyTag(const std::vector<tlv::Tlv>& held, const std::vector<tlv::Tlv>& added) {
    return std::ranges::any_of(kOnceOnlyCardTags, [&](std::uint32_t tag) {
        return occurrences(held, tag) + occurrences(added, tag) > 1;
    });
}

bool isAllowedAid(const chip::mgmt::PaymentParameters& parameters, ByteView aid) {
    return std::any_of(parameters.allowedAids.begin(), parameters.allowedAids.end(),
                       [aid](const Bytes& allowed) { return std::ranges::equal(allowed, aid); });
}

const Bytes* cardValue(const PurchaseContext& context, std::uint32_t tag) {
    const tlv::Tlv* found = tlv::find(context.cardData, tag);
    return found == nullptr ? nullptr : &found->value;
}

bool hasSized(const PurchaseContext& context, std::uint32_t tag, std::size_t size) {
    const Bytes* value = cardValue(context, tag);
    return value != nullptr && value->size() == size;
}

std::optional<std::string> cardPan(const PurchaseContext& context) {
    const Bytes* pan = cardValue(context, emv::tag::kPan);
    if (pan == nullptr || pan->size() > kMaxPanSize) {
        return std::nullopt;
    }
    return pay::panDigits(*pan);
}

// SEAL's card data: an ARQC (9F26, 9F27 of type ARQC), the ATC, the PAN and the expiry.
bool hasSealableCardData(const PurchaseContext& context) {
    const Bytes* cid = cardValue(context, emv::tag::kCryptogramInformationData);
    const Bytes* expiry = cardValue(context, emv::tag::kExpirationDate);
    return hasSized(context, emv::tag::kApplicationCryptogram, kCryptogramSize) && cid != nullptr &&
           cid->size() == 1 && pay::isArqc((*cid)[0]) &&
           hasSized(context, emv::tag::kAtc, kAtcSize) && cardPan(context) && expiry != nullptr &&
           emv::isDate(*expiry);
}

bool isExpired(const PurchaseContext& context) {
    return pay::isBefore(*cardValue(context, emv::tag::kExpirationDate), context.request.date);
}

bool isBeforeCountedDay(const PaymentState& state, ByteView date) {
    return !state.day.empty() && pay::isBefore(date, state.day);
}

pay::SealedPurchase sealedContent(const PurchaseContext& context) {
    return pay::SealedPurchase{context.start.purchaseNumber, context.start.unpredictableNumber,
                               context.request, context.cardData, context.pinBlock};
}

// The PIN as the command brought it, wiped when the command is done (it is never stored).
class WipedPin {
  public:
    explicit WipedPin(ByteView digits) : pin_(digits.begin(), digits.end()) {}
    WipedPin(const WipedPin&) = delete;
    WipedPin& operator=(const WipedPin&) = delete;
    ~WipedPin() { OPENSSL_cleanse(pin_.data(), pin_.size()); }
    const std::string& text() const { return pin_; }

  private:
    std::string pin_;
};

}  // namespace

PaymentPurchase::PaymentPurchase(Bytes chipSerial, const PaymentState& state, Commit commit)
    : chipSerial_(std::move(chipSerial)), state_(state), commit_(std::move(commit)) {}

PaymentPurchase::~PaymentPurchase() = default;

void PaymentPurchase::dropContext() {
    context_.reset();
}

std::optional<ResponseApdu> PaymentPurchase::process(const CommandApdu& command) {
    if (!isPurchaseInstruction(command.ins)) {
        return std::nullopt;
    }
    if (!state_.isOperational()) {
        return status(kConditionsNotSatisfied);  // installed or locked
    }
    if (command.p1 != 0x00 || command.p2 != 0x00) {
        return status(kIncorrectP1P2);
    }
    return dispatch(command);
}

ResponseApdu PaymentPurchase::dispatch(const CommandApdu& command) {
    switch (command.ins) {
        case pay::ins::kBeginPurchase:
            return begin(command);
        case pay::ins::kPutCardData:
            return putCardData(command);
        case pay::ins::kPutPin:
            return putPin(command);
        case pay::ins::kSeal:
            return seal(command);
        default:
            return generateToken(command);
    }
}

// The order of docs/chip.md: AID, per-transaction limit, daily limit (which a date before
// the day already counted would start again at 0: refused as over the daily limit).
std::optional<std::uint16_t> PaymentPurchase::limitRefusal(
    const pay::PurchaseRequest& request) const {
    const chip::mgmt::PaymentParameters& parameters = *state_.parameters;
    if (!isAllowedAid(parameters, request.aid)) {
        return pay::sw::kAidNotAllowed;
    }
    if (request.amount > parameters.perTransactionLimit) {
        return pay::sw::kOverTransactionLimit;
    }
    if (isBeforeCountedDay(state_, request.date) ||
        state_.totalOn(request.date) + request.amount > parameters.dailyLimit) {
        return pay::sw::kOverDailyLimit;
    }
    return std::nullopt;
}

ResponseApdu PaymentPurchase::begin(const CommandApdu& command) {
    pay::PurchaseRequest request;
    try {
        request = pay::PurchaseRequest::parse(command.data);
    } catch (const pay::PurchaseFormatError&) {
        return status(kWrongData);
    }
    if (const auto refusal = limitRefusal(request)) {
        return status(*refusal);
    }
    if (state_.purchaseNumber == std::numeric_limits<std::uint32_t>::max()) {
        return status(kConditionsNotSatisfied);  // the purchase numbers are spent
    }
    return startPurchase(std::move(request));
}

ResponseApdu PaymentPurchase::startPurchase(pay::PurchaseRequest request) {
    PaymentState next = state_;
    next.purchaseNumber += 1;
    commit_(next);  // the number is on disk before it is answered
    const pay::Cvm cvm =
        request.amount > state_.parameters->cvmLimit ? pay::Cvm::OnlinePin : pay::Cvm::None;
    context_ = std::make_unique<PurchaseContext>();
    context_->request = std::move(request);
    context_->start = {crypto::randomBytes(pay::kUnpredictableNumberSize), next.purchaseNumber,
                       cvm};
    return ResponseApdu{context_->start.encode(), kOk};
}

ResponseApdu PaymentPurchase::putCardData(const CommandApdu& command) {
    if (!context_) {
        return status(kConditionsNotSatisfied);
    }
    if (context_->cardDataSize + command.data.size() > pay::kMaxCardDataSize) {
        return status(pay::sw::kCardDataFull);
    }
    std::vector<tlv::Tlv> objects;
    try {
        objects = tlv::parse(command.data);
    } catch (const tlv::TlvError&) {
        return status(kWrongData);
    }
    if (objects.empty() || repeatsAOnceOnlyTag(context_->cardData, objects)) {
        return status(kWrongData);
    }
    std::move(objects.begin(), objects.end(), std::back_inserter(context_->cardData));
    context_->cardDataSize += command.data.size();
    return status(kOk);
}

ResponseApdu PaymentPurchase::putPin(const CommandApdu& command) {
    const WipedPin pin(command.data);
    const auto pan = context_ ? cardPan(*context_) : std::nullopt;
    if (!context_ || context_->start.cvm != pay::Cvm::OnlinePin || !pan) {
        return status(kConditionsNotSatisfied);
    }
    if (!pay::isValidPin(pin.text())) {
        return status(kWrongData);
    }
    try {
        context_->pinBlock = crypto::encipherFormat4(state_.keys->pinKey, pin.text(), *pan);
    } catch (const crypto::PinBlockError&) {
        return status(kWrongData);  // a PAN of fewer than 12 digits
    }
    return status(kOk);
}

ResponseApdu PaymentPurchase::seal(const CommandApdu& command) {
    if (!context_) {
        return status(kConditionsNotSatisfied);
    }
    if (!command.data.empty()) {
        return status(kWrongLength);
    }
    if (const auto refusal = sealRefusal()) {
        return status(*refusal);
    }
    Bytes sealed =
        pay::sealPurchase(state_.keys->channelKey, chipSerial_, sealedContent(*context_));
    PaymentState next = state_;
    next.addToDay(context_->request.date, context_->request.amount);
    commit_(next);  // the day's total is on disk before the seal leaves the chip
    context_.reset();
    return ResponseApdu{std::move(sealed), kOk};
}

// SEAL's checks on the context, in the order of docs/chip.md; an expired card drops it.
std::optional<std::uint16_t> PaymentPurchase::sealRefusal() {
    if (!hasSealableCardData(*context_)) {
        return kWrongData;
    }
    if (isExpired(*context_)) {
        context_.reset();
        return pay::sw::kCardExpired;
    }
    if (context_->start.cvm == pay::Cvm::OnlinePin && !context_->pinBlock) {
        return kConditionsNotSatisfied;
    }
    return limitRefusal(context_->request);  // again: the state may have moved since BEGIN
}

// RFC 6287 suite OCRA-1:HOTP-SHA1-8:C-QN08; the counter moves on disk before the code is
// answered, so no code is ever given twice for one counter.
ResponseApdu PaymentPurchase::generateToken(const CommandApdu& command) {
    if (command.data.size() != pay::kTokenChallengeDigits || !pay::isDigits(command.data)) {
        return status(kWrongData);
    }
    if (state_.tokenCounter == std::numeric_limits<std::uint64_t>::max()) {
        return status(kConditionsNotSatisfied);  // the counters are spent
    }
    const std::uint64_t counter = state_.tokenCounter;
    PaymentState next = state_;
    next.tokenCounter = counter + 1;
    commit_(next);
    const std::string challenge(command.data.begin(), command.data.end());
    const std::string code =
        crypto::ocra(crypto::parseOcraSuite(crypto::kPaymentTokenSuite), state_.keys->tokenSeed,
                     crypto::OcraInput{counter, {challenge}, {}});
    return ResponseApdu{pay::TokenAnswer{code, counter}.encode(), kOk};
}

}  // namespace taplink::sim
