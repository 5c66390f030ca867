// The EMV and PBOC data object tags the kernel and taplink-sim's bank card use, in one place
// (EMV 4.3 Book 3 Annex A1; PBOC electronic cash: JR/T 0025.13).
#pragma once

#include <cstdint>

namespace taplink::emv::tag {

// Templates (Book 1 11.3.4, Book 3 Annex A1 / B1).
inline constexpr std::uint32_t kFci = 0x6F;
inline constexpr std::uint32_t kFciProprietary = 0xA5;
inline constexpr std::uint32_t kFciIssuerDiscretionary = 0xBF0C;
inline constexpr std::uint32_t kDirectoryEntry = 0x61;
inline constexpr std::uint32_t kRecordTemplate = 0x70;
inline constexpr std::uint32_t kResponseFormat2 = 0x77;
inline constexpr std::uint32_t kResponseFormat1 = 0x80;
inline constexpr std::uint32_t kIssuerScriptBeforeFinalGac = 0x71;
inline constexpr std::uint32_t kIssuerScriptAfterFinalGac = 0x72;

// Selection.
inline constexpr std::uint32_t kDfName = 0x84;
inline constexpr std::uint32_t kAid = 0x4F;
inline constexpr std::uint32_t kApplicationLabel = 0x50;
inline constexpr std::uint32_t kPriorityIndicator = 0x87;
inline constexpr std::uint32_t kPdol = 0x9F38;
inline constexpr std::uint32_t kLogEntry = 0x9F4D;

// Processing options, records.
inline constexpr std::uint32_t kCommandTemplate = 0x83;
inline constexpr std::uint32_t kAip = 0x82;
inline constexpr std::uint32_t kAfl = 0x94;
inline constexpr std::uint32_t kPan = 0x5A;
inline constexpr std::uint32_t kPanSequenceNumber = 0x5F34;
inline constexpr std::uint32_t kCdol1 = 0x8C;
inline constexpr std::uint32_t kCdol2 = 0x8D;
inline constexpr std::uint32_t kExpirationDate = 0x5F24;
inline constexpr std::uint32_t kEffectiveDate = 0x5F25;
inline constexpr std::uint32_t kIssuerCountryCode = 0x5F28;
inline constexpr std::uint32_t kApplicationUsageControl = 0x9F07;
inline constexpr std::uint32_t kCardApplicationVersion = 0x9F08;
inline constexpr std::uint32_t kTrack2EquivalentData = 0x57;
inline constexpr std::uint32_t kCardholderName = 0x5F20;
inline constexpr std::uint32_t kLanguagePreference = 0x5F2D;
inline constexpr std::uint32_t kCvmList = 0x8E;
inline constexpr std::uint32_t kIssuerActionCodeDefault = 0x9F0D;
inline constexpr std::uint32_t kIssuerActionCodeDenial = 0x9F0E;
inline constexpr std::uint32_t kIssuerActionCodeOnline = 0x9F0F;

// Terminal data (the terminal data store the caller fills).
inline constexpr std::uint32_t kAmountAuthorised = 0x9F02;
inline constexpr std::uint32_t kAmountOther = 0x9F03;
inline constexpr std::uint32_t kTerminalApplicationVersion = 0x9F09;
inline constexpr std::uint32_t kTerminalCountryCode = 0x9F1A;
inline constexpr std::uint32_t kTvr = 0x95;
inline constexpr std::uint32_t kTsi = 0x9B;
inline constexpr std::uint32_t kTransactionCurrencyCode = 0x5F2A;
inline constexpr std::uint32_t kTransactionDate = 0x9A;
inline constexpr std::uint32_t kTransactionTime = 0x9F21;
inline constexpr std::uint32_t kTransactionType = 0x9C;
inline constexpr std::uint32_t kUnpredictableNumber = 0x9F37;
inline constexpr std::uint32_t kTerminalTransactionQualifiers = 0x9F66;
inline constexpr std::uint32_t kTerminalType = 0x9F35;
inline constexpr std::uint32_t kTransactionSequenceCounter = 0x9F41;
inline constexpr std::uint32_t kMerchantCategoryCode = 0x9F15;
inline constexpr std::uint32_t kMerchantNameAndLocation = 0x9F4E;
inline constexpr std::uint32_t kAuthorisationResponseCode = 0x8A;
inline constexpr std::uint32_t kIssuerAuthenticationData = 0x91;

// GENERATE AC answer (Book 3 6.5.5.4).
inline constexpr std::uint32_t kCryptogramInformationData = 0x9F27;
inline constexpr std::uint32_t kAtc = 0x9F36;
inline constexpr std::uint32_t kApplicationCryptogram = 0x9F26;
inline constexpr std::uint32_t kIssuerApplicationData = 0x9F10;

// Card data read with GET DATA (Book 3 6.5.7, Annex A1).
inline constexpr std::uint32_t kLastOnlineAtc = 0x9F13;
inline constexpr std::uint32_t kPinTryCounter = 0x9F17;
inline constexpr std::uint32_t kLogFormat = 0x9F4F;

// Issuer scripts (Book 3 Annex A1, 10.10).
inline constexpr std::uint32_t kIssuerScriptIdentifier = 0x9F18;
inline constexpr std::uint32_t kIssuerScriptCommand = 0x86;
inline constexpr std::uint32_t kIssuerScriptResults = 0x9F5B;      // EMV's name
inline constexpr std::uint32_t kPbocIssuerScriptResults = 0xDF31;  // PBOC's name, same layout

// PBOC electronic cash, read with GET DATA (JR/T 0025.13).
inline constexpr std::uint32_t kEcBalance = 0x9F79;
inline constexpr std::uint32_t kEcBalanceLimit = 0x9F77;
inline constexpr std::uint32_t kEcSingleTransactionLimit = 0x9F78;
inline constexpr std::uint32_t kEcResetThreshold = 0x9F6D;

}  // namespace taplink::emv::tag
