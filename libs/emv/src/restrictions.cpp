#include "taplink/emv/restrictions.hpp"

#include <optional>
#include <string>

#include "taplink/emv/bcd.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"

namespace taplink::emv {

namespace {

// AUC byte 1 (Book 3 Annex C2).
constexpr std::uint8_t kDomesticCash = 0x80;
constexpr std::uint8_t kInternationalCash = 0x40;
constexpr std::uint8_t kDomesticGoods = 0x20;
constexpr std::uint8_t kInternationalGoods = 0x10;
constexpr std::uint8_t kDomesticServices = 0x08;
constexpr std::uint8_t kInternationalServices = 0x04;
constexpr std::uint8_t kValidAtAtms = 0x02;
constexpr std::uint8_t kValidAtOtherTerminals = 0x01;

// YYMMDD as a number that orders dates (bcd.hpp dateOrder); MalformedAnswer for a non-date.
std::uint64_t dateKey(ByteView yymmdd, const std::string& what) {
    const std::optional<std::uint64_t> key = dateOrder(yymmdd);
    if (!key) {
        throw MalformedAnswer(what + ": " + toHex(yymmdd) + " is not a date");
    }
    return *key;
}

std::uint64_t transactionDateKey(const Bytes& date) {
    try {
        return dateKey(date, "transaction date 9A");
    } catch (const EmvError& error) {
        throw EmvError(EmvErrorCode::TerminalDataInvalid, error.what());
    }
}

std::uint8_t serviceBit(ServiceKind service, bool domestic) {
    switch (service) {
        case ServiceKind::Cash:
            return domestic ? kDomesticCash : kInternationalCash;
        case ServiceKind::Goods:
            return domestic ? kDomesticGoods : kInternationalGoods;
        case ServiceKind::Services:
            return domestic ? kDomesticServices : kInternationalServices;
        case ServiceKind::Other:
            return 0;
    }
    return 0;
}

// Book 3 10.4.2.
bool serviceAllowed(const Bytes& auc, const Bytes* issuerCountry, const RestrictionsInput& in) {
    if ((auc[0] & (in.atm ? kValidAtAtms : kValidAtOtherTerminals)) == 0) {
        return false;
    }
    if (issuerCountry == nullptr) {
        return true;
    }
    const std::uint8_t wanted = serviceBit(in.service, *issuerCountry == in.terminalCountryCode);
    return wanted == 0 || (auc[0] & wanted) != 0;
}

const Bytes* find(const CardData& card, std::uint32_t tag) {
    const auto found = card.find(tag);
    if (found == card.end()) {
        return nullptr;
    }
    checkLength(tag, found->second, "card data");
    return &found->second;
}

}  // namespace

void checkProcessingRestrictions(const CardData& card, const RestrictionsInput& input, Tvr& tvr) {
    const Bytes* version = find(card, tag::kCardApplicationVersion);
    if (version != nullptr && *version != input.terminalApplicationVersion) {
        tvr.set(TvrBit::DifferentApplicationVersions);  // 10.4.1
    }
    const Bytes* auc = find(card, tag::kApplicationUsageControl);
    if (auc != nullptr && !serviceAllowed(*auc, find(card, tag::kIssuerCountryCode), input)) {
        tvr.set(TvrBit::ServiceNotAllowed);  // 10.4.2
    }
    const std::uint64_t today = transactionDateKey(input.transactionDate);
    const Bytes* effective = find(card, tag::kEffectiveDate);
    if (effective != nullptr && dateKey(*effective, "effective date 5F25") > today) {
        tvr.set(TvrBit::ApplicationNotYetEffective);  // 10.4.3
    }
    const Bytes* expiry = find(card, tag::kExpirationDate);
    if (expiry != nullptr && dateKey(*expiry, "expiration date 5F24") < today) {
        tvr.set(TvrBit::ExpiredApplication);  // 10.4.3
    }
}

void refuseUnusableForLoad(const Tvr& tvr) {
    if (tvr.isSet(TvrBit::ExpiredApplication)) {
        throw EmvError(EmvErrorCode::NotAccepted, "the card's application has expired");
    }
    if (tvr.isSet(TvrBit::ApplicationNotYetEffective)) {
        throw EmvError(EmvErrorCode::NotAccepted, "the card's application is not yet effective");
    }
}

}  // namespace taplink::emv
