#include "taplink/cards/epurse/epurse_protocol.hpp"

#include <cstdio>

#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"

namespace taplink::cards::epurse {

namespace {

// A card's answer that does not fit its layout is a format error, never a read past the end.
using Reader = ByteReader<EpurseFormatError>;

apdu::CommandApdu purseCommand(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, Bytes data,
                               std::size_t le) {
    return apdu::CommandApdu{kCla, ins, p1, p2, std::move(data), le};
}

}  // namespace

Bytes applicationId() {
    return {0xA0, 0x00, 0x00, 0x00, 0x03, 0x86, 0x98, 0x07, 0x01};
}

std::string formatYuan(std::uint32_t fen) {
    char text[32];
    std::snprintf(text, sizeof text, "\u00A5%u.%02u", fen / 100U, fen % 100U);
    return text;
}

// --- EF 0x15 (JT/T 978 public information, as docs/cards.md lays it out)

Bytes PublicInfo::encode() const {
    Bytes out = ByteWriter()
                    .bytes(issuerId)
                    .u8(applicationType)
                    .u8(version)
                    .bytes(serial)
                    .bytes(startDate)
                    .bytes(expiryDate)
                    .bytes(reserved)
                    .take();
    if (out.size() != kPublicInfoSize) {
        throw std::invalid_argument("public information fields of the wrong size");
    }
    return out;
}

PublicInfo PublicInfo::parse(ByteView bytes) {
    auto in = Reader::exactly(bytes, kPublicInfoSize, "EF 0x15");
    PublicInfo info;
    info.issuerId = in.take(8, "issuer id");
    info.applicationType = in.u8("application type");
    info.version = in.u8("version");
    info.serial = in.take(kSerialSize, "serial");
    info.startDate = in.take(4, "start date");
    info.expiryDate = in.take(4, "expiry date");
    info.reserved = in.take(2, "reserved");
    return info;
}

// --- INITIALIZE FOR LOAD answer: balance(4) ATC(2) key version(1) algorithm(1) random(4) MAC1(4)

Bytes LoadInitialization::encode() const {
    return ByteWriter()
        .u32(balance)
        .u16(onlineAtc)
        .u8(keyVersion)
        .u8(algorithmId)
        .bytes(random)
        .bytes(mac1)
        .take();
}

LoadInitialization LoadInitialization::parse(ByteView bytes) {
    auto in = Reader::exactly(bytes, 16, "INITIALIZE FOR LOAD answer");
    LoadInitialization init;
    init.balance = in.u32("balance");
    init.onlineAtc = in.u16("online ATC");
    init.keyVersion = in.u8("key version");
    init.algorithmId = in.u8("algorithm id");
    init.random = in.take(4, "random");
    init.mac1 = in.take(4, "MAC1");
    return init;
}

// --- INITIALIZE FOR PURCHASE answer: balance(4) ATC(2) overdraft(3) key version(1)
//     algorithm(1) random(4)

Bytes PurchaseInitialization::encode() const {
    return ByteWriter()
        .u32(balance)
        .u16(offlineAtc)
        .number(overdraftLimit, 3)
        .u8(keyVersion)
        .u8(algorithmId)
        .bytes(random)
        .take();
}

PurchaseInitialization PurchaseInitialization::parse(ByteView bytes) {
    auto in = Reader::exactly(bytes, 15, "INITIALIZE FOR PURCHASE answer");
    PurchaseInitialization init;
    init.balance = in.u32("balance");
    init.offlineAtc = in.u16("offline ATC");
    init.overdraftLimit = static_cast<std::uint32_t>(in.number(3, "overdraft limit"));
    init.keyVersion = in.u8("key version");
    init.algorithmId = in.u8("algorithm id");
    init.random = in.take(4, "random");
    return init;
}

// --- EF 0x18 record: ATC(2) overdraft(3) amount(4) type(1) terminal(6) date(4) time(3)

Bytes LogRecord::encode() const {
    Bytes out = ByteWriter()
                    .u16(atc)
                    .number(overdraftLimit, 3)
                    .u32(amount)
                    .u8(type)
                    .bytes(terminalId)
                    .bytes(date)
                    .bytes(time)
                    .take();
    if (out.size() != kLogRecordSize) {
        throw std::invalid_argument("log record fields of the wrong size");
    }
    return out;
}

LogRecord LogRecord::parse(ByteView bytes) {
    auto in = Reader::exactly(bytes, kLogRecordSize, "EF 0x18 record");
    LogRecord record;
    record.atc = in.u16("ATC");
    record.overdraftLimit = static_cast<std::uint32_t>(in.number(3, "overdraft limit"));
    record.amount = in.u32("amount");
    record.type = in.u8("type");
    record.terminalId = in.take(kTerminalIdSize, "terminal id");
    record.date = in.take(4, "date");
    record.time = in.take(3, "time");
    return record;
}

TransactionProof TransactionProof::parse(ByteView bytes) {
    auto in = Reader::exactly(bytes, 8, "GET TRANSACTION PROVE answer");
    TransactionProof proof;
    proof.mac2 = in.take(4, "MAC2");
    proof.tac = in.take(4, "TAC");
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
    requireSize<std::invalid_argument>(terminalId, kTerminalIdSize, "terminal id");
    Bytes data = ByteWriter().u8(keyIndex).u32(amount).bytes(terminalId).take();
    return purseCommand(kInsInitialize, kP1Load, kP2Purse, std::move(data), 16);
}

apdu::CommandApdu creditForLoad(ByteView date, ByteView time, ByteView mac2) {
    requireSize<std::invalid_argument>(date, 4, "date");
    requireSize<std::invalid_argument>(time, 3, "time");
    requireSize<std::invalid_argument>(mac2, 4, "MAC2");
    Bytes data = ByteWriter().bytes(date).bytes(time).bytes(mac2).take();
    return purseCommand(kInsCreditForLoad, 0x00, 0x00, std::move(data), 4);
}

apdu::CommandApdu initializeForPurchase(std::uint8_t keyIndex, std::uint32_t amount,
                                        ByteView terminalId) {
    requireSize<std::invalid_argument>(terminalId, kTerminalIdSize, "terminal id");
    Bytes data = ByteWriter().u8(keyIndex).u32(amount).bytes(terminalId).take();
    return purseCommand(kInsInitialize, kP1Purchase, kP2Purse, std::move(data), 15);
}

apdu::CommandApdu debitForPurchase(ByteView terminalSequence, ByteView date, ByteView time,
                                   ByteView mac1) {
    requireSize<std::invalid_argument>(terminalSequence, 4, "terminal sequence number");
    requireSize<std::invalid_argument>(date, 4, "date");
    requireSize<std::invalid_argument>(time, 3, "time");
    requireSize<std::invalid_argument>(mac1, 4, "MAC1");
    Bytes data = ByteWriter().bytes(terminalSequence).bytes(date).bytes(time).bytes(mac1).take();
    return purseCommand(kInsDebitForPurchase, 0x01, 0x00, std::move(data), 8);
}

apdu::CommandApdu getTransactionProve(std::uint8_t type, std::uint16_t atc) {
    return purseCommand(kInsGetTransactionProve, 0x00, type, ByteWriter().u16(atc).take(), 8);
}

// --- MAC inputs

Bytes mac1InputForLoad(std::uint32_t balance, std::uint32_t amount, ByteView terminalId) {
    return ByteWriter().u32(balance).u32(amount).u8(kTypeLoad).bytes(terminalId).take();
}

Bytes mac2InputForLoad(std::uint32_t amount, ByteView terminalId, ByteView date, ByteView time) {
    return ByteWriter().u32(amount).u8(kTypeLoad).bytes(terminalId).bytes(date).bytes(time).take();
}

Bytes tacInputForLoad(std::uint32_t newBalance, std::uint16_t onlineAtc, std::uint32_t amount,
                      ByteView terminalId, ByteView date, ByteView time) {
    return ByteWriter()
        .u32(newBalance)
        .u16(onlineAtc)  // the ATC before the load incremented it
        .bytes(mac2InputForLoad(amount, terminalId, date, time))
        .take();
}

Bytes mac1InputForPurchase(std::uint32_t amount, ByteView terminalId, ByteView date,
                           ByteView time) {
    return ByteWriter()
        .u32(amount)
        .u8(kTypePurchase)
        .bytes(terminalId)
        .bytes(date)
        .bytes(time)
        .take();
}

Bytes mac2InputForPurchase(std::uint32_t amount) {
    return ByteWriter().u32(amount).take();
}

Bytes tacInputForPurchase(std::uint32_t amount, ByteView terminalId, ByteView terminalSequence,
                          ByteView date, ByteView time) {
    return ByteWriter()
        .u32(amount)
        .u8(kTypePurchase)
        .bytes(terminalId)
        .bytes(terminalSequence)
        .bytes(date)
        .bytes(time)
        .take();
}

}  // namespace taplink::cards::epurse
