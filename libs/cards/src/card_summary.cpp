#include "taplink/cards/card_summary.hpp"
#include "taplink/base/masking.hpp"

#include "taplink/cards/epurse/epurse_card.hpp"

namespace taplink::cards {

namespace {

HistoryEntry historyEntryOf(const epurse::LogRecord& record) {
    std::string kind;
    if (record.type == epurse::kTypeLoad) {
        kind = "load";
    } else if (record.type == epurse::kTypePurchase) {
        kind = "purchase";
    } else {
        kind = "type " + toHex(Bytes{record.type});
    }
    return HistoryEntry{kind, record.amount,
                        formatBcdDate(record.date) + " " + formatBcdTime(record.time),
                        toHex(record.terminalId), record.atc};
}

}  // namespace

std::string_view toString(Scheme scheme) {
    switch (scheme) {
        case Scheme::CityEpurse:
            return "city-epurse";
        case Scheme::Unknown:
            return "unknown";
    }
    return "unknown";
}

std::string formatBcdDate(ByteView date) {
    std::string digits = toHex(date);
    if (digits.size() != 8) {
        return digits;
    }
    return digits.substr(0, 4) + "-" + digits.substr(4, 2) + "-" + digits.substr(6, 2);
}

std::string formatBcdTime(ByteView time) {
    std::string digits = toHex(time);
    if (digits.size() != 6) {
        return digits;
    }
    return digits.substr(0, 2) + ":" + digits.substr(2, 2) + ":" + digits.substr(4, 2);
}

CardSummary summarizeCard(apdu::ApduChannel& channel) {
    CardSummary summary;
    epurse::EpurseCard purse(channel);
    const auto info = purse.select();
    if (!info) {
        return summary;
    }
    summary.scheme = Scheme::CityEpurse;
    summary.maskedSerial = maskSerial(info->serial);
    summary.issuer = toHex(info->issuerId);
    summary.validFrom = formatBcdDate(info->startDate);
    summary.validUntil = formatBcdDate(info->expiryDate);
    summary.balance = purse.readBalance();
    for (const auto& record : purse.readHistory()) {
        summary.history.push_back(historyEntryOf(record));
    }
    return summary;
}

}  // namespace taplink::cards
