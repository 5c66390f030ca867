#include "cards/bank_records.hpp"

#include <iterator>
#include <utility>

#include "taplink/apdu/tlv.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::sim::bank {

namespace {

using tlv::Tlv;
namespace tag = emv::tag;

Bytes asciiBytes(std::string_view text) {
    return {text.begin(), text.end()};
}

// Digits as BCD, padded with F to whole bytes (cn, EMV Book 3 4.3: the PAN 5A). Each digit
// is its own hex digit.
Bytes compressedNumeric(std::string digits) {
    if (digits.size() % 2 != 0) {
        digits.push_back('F');
    }
    return fromHex(digits);
}

// Track 2 equivalent data 57 (EMV Book 3 annex A; ISO/IEC 7813): PAN, separator D, expiry
// YYMM, service code 220 (international chip card, online authorisation by the issuer,
// PIN required), discretionary data, F padding. The separator is the hex digit D.
Bytes track2(const CardData& card) {
    return compressedNumeric(card.pan + "D" + card.expiry.substr(0, 4) + "220" + "0000000000");
}

Tlv directoryEntry(const Application& application) {
    return Tlv::constructedOf(
        tag::kDirectoryEntry,
        {Tlv::primitive(tag::kAid, application.aid),
         Tlv::primitive(tag::kApplicationLabel, asciiBytes(application.label)),
         Tlv::primitive(tag::kPriorityIndicator, Bytes{application.priority})});
}

// Record 1: track 2 equivalent and cardholder name.
Bytes cardholderRecord(const CardData& card) {
    return Tlv::constructedOf(
               tag::kRecordTemplate,
               {Tlv::primitive(tag::kTrack2EquivalentData, track2(card)),
                Tlv::primitive(tag::kCardholderName, asciiBytes("TAPLINK/TEST CARD"))})
        .encode();
}

// PAN, dates, PSN, usage control FF00 (every domestic and international use), application
// version 0030 (PBOC 3.0).
std::vector<Tlv> applicationIdentity(const CardData& card) {
    return {Tlv::primitive(tag::kPan, compressedNumeric(card.pan)),
            Tlv::primitive(tag::kExpirationDate, compressedNumeric(card.expiry)),
            Tlv::primitive(tag::kEffectiveDate, fromHex("260101")),
            Tlv::primitive(tag::kPanSequenceNumber, Bytes{card.psn}),
            Tlv::primitive(tag::kApplicationUsageControl, fromHex("FF00")),
            Tlv::primitive(tag::kCardApplicationVersion, fromHex("0030"))};
}

// The DOLs, the CVM list, issuer action codes, issuer country 0156 (China).
std::vector<Tlv> riskManagementData() {
    return {Tlv::primitive(tag::kCdol1, cdol1()), Tlv::primitive(tag::kCdol2, cdol2()),
            // CVM list (EMV Book 3 C3): X = Y = 0; online PIN if supported, else plaintext
            // offline PIN, else signature, else no CVM (each "apply next if unsuccessful").
            Tlv::primitive(tag::kCvmList, fromHex("0000000000000000420341031E031F00")),
            // Issuer action codes default, denial, online (EMV Book 3 10.7).
            Tlv::primitive(tag::kIssuerActionCodeDefault, fromHex("D860042800")),
            Tlv::primitive(tag::kIssuerActionCodeDenial, fromHex("0010980000")),
            Tlv::primitive(tag::kIssuerActionCodeOnline, fromHex("D868049800")),
            Tlv::primitive(tag::kIssuerCountryCode, fromHex("0156"))};
}

// Record 2: the application's identity, then its risk management data.
Bytes applicationDataRecord(const CardData& card) {
    std::vector<Tlv> objects = applicationIdentity(card);
    std::vector<Tlv> risk = riskManagementData();
    objects.insert(objects.end(), std::make_move_iterator(risk.begin()),
                   std::make_move_iterator(risk.end()));
    return Tlv::constructedOf(tag::kRecordTemplate, std::move(objects)).encode();
}

}  // namespace

// 9F66 04 9F02 06 9F03 06 9F1A 02 95 05 5F2A 02 9A 03 9C 01 9F37 04: the terminal data a
// qPBOC card asks for (JR/T 0025.12).
Bytes qpbocPdol() {
    return fromHex("9F66049F02069F03069F1A0295055F2A029A039C019F3704");
}

// CDOL1 (EMV Book 2 8.1.1's recommended minimum): amount, other amount, country, TVR,
// currency, date, type, unpredictable number.
Bytes cdol1() {
    return fromHex("9F02069F03069F1A0295055F2A029A039C019F3704");
}

// CDOL2: issuer authentication data (ARPC || ARC), the ARC, then CDOL1's objects.
Bytes cdol2() {
    return fromHex("910A8A029F02069F03069F1A0295055F2A029A039C019F3704");
}

// Log format 9F4F (EMV Book 3 annex D4; the layout PBOC cards commonly give): date, time,
// amount, other amount, country, currency, merchant name, type, ATC.
Bytes logFormat() {
    return fromHex("9A039F21039F02069F03069F1A025F2A029F4E149C019F3602");
}

// AIP (EMV Book 3 C1): byte 1 = cardholder verification supported (bit 5), terminal risk
// management to be performed (bit 4), issuer authentication supported (bit 3); no offline
// data authentication.
Bytes applicationInterchangeProfile() {
    return fromHex("1C00");
}

// AFL (EMV Book 3 10.2): SFI 1 (08 = 1 << 3), records 1 to 2, none for offline data
// authentication.
Bytes applicationFileLocator() {
    return Bytes{static_cast<std::uint8_t>(kRecordSfi << 3U), 0x01, 0x02, 0x00};
}

Bytes ppseFci(const std::vector<Application>& applications) {
    std::vector<Tlv> entries;
    entries.reserve(applications.size());
    for (const Application& application : applications) {
        entries.push_back(directoryEntry(application));
    }
    return Tlv::constructedOf(tag::kFci,
                              {Tlv::primitive(tag::kDfName, asciiBytes("2PAY.SYS.DDF01")),
                               Tlv::constructedOf(tag::kFciProprietary,
                                                  {Tlv::constructedOf(tag::kFciIssuerDiscretionary,
                                                                      std::move(entries))})})
        .encode();
}

Bytes applicationFci(const Application& application) {
    std::vector<Tlv> proprietary{
        Tlv::primitive(tag::kApplicationLabel, asciiBytes(application.label)),
        Tlv::primitive(tag::kPriorityIndicator, Bytes{application.priority})};
    if (!application.pdol.empty()) {
        proprietary.push_back(Tlv::primitive(tag::kPdol, application.pdol));
    }
    proprietary.push_back(Tlv::primitive(tag::kLanguagePreference, asciiBytes("zh")));
    const Bytes logEntry{kLogSfi, static_cast<std::uint8_t>(kLogRecords)};  // 9F4D: SFI, count
    proprietary.push_back(Tlv::constructedOf(tag::kFciIssuerDiscretionary,
                                             {Tlv::primitive(tag::kLogEntry, logEntry)}));
    return Tlv::constructedOf(tag::kFci,
                              {Tlv::primitive(tag::kDfName, application.aid),
                               Tlv::constructedOf(tag::kFciProprietary, std::move(proprietary))})
        .encode();
}

std::vector<Bytes> applicationRecords(const CardData& card) {
    return {cardholderRecord(card), applicationDataRecord(card)};
}

char luhnCheckDigit(std::string_view digits) {
    unsigned sum = 0;
    bool doubled = true;  // the rightmost digit before the check digit is doubled
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        unsigned value = static_cast<unsigned>(*it - '0');
        if (doubled) {
            value = value * 2 > 9 ? value * 2 - 9 : value * 2;
        }
        sum += value;
        doubled = !doubled;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

}  // namespace taplink::sim::bank
