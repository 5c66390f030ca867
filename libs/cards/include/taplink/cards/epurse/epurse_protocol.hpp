// The PBOC e-purse application of city cards (JR/T 0025 e-purse, JT/T 978 / CJ/T 166):
// every byte layout of its commands, answers and files, in one place. Amounts are in fen
// (1/100 yuan), big-endian. Used by the daemon's driver and by taplink-sim's card.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::cards::epurse {

// Application identifier (JT/T 978 "MOT" transit application) and the file id of the same
// application under the MF on older CJ/T 166 cards.
Bytes applicationId();  // A0 00 00 00 03 86 98 07 01
inline constexpr std::uint16_t kApplicationFid = 0x1001;

inline constexpr std::uint8_t kCla = 0x80;
inline constexpr std::uint8_t kInsInitialize = 0x50;  // P1 00 load, 01 purchase
inline constexpr std::uint8_t kInsCreditForLoad = 0x52;
inline constexpr std::uint8_t kInsDebitForPurchase = 0x54;
inline constexpr std::uint8_t kInsGetTransactionProve = 0x5A;
inline constexpr std::uint8_t kInsGetBalance = 0x5C;
inline constexpr std::uint8_t kInsVerify = 0x20;  // interindustry, CLA 00
inline constexpr std::uint8_t kP1Load = 0x00;
inline constexpr std::uint8_t kP1Purchase = 0x01;
inline constexpr std::uint8_t kP2Purse = 0x02;  // EP (electronic purse); 01 would be ED

// Transaction type identifiers (MAC and TAC input, log records, GET TRANSACTION PROVE P2).
inline constexpr std::uint8_t kTypeLoad = 0x02;      // EP load
inline constexpr std::uint8_t kTypePurchase = 0x06;  // EP purchase

// Files of the application.
inline constexpr std::uint8_t kSfiPublicInfo = 0x15;
inline constexpr std::uint8_t kSfiTransactionLog = 0x18;
inline constexpr std::size_t kPublicInfoSize = 30;
inline constexpr std::size_t kLogRecordSize = 23;
inline constexpr std::size_t kLogRecords = 10;  // cyclic, newest is record 1

inline constexpr std::size_t kTerminalIdSize = 6;
inline constexpr std::size_t kSerialSize = 10;

// Status words of the e-purse commands.
namespace sw {
inline constexpr std::uint16_t kMacInvalid = 0x9302;
inline constexpr std::uint16_t kInsufficientFunds = 0x9401;
inline constexpr std::uint16_t kKeyIndexUnsupported = 0x9403;
inline constexpr std::uint16_t kProofUnavailable = 0x9406;  // no such transaction to prove
}  // namespace sw

// A malformed answer from an e-purse (wrong length, impossible values).
class EpurseFormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// EF 0x15, public information (30 bytes).
struct PublicInfo {
    Bytes issuerId;                  // 8
    std::uint8_t applicationType{};  // 1
    std::uint8_t version{};          // 1
    Bytes serial;                    // 10: the application serial number
    Bytes startDate;                 // 4, BCD YYYYMMDD
    Bytes expiryDate;                // 4, BCD YYYYMMDD
    Bytes reserved;                  // 2

    Bytes encode() const;
    static PublicInfo parse(ByteView bytes);
};

// INITIALIZE FOR LOAD answer (16 bytes).
struct LoadInitialization {
    std::uint32_t balance{};
    std::uint16_t onlineAtc{};
    std::uint8_t keyVersion{};
    std::uint8_t algorithmId{};
    Bytes random;  // 4
    Bytes mac1;    // 4

    Bytes encode() const;
    static LoadInitialization parse(ByteView bytes);
};

// INITIALIZE FOR PURCHASE answer (15 bytes).
struct PurchaseInitialization {
    std::uint32_t balance{};
    std::uint16_t offlineAtc{};
    std::uint32_t overdraftLimit{};  // 3 bytes
    std::uint8_t keyVersion{};
    std::uint8_t algorithmId{};
    Bytes random;  // 4

    Bytes encode() const;
    static PurchaseInitialization parse(ByteView bytes);
};

// A record of EF 0x18 (23 bytes).
struct LogRecord {
    std::uint16_t atc{};
    std::uint32_t overdraftLimit{};  // 3 bytes
    std::uint32_t amount{};
    std::uint8_t type{};
    Bytes terminalId;  // 6
    Bytes date;        // 4, BCD YYYYMMDD
    Bytes time;        // 3, BCD hhmmss

    Bytes encode() const;
    static LogRecord parse(ByteView bytes);
};

// GET TRANSACTION PROVE answer: MAC2 and TAC of the transaction asked about (8 bytes).
struct TransactionProof {
    Bytes mac2;  // 4
    Bytes tac;   // 4

    static TransactionProof parse(ByteView bytes);
};

// Commands.
apdu::CommandApdu selectByAid();
apdu::CommandApdu selectByFid();  // 3F00/1001 cards: 00 A4 00 00 02 10 01
apdu::CommandApdu readPublicInfo();
apdu::CommandApdu readLogRecord(std::uint8_t number);
apdu::CommandApdu getBalance();
apdu::CommandApdu verifyPin(ByteView pin);
apdu::CommandApdu initializeForLoad(std::uint8_t keyIndex, std::uint32_t amount,
                                    ByteView terminalId);
apdu::CommandApdu creditForLoad(ByteView date, ByteView time, ByteView mac2);
apdu::CommandApdu initializeForPurchase(std::uint8_t keyIndex, std::uint32_t amount,
                                        ByteView terminalId);
apdu::CommandApdu debitForPurchase(ByteView terminalSequence, ByteView date, ByteView time,
                                   ByteView mac1);
apdu::CommandApdu getTransactionProve(std::uint8_t type, std::uint16_t atc);

// MAC and TAC inputs (the data the formulas in crypto/epurse_keys.hpp are applied to).
Bytes mac1InputForLoad(std::uint32_t balance, std::uint32_t amount, ByteView terminalId);
Bytes mac2InputForLoad(std::uint32_t amount, ByteView terminalId, ByteView date, ByteView time);
Bytes tacInputForLoad(std::uint32_t newBalance, std::uint16_t onlineAtc, std::uint32_t amount,
                      ByteView terminalId, ByteView date, ByteView time);
Bytes mac1InputForPurchase(std::uint32_t amount, ByteView terminalId, ByteView date, ByteView time);
Bytes mac2InputForPurchase(std::uint32_t amount);
Bytes tacInputForPurchase(std::uint32_t amount, ByteView terminalId, ByteView terminalSequence,
                          ByteView date, ByteView time);

// "¥12.34" for 1234 fen.
std::string formatYuan(std::uint32_t fen);

}  // namespace taplink::cards::epurse
