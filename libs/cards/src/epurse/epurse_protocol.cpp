#include "taplink/cards/epurse/epurse_protocol.hpp"

#include <cstdio>

namespace taplink::cards::epurse {

namespace {

// Reads fixed-size fields front to back; a short buffer is a format error, never a read
// past the end.
class FieldReader {
  public:
    FieldReader(ByteView bytes, std::size_t expected, const char* what) : bytes_(bytes) {
        if (bytes.size() != expected) {
            throw EpurseFormatError(std::string(what) + ": " + std::to_string(bytes.size()) +
                                    " bytes, expected " + std::to_string(expected));
        }
    }

    Bytes take(std::size_t count) {
        Bytes field(bytes_.begin() + static_cast<std::ptrdiff_t>(offset_),
                    bytes_.begin() + static_cast<std::ptrdiff_t>(offset_ + count));
        offset_ += count;
        return field;
    }

    std::uint32_t number(std::size_t width) {
        const std::uint32_t value = readBigEndian(bytes_, offset_, width);
        offset_ += width;
        return value;
    }

  private:
    ByteView bytes_;
    std::size_t offset_ = 0;
};

void requireSize(ByteView field, std::size_t size, const char* what) {
    if (field.size() != size) {
        throw std::invalid_argument(std::string(what) + " must be " + std::to_string(size) +
                                    " bytes");
    }
}

void append(Bytes& out, ByteView field) {
    out.insert(out.end(), field.begin(), field.end());
}

apdu::CommandApdu purseCommand(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, Bytes data,
                               std::size_t le) {
    return apdu::CommandApdu{kCla, ins, p1, p2, std::move(data), le};
}

}  // namespace

Bytes applicationId() {
    return {0xA0, 0x00, 0x00, 0x00, 0x03, 0x86, 0x98, 0x07, 0x01};
}

void appendBigEndian(Bytes& out, std::uint32_t value, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) {
        out.push_back(static_cast<std::uint8_t>((value >> (8U * i)) & 0xFFU));
    }
}

std::uint32_t readBigEndian(ByteView bytes, std::size_t offset, std::size_t width) {
    if (width > 4 || offset > bytes.size() || bytes.size() - offset < width) {
        throw EpurseFormatError("integer field beyond the end of the data");
    }
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        value = (value << 8U) | bytes[offset + i];
    }
    return value;
}

std::string formatYuan(std::uint32_t fen) {
    char text[32];
    std::snprintf(text, sizeof text, "\u00A5%u.%02u", fen / 100U, fen % 100U);
    return text;
}

// --- EF 0x15 (JT/T 978 public information, as docs/cards.md lays it out)

Bytes PublicInfo::encode() const {
    Bytes out;
    append(out, issuerId);
    out.push_back(applicationType);
    out.push_back(version);
    append(out, serial);
    append(out, startDate);
    append(out, expiryDate);
    append(out, reserved);
    if (out.size() != kPublicInfoSize) {
        throw std::invalid_argument("public information fields of the wrong size");
    }
    return out;
}

PublicInfo PublicInfo::parse(ByteView bytes) {
    FieldReader in(bytes, kPublicInfoSize, "EF 0x15");
    PublicInfo info;
    info.issuerId = in.take(8);
    info.applicationType = static_cast<std::uint8_t>(in.number(1));
    info.version = static_cast<std::uint8_t>(in.number(1));
    info.serial = in.take(kSerialSize);
    info.startDate = in.take(4);
    info.expiryDate = in.take(4);
    info.reserved = in.take(2);
    return info;
}

// --- INITIALIZE FOR LOAD answer: balance(4) ATC(2) key version(1) algorithm(1) random(4) MAC1(4)

Bytes LoadInitialization::encode() const {
    Bytes out;
    appendBigEndian(out, balance, 4);
    appendBigEndian(out, onlineAtc, 2);
    out.push_back(keyVersion);
    out.push_back(algorithmId);
    append(out, random);
    append(out, mac1);
    return out;
}

LoadInitialization LoadInitialization::parse(ByteView bytes) {
    FieldReader in(bytes, 16, "INITIALIZE FOR LOAD answer");
    LoadInitialization init;
    init.balance = in.number(4);
    init.onlineAtc = static_cast<std::uint16_t>(in.number(2));
    init.keyVersion = static_cast<std::uint8_t>(in.number(1));
    init.algorithmId = static_cast<std::uint8_t>(in.number(1));
    init.random = in.take(4);
    init.mac1 = in.take(4);
    return init;
}

// --- INITIALIZE FOR PURCHASE answer: balance(4) ATC(2) overdraft(3) key version(1)
//     algorithm(1) random(4)

Bytes PurchaseInitialization::encode() const {
    Bytes out;
    appendBigEndian(out, balance, 4);
    appendBigEndian(out, offlineAtc, 2);
    appendBigEndian(out, overdraftLimit, 3);
    out.push_back(keyVersion);
    out.push_back(algorithmId);
    append(out, random);
    return out;
}

PurchaseInitialization PurchaseInitialization::parse(ByteView bytes) {
    FieldReader in(bytes, 15, "INITIALIZE FOR PURCHASE answer");
    PurchaseInitialization init;
    init.balance = in.number(4);
    init.offlineAtc = static_cast<std::uint16_t>(in.number(2));
    init.overdraftLimit = in.number(3);
    init.keyVersion = static_cast<std::uint8_t>(in.number(1));
    init.algorithmId = static_cast<std::uint8_t>(in.number(1));
    init.random = in.take(4);
    return init;
}

// --- EF 0x18 record: ATC(2) overdraft(3) amount(4) type(1) terminal(6) date(4) time(3)

Bytes LogRecord::encode() const {
    Bytes out;
    appendBigEndian(out, atc, 2);
    appendBigEndian(out, overdraftLimit, 3);
    appendBigEndian(out, amount, 4);
    out.push_back(type);
    append(out, terminalId);
    append(out, date);
    append(out, time);
    if (out.size() != kLogRecordSize) {
        throw std::invalid_argument("log record fields of the wrong size");
    }
    return out;
}

LogRecord LogRecord::parse(ByteView bytes) {
    FieldReader in(bytes, kLogRecordSize, "EF 0x18 record");
    LogRecord record;
    record.atc = static_cast<std::uint16_t>(in.number(2));
    record.overdraftLimit = in.number(3);
    record.amount = in.number(4);
    record.type = static_cast<std::uint8_t>(in.number(1));
    record.terminalId = in.take(kTerminalIdSize);
    record.date = in.take(4);
    record.time = in.take(3);
    return record;
}

TransactionProof TransactionProof::parse(ByteView bytes) {
    FieldReader in(bytes, 8, "GET TRANSACTION PROVE answer");
    TransactionProof proof;
    proof.mac2 = in.take(4);
    proof.tac = in.take(4);
    return proof;
}

// --- Commands

apdu::CommandApdu selectByAid() {
    return apdu::CommandApdu{0x00, apdu::kInsSelect, 0x04, 0x00, applicationId(), 256};
}

apdu::CommandApdu selectByFid() {
    return apdu::CommandApdu{
        0x00, apdu::kInsSelect, 0x00, 0x00, Bytes{kApplicationFid >> 8U, kApplicationFid & 0xFFU},
        256};
}

apdu::CommandApdu readPublicInfo() {
    // READ BINARY with the SFI in P1 (bit 8 set), offset 0.
    return apdu::CommandApdu{0x00, apdu::kInsReadBinary, 0x80 | kSfiPublicInfo, 0x00,
                             {},   kPublicInfoSize};
}

apdu::CommandApdu readLogRecord(std::uint8_t number) {
    // READ RECORD: P1 record number, P2 = SFI << 3 | 100 (P1 is a record number).
    return apdu::CommandApdu{0x00,   apdu::kInsReadRecord,
                             number, static_cast<std::uint8_t>((kSfiTransactionLog << 3U) | 0x04U),
                             {},     kLogRecordSize};
}

apdu::CommandApdu getBalance() {
    return purseCommand(kInsGetBalance, 0x00, kP2Purse, {}, 4);
}

apdu::CommandApdu verifyPin(ByteView pin) {
    return apdu::CommandApdu{0x00,        kInsVerify, 0x00, 0x00, Bytes(pin.begin(), pin.end()),
                             std::nullopt};
}

apdu::CommandApdu initializeForLoad(std::uint8_t keyIndex, std::uint32_t amount,
                                    ByteView terminalId) {
    requireSize(terminalId, kTerminalIdSize, "terminal id");
    Bytes data{keyIndex};
    appendBigEndian(data, amount, 4);
    append(data, terminalId);
    return purseCommand(kInsInitialize, kP1Load, kP2Purse, std::move(data), 16);
}

apdu::CommandApdu creditForLoad(ByteView date, ByteView time, ByteView mac2) {
    requireSize(date, 4, "date");
    requireSize(time, 3, "time");
    requireSize(mac2, 4, "MAC2");
    Bytes data;
    append(data, date);
    append(data, time);
    append(data, mac2);
    return purseCommand(kInsCreditForLoad, 0x00, 0x00, std::move(data), 4);
}

apdu::CommandApdu initializeForPurchase(std::uint8_t keyIndex, std::uint32_t amount,
                                        ByteView terminalId) {
    requireSize(terminalId, kTerminalIdSize, "terminal id");
    Bytes data{keyIndex};
    appendBigEndian(data, amount, 4);
    append(data, terminalId);
    return purseCommand(kInsInitialize, kP1Purchase, kP2Purse, std::move(data), 15);
}

apdu::CommandApdu debitForPurchase(ByteView terminalSequence, ByteView date, ByteView time,
                                   ByteView mac1) {
    requireSize(terminalSequence, 4, "terminal sequence number");
    requireSize(date, 4, "date");
    requireSize(time, 3, "time");
    requireSize(mac1, 4, "MAC1");
    Bytes data;
    append(data, terminalSequence);
    append(data, date);
    append(data, time);
    append(data, mac1);
    return purseCommand(kInsDebitForPurchase, 0x01, 0x00, std::move(data), 8);
}

apdu::CommandApdu getTransactionProve(std::uint8_t type, std::uint16_t atc) {
    Bytes data;
    appendBigEndian(data, atc, 2);
    return purseCommand(kInsGetTransactionProve, 0x00, type, std::move(data), 8);
}

// --- MAC inputs

Bytes mac1InputForLoad(std::uint32_t balance, std::uint32_t amount, ByteView terminalId) {
    Bytes data;
    appendBigEndian(data, balance, 4);
    appendBigEndian(data, amount, 4);
    data.push_back(kTypeLoad);
    append(data, terminalId);
    return data;
}

Bytes mac2InputForLoad(std::uint32_t amount, ByteView terminalId, ByteView date, ByteView time) {
    Bytes data;
    appendBigEndian(data, amount, 4);
    data.push_back(kTypeLoad);
    append(data, terminalId);
    append(data, date);
    append(data, time);
    return data;
}

Bytes tacInputForLoad(std::uint32_t newBalance, std::uint16_t onlineAtc, std::uint32_t amount,
                      ByteView terminalId, ByteView date, ByteView time) {
    Bytes data;
    appendBigEndian(data, newBalance, 4);
    appendBigEndian(data, onlineAtc, 2);  // the ATC before the load incremented it
    append(data, mac2InputForLoad(amount, terminalId, date, time));
    return data;
}

Bytes mac1InputForPurchase(std::uint32_t amount, ByteView terminalId, ByteView date,
                           ByteView time) {
    Bytes data;
    appendBigEndian(data, amount, 4);
    data.push_back(kTypePurchase);
    append(data, terminalId);
    append(data, date);
    append(data, time);
    return data;
}

Bytes mac2InputForPurchase(std::uint32_t amount) {
    Bytes data;
    appendBigEndian(data, amount, 4);
    return data;
}

Bytes tacInputForPurchase(std::uint32_t amount, ByteView terminalId, ByteView terminalSequence,
                          ByteView date, ByteView time) {
    Bytes data;
    appendBigEndian(data, amount, 4);
    data.push_back(kTypePurchase);
    append(data, terminalId);
    append(data, terminalSequence);
    append(data, date);
    append(data, time);
    return data;
}

}  // namespace taplink::cards::epurse
