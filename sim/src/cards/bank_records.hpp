// What a simulated bank card's files hold: the PPSE directory, the application FCI and the
// records the AFL names. Private to cards/bank_card.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "taplink/base/bytes.hpp"

namespace taplink::sim::bank {

struct Application {
    Bytes aid;
    std::string label;          // 50, "PBOC DEBIT" / "PBOC CREDIT" as UnionPay cards name them
    std::uint8_t priority = 1;  // 87: 1 is the highest
    Bytes pdol;                 // 9F38; empty: none
};

struct CardData {
    std::string pan;     // digits
    std::string expiry;  // YYMMDD
    std::uint8_t psn = 0x01;
};

// SFI 1 records 1-2 (AFL 08 01 02 00), log in SFI 11 with 10 records (9F4D 0B 0A).
inline constexpr std::uint8_t kRecordSfi = 0x01;
inline constexpr std::uint8_t kLogSfi = 0x0B;
inline constexpr std::size_t kLogRecords = 10;

Bytes qpbocPdol();
Bytes cdol1();
Bytes cdol2();
Bytes logFormat();
Bytes applicationInterchangeProfile();
Bytes applicationFileLocator();

// 6F { 84 "2PAY.SYS.DDF01", A5 { BF0C { 61 { 4F AID, 50 label, 87 priority } ... } } }
// (EMV Contactless Book B 3.3.1).
Bytes ppseFci(const std::vector<Application>& applications);
// 6F { 84 AID, A5 { 50, 87, 9F38 PDOL, 5F2D "zh", BF0C { 9F4D log entry } } }
// (EMV Book 1 11.3.4, table 45).
Bytes applicationFci(const Application& application);
// The records, template 70 (EMV Book 3 6.5.11.4; data objects in annex A): record 1 track 2
// and the cardholder name, record 2 the PAN, dates and risk management data.
std::vector<Bytes> applicationRecords(const CardData& card);

// Luhn check digit of the digits before it (ISO/IEC 7812-1 annex B).
char luhnCheckDigit(std::string_view digits);

}  // namespace taplink::sim::bank
