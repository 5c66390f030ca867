#include "taplink/cards/epurse/epurse_card.hpp"

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_reader.hpp"

namespace taplink::cards::epurse {

namespace {
constexpr std::uint32_t kFciIssuerDiscretionaryData = 0x9F0C;

// The public information, if the FCI carries it (tag 9F0C with 30 bytes).
std::optional<PublicInfo> publicInfoFromFci(ByteView fci) {
    try {
        const auto objects = tlv::parse(fci);
        const tlv::Tlv* data = tlv::find(objects, kFciIssuerDiscretionaryData);
        if (data != nullptr && data->value.size() == kPublicInfoSize) {
            return PublicInfo::parse(data->value);
        }
    } catch (const tlv::TlvError&) {
        // A malformed FCI: read EF 0x15 instead.
    }
    return std::nullopt;
}
}  // namespace

std::string describeStatusWord(std::uint16_t statusWord) {
    switch (statusWord) {
        case sw::kMacInvalid:
            return "MAC invalid";
        case sw::kInsufficientFunds:
            return "insufficient funds";
        case sw::kKeyIndexUnsupported:
            return "key index not supported";
        case sw::kProofUnavailable:
            return "no such transaction to prove";
        case apdu::sw::kConditionsNotSatisfied:
            return "conditions of use not satisfied";
        case apdu::sw::kFileNotFound:
            return "application or file not found";
        case apdu::sw::kWrongData:
            return "amount not acceptable";
        case apdu::sw::kWrongLength:
            return "wrong length";
        default:
            return "status " + apdu::statusWordHex(statusWord);
    }
}

EpurseError::EpurseError(std::string operation, std::uint16_t statusWord)
    : std::runtime_error(operation + ": " + describeStatusWord(statusWord) + " (SW " +
                         apdu::statusWordHex(statusWord) + ")"),
      operation_(std::move(operation)),
      statusWord_(statusWord) {}

Bytes EpurseCard::exchange(const apdu::CommandApdu& command, const char* operation) {
    apdu::ResponseApdu response = channel_.transmit(command);
    if (!response.ok()) {
        throw EpurseError(operation, response.sw);
    }
    return std::move(response.data);
}

std::optional<PublicInfo> EpurseCard::select() {
    apdu::ResponseApdu response = channel_.transmit(selectByAid());
    if (!response.ok()) {
        response = channel_.transmit(selectByFid());
    }
    if (!response.ok()) {
        return std::nullopt;  // neither way in: this card has no e-purse we know
    }
    if (auto info = publicInfoFromFci(response.data)) {
        return info;
    }
    return readPublicInfo();
}

PublicInfo EpurseCard::readPublicInfo() {
    return PublicInfo::parse(exchange(epurse::readPublicInfo(), "READ BINARY EF 0x15"));
}

std::uint32_t EpurseCard::readBalance() {
    const Bytes balance = exchange(getBalance(), "GET BALANCE");
    if (balance.size() != 4) {
        throw EpurseFormatError("GET BALANCE answered " + std::to_string(balance.size()) +
                                " bytes, expected 4");
    }
    return static_cast<std::uint32_t>(bigEndian(balance));
}

std::vector<LogRecord> EpurseCard::readHistory() {
    std::vector<LogRecord> records;
    for (std::uint8_t number = 1; number <= kLogRecords; ++number) {
        const apdu::ResponseApdu response = channel_.transmit(readLogRecord(number));
        if (response.sw == apdu::sw::kRecordNotFound) {
            break;  // the card has written no more records yet
        }
        if (!response.ok()) {
            throw EpurseError("READ RECORD EF 0x18", response.sw);
        }
        records.push_back(LogRecord::parse(response.data));
    }
    return records;
}

LoadInitialization EpurseCard::initializeLoad(std::uint8_t keyIndex, std::uint32_t amount,
                                              ByteView terminalId) {
    return LoadInitialization::parse(
        exchange(initializeForLoad(keyIndex, amount, terminalId), "INITIALIZE FOR LOAD"));
}

Bytes EpurseCard::creditLoad(ByteView date, ByteView time, ByteView mac2) {
    Bytes tac = exchange(creditForLoad(date, time, mac2), "CREDIT FOR LOAD");
    if (tac.size() != 4) {
        throw EpurseFormatError("CREDIT FOR LOAD answered " + std::to_string(tac.size()) +
                                " bytes, expected the 4-byte TAC");
    }
    return tac;
}

PurchaseInitialization EpurseCard::initializePurchase(std::uint8_t keyIndex, std::uint32_t amount,
                                                      ByteView terminalId) {
    return PurchaseInitialization::parse(
        exchange(initializeForPurchase(keyIndex, amount, terminalId), "INITIALIZE FOR PURCHASE"));
}

TransactionProof EpurseCard::debitPurchase(ByteView terminalSequence, ByteView date, ByteView time,
                                           ByteView mac1) {
    // DEBIT FOR PURCHASE answers TAC then MAC2, the reverse of GET TRANSACTION PROVE.
    const Bytes answer =
        exchange(debitForPurchase(terminalSequence, date, time, mac1), "DEBIT FOR PURCHASE");
    if (answer.size() != 8) {
        throw EpurseFormatError("DEBIT FOR PURCHASE answered " + std::to_string(answer.size()) +
                                " bytes, expected 8");
    }
    return TransactionProof{Bytes(answer.begin() + 4, answer.end()),
                            Bytes(answer.begin(), answer.begin() + 4)};
}

std::optional<TransactionProof> EpurseCard::proveTransaction(std::uint8_t type, std::uint16_t atc) {
    const apdu::ResponseApdu response = channel_.transmit(getTransactionProve(type, atc));
    if (response.sw == sw::kProofUnavailable) {
        return std::nullopt;
    }
    if (!response.ok()) {
        throw EpurseError("GET TRANSACTION PROVE", response.sw);
    }
    return TransactionProof::parse(response.data);
}

}  // namespace taplink::cards::epurse
