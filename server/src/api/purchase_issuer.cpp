#include "api/purchase_issuer.hpp"

#include <algorithm>
#include <chrono>

#include "api/api_error.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::server {

namespace {

namespace wire = net::wire;
namespace arc = wire::purchase_arc;
namespace tag = emv::tag;
using chip::pay::PurchaseRequest;
using chip::pay::SealedPurchase;

constexpr std::size_t kMaxPanBytes = 10;      // 5A: cn up to 19 digits (EMV Book 3 annex A)
constexpr std::size_t kTvrSize = 5;           // 95
constexpr std::size_t kCountrySize = 2;       // 9F1A, n3
constexpr std::uint16_t kChinaCountry = 156;  // ISO 3166-1 numeric
// 9F66 (TTQ, EMV Contactless Book C-3, JR/T 0025.12): byte 1 bit 5 EMV contact chip
// supported, byte 2 bit 8 online cryptogram required (docs/bank-cards.md, "Purchase: the
// terminal data").
constexpr std::uint32_t kTerminalQualifiers = 0x10800000;
constexpr std::uint64_t kYearBase = 2000;
constexpr std::uint64_t kDaysTolerated = 1;

[[noreturn]] void refuseSeal(const std::string& why) {
    throw ApiError(422, wire::refusal::kSealInvalid, "the sealed card data: " + why);
}

[[noreturn]] void refuseTerms(const std::string& why) {
    throw ApiError(422, wire::refusal::kPurchaseMismatch, why);
}

// The value of the one top-level object of tag, of min..max bytes.
const Bytes& onlyValue(const std::vector<tlv::Tlv>& objects, std::uint32_t wanted, std::size_t min,
                       std::size_t max) {
    const auto count =
        std::ranges::count_if(objects, [&](const tlv::Tlv& o) { return o.tag == wanted; });
    const tlv::Tlv* object = tlv::find(objects, wanted);
    if (count != 1 || object->value.size() < min || object->value.size() > max) {
        refuseSeal(toHex(tlv::encodeTag(wanted)) + " must be there once, " + std::to_string(min) +
                   ".." + std::to_string(max) + " bytes");
    }
    return object->value;
}

const Bytes& sizedValue(const std::vector<tlv::Tlv>& objects, std::uint32_t wanted,
                        std::size_t size) {
    return onlyValue(objects, wanted, size, size);
}

std::string panOf(const std::vector<tlv::Tlv>& objects) {
    const auto pan = chip::pay::panDigits(onlyValue(objects, tag::kPan, 1, kMaxPanBytes));
    if (!pan || !wire::isValidPan(*pan)) {
        refuseSeal("5A is not a PAN of 12..19 digits");
    }
    return *pan;
}

std::uint8_t psnOf(const std::vector<tlv::Tlv>& objects) {
    const Bytes& psn = sizedValue(objects, tag::kPanSequenceNumber, 1);
    if (!emv::numericValue(psn)) {
        refuseSeal("5F34 is not two BCD digits");  // n2, EMV Book 3 annex A
    }
    return psn[0];
}

// A YYMMDD date as days since the epoch (EMV Book 4 6.7.3's 20YY for YY 00-49).
std::chrono::sys_days daysOf(ByteView yymmdd) {
    const auto order = emv::dateOrder(yymmdd);
    if (!order) {
        refuseTerms("9A " + toHex(yymmdd) + " is not a date");
    }
    constexpr std::uint64_t kHundred = 100;
    const auto day = static_cast<unsigned>(*order % kHundred);
    const auto month = static_cast<unsigned>(*order / kHundred % kHundred);
    const auto year = static_cast<int>(*order / (kHundred * kHundred));
    return std::chrono::sys_days(std::chrono::year_month_day(
        std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)));
}

IssuerDecision decline(std::string_view code, std::string detail,
                       std::optional<std::uint8_t> tries = std::nullopt) {
    return IssuerDecision{code, tries, std::move(detail)};
}

// The PIN step: a decision when the PIN declines, nullopt to go on; tries becomes the count
// to keep when it changes.
std::optional<IssuerDecision> pinDecision(const IssuerFacts& facts, const AccountRecord& account,
                                          std::optional<std::uint8_t>& tries) {
    if (!facts.pinGiven) {
        const bool pinNeeded = facts.amount > facts.limits.cvmLimit;
        return pinNeeded ? std::optional(decline(arc::kDoNotHonour, "no PIN above the CVM limit"))
                         : std::nullopt;
    }
    if (account.pinHash.empty()) {
        return decline(arc::kDoNotHonour, "a PIN for an account without one");
    }
    if (!facts.pinMatches(account)) {
        const auto left = static_cast<std::uint8_t>(account.pinTriesLeft - 1);
        return left == 0 ? decline(arc::kPinTriesExceeded, "wrong PIN, now blocked", left)
                         : decline(arc::kIncorrectPin, "wrong PIN", left);
    }
    if (account.pinTriesLeft != kPinTries) {
        tries = kPinTries;  // a right PIN restores the tries (ISO 9564-1 leaves it to the issuer)
    }
    return std::nullopt;
}

}  // namespace

SealedCard sealedCardOf(const SealedPurchase& purchase) {
    const std::vector<tlv::Tlv>& objects = purchase.cardData;
    SealedCard card;
    card.pan = panOf(objects);
    card.expiry = sizedValue(objects, tag::kExpirationDate, emv::kDateSize);
    if (!emv::isDate(card.expiry)) {
        refuseSeal("5F24 is not a date");
    }
    card.psn = psnOf(objects);
    card.aip = sizedValue(objects, tag::kAip, wire::kAipSize);
    card.cdol1 = onlyValue(objects, tag::kCdol1, 1, wire::kMaxDolDataSize);
    card.atc =
        ByteReader<wire::WireFormatError>(sizedValue(objects, tag::kAtc, wire::kAtcSize), "9F36")
            .u16("the ATC");
    card.cid = sizedValue(objects, tag::kCryptogramInformationData, 1)[0];
    if (!chip::pay::isArqc(card.cid)) {
        refuseSeal("the first GENERATE AC did not give an ARQC");
    }
    card.arqc = sizedValue(objects, tag::kApplicationCryptogram, wire::kArqcSize);
    card.iad =
        onlyValue(objects, tag::kIssuerApplicationData, wire::kMinIadSize, wire::kMaxIadSize);
    return card;
}

emv::TerminalData purchaseTerminalData(const SealedPurchase& purchase) {
    const PurchaseRequest& terms = purchase.request;
    return emv::TerminalData{
        {tag::kAmountAuthorised, emv::encodeAmount(terms.amount)},
        {tag::kAmountOther, emv::encodeAmount(0)},
        {tag::kTerminalCountryCode, emv::encodeNumeric(kChinaCountry, kCountrySize)},
        {tag::kTvr, Bytes(kTvrSize, 0x00)},
        {tag::kTransactionCurrencyCode,
         emv::encodeNumeric(terms.currency, chip::pay::kCurrencySize)},
        {tag::kTransactionDate, terms.date},
        {tag::kTransactionType, Bytes{terms.type}},
        {tag::kUnpredictableNumber, purchase.unpredictableNumber},
        {tag::kTerminalTransactionQualifiers, ByteWriter().u32(kTerminalQualifiers).take()},
    };
}

Bytes rebuiltCdol1Data(const SealedCard& card, const SealedPurchase& purchase) {
    try {
        return emv::buildDolData(emv::parseDol(card.cdol1), purchaseTerminalData(purchase));
    } catch (const emv::EmvError& error) {
        refuseSeal(std::string("8C does not parse: ") + error.what());
    }
}

void checkPurchaseTerms(const PurchaseRequest& terms, const std::string& orderId,
                        std::uint32_t orderAmount, ByteView today) {
    if (terms.amount != orderAmount) {
        refuseTerms("the chip sealed " + std::to_string(terms.amount) + " fen, the order is " +
                    std::to_string(orderAmount));
    }
    if (terms.currency != chip::pay::kCurrencyCny || terms.type != chip::pay::kGoodsAndServices) {
        refuseTerms("the purchase must be of goods and services (9C 00) in yuan (5F2A 0156)");
    }
    const ByteView orderIdBytes(reinterpret_cast<const std::uint8_t*>(orderId.data()),
                                orderId.size());
    if (terms.orderReference != crypto::sha256(orderIdBytes)) {
        refuseTerms("DF21 is not SHA-256 of order " + orderId);
    }
    const auto apart = (daysOf(terms.date) - daysOf(today)).count();
    if (static_cast<std::uint64_t>(apart < 0 ? -apart : apart) > kDaysTolerated) {
        refuseTerms("9A " + toHex(terms.date) + " is more than a day from today " + toHex(today));
    }
}

Bytes todayYymmdd() {
    const std::chrono::year_month_day today(
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
    const auto year = static_cast<std::uint64_t>(static_cast<int>(today.year())) - kYearBase;
    constexpr std::uint64_t kHundred = 100;
    const std::uint64_t yymmdd =
        (year * kHundred + static_cast<unsigned>(today.month())) * kHundred +
        static_cast<unsigned>(today.day());
    return emv::encodeNumeric(yymmdd, emv::kDateSize);
}

IssuerDecision issuerDecision(const IssuerFacts& facts,
                              const std::optional<AccountRecord>& account) {
    if (!account) {
        return decline(arc::kNoAccount, "no account for the card");
    }
    if (facts.expired) {
        return decline(arc::kExpiredCard, "the card expired");
    }
    if (facts.amount > facts.limits.perTransactionLimit) {
        return decline(arc::kOverLimit, "over the chip's per-transaction limit");
    }
    if (account->pinTriesLeft == 0) {
        return decline(arc::kPinTriesExceeded, "the PIN is blocked");
    }
    std::optional<std::uint8_t> tries;
    if (auto declined = pinDecision(facts, *account, tries)) {
        return std::move(*declined);
    }
    if (account->balance < facts.amount) {
        return decline(arc::kInsufficientFunds, "insufficient funds", tries);
    }
    return IssuerDecision{arc::kApproved, tries, "approved"};
}

}  // namespace taplink::server
