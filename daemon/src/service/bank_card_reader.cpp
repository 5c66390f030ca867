#include "service/bank_card_reader.hpp"

#include <algorithm>

#include "service/topup_errors.hpp"
#include "taplink/base/masking.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/ec_checks.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/processing.hpp"
#include "taplink/emv/restrictions.hpp"
#include "taplink/emv/transaction_log.hpp"

namespace taplink::service {

namespace {

constexpr std::size_t kKeepFirst = 6;  // the BIN and the last four: PCI DSS 3.4
constexpr std::size_t kKeepLast = 4;

std::vector<Bytes> supportedAids() {
    return {Bytes(emv::kPbocDebitAid.begin(), emv::kPbocDebitAid.end()),
            Bytes(emv::kPbocCreditAid.begin(), emv::kPbocCreditAid.end()),
            Bytes(emv::kPbocQuasiCreditAid.begin(), emv::kPbocQuasiCreditAid.end())};
}

// The terminal data a PDOL may ask for, as the load script sets it (docs/scripts.md): a
// read never asks for a cryptogram, so the amount is zero.
emv::TerminalData terminalData(ByteView txDate) {
    return {{0x9F66, fromHex("10800000")},
            {emv::tag::kAmountAuthorised, emv::encodeAmount(0)},
            {emv::tag::kAmountOther, emv::encodeAmount(0)},
            {emv::tag::kTerminalCountryCode, fromHex("0156")},
            {emv::tag::kTvr, Bytes(5, 0)},
            {emv::tag::kTransactionCurrencyCode, fromHex("0156")},
            {emv::tag::kTransactionDate, Bytes(txDate.begin(), txDate.end())},
            {emv::tag::kTransactionType, fromHex("62")},
            {emv::tag::kUnpredictableNumber, Bytes(4, 0)}};
}

// 5A is cn: BCD digits padded with F (EMV Book 3 Annex A).
std::string panDigits(ByteView pan) {
    std::string digits = toHex(pan);
    digits.erase(std::find(digits.begin(), digits.end(), 'F'), digits.end());
    return digits;
}

std::string maskedPan(ByteView pan) {
    std::string digits = panDigits(pan);
    if (digits.size() <= kKeepFirst + kKeepLast) {
        return std::string(digits.size(), '*');
    }
    std::fill(digits.begin() + kKeepFirst, digits.end() - kKeepLast, '*');
    return digits;
}

const Bytes& required(const emv::CardData& data, std::uint32_t tag, const char* what) {
    const auto found = data.find(tag);
    if (found == data.end() || found->second.empty()) {
        throw emv::MalformedAnswer(std::string("the card's records have no ") + what);
    }
    return found->second;
}

bool isExpired(const emv::CardData& data, ByteView txDate) {
    emv::Tvr tvr;
    const auto version = data.find(emv::tag::kCardApplicationVersion);
    emv::RestrictionsInput input{version == data.end() ? Bytes{0x00, 0x00} : version->second,
                                 Bytes(txDate.begin(), txDate.end()), fromHex("0156"),
                                 emv::ServiceKind::Other, false};
    emv::checkProcessingRestrictions(data, input, tvr);
    try {
        emv::refuseUnusableForLoad(tvr);
        return false;
    } catch (const emv::EmvError&) {
        return true;
    }
}

emv::SelectedApplication select(apdu::ApduChannel& card, emv::ApplicationChooser& chooser) {
    try {
        return emv::selectApplication(card, supportedAids(), chooser);
    } catch (const emv::EmvError& error) {
        if (error.code() == emv::EmvErrorCode::Cancelled) {
            throw ServiceError(api::ErrorCode::UserDenied, "no application was chosen");
        }
        if (error.code() != emv::EmvErrorCode::NoApplication) {
            throw;
        }
        if (error.statusWord()) {  // the PPSE itself is missing
            throw ServiceError(api::ErrorCode::WrongScheme,
                               "the card presented is not a bank card");
        }
        throw ServiceError(api::ErrorCode::NoApplication,
                           "the bank card has no application the daemon supports");
    }
}

}  // namespace

std::string panForDisplay(const std::string& panMasked) {
    return maskSerial(panMasked);
}

std::string expiryForDisplay(ByteView expiry) {
    const std::string digits = toHex(expiry);
    if (digits.size() != 6) {
        return "";
    }
    return "20" + digits.substr(0, 2) + "-" + digits.substr(2, 2) + "-" + digits.substr(4, 2);
}

std::optional<std::size_t> FirstApplication::choose(const std::vector<emv::Candidate>& candidates) {
    return candidates.empty() ? std::nullopt : std::optional<std::size_t>(0);
}

namespace {
// SELECT, GET PROCESSING OPTIONS and READ RECORD (EMV Book 3 10.1-10.2).
emv::CardData readRecords(apdu::ApduChannel& card, const emv::SelectedApplication& selected,
                          ByteView txDate) {
    const Bytes pdolData =
        emv::buildDolData(emv::parseDol(selected.fci.pdol), terminalData(txDate));
    const emv::ProcessingOptions options = emv::getProcessingOptions(card, pdolData);
    return emv::readApplicationData(card, options.afl);
}
}  // namespace

std::string readPlainPan(apdu::ApduChannel& card, emv::ApplicationChooser& chooser,
                         ByteView txDate) {
    const emv::CardData data = readRecords(card, select(card, chooser), txDate);
    return panDigits(required(data, emv::tag::kPan, "PAN (5A)"));
}

BankCard readBankCard(apdu::ApduChannel& card, emv::ApplicationChooser& chooser, ByteView txDate) {
    const emv::SelectedApplication selected = select(card, chooser);
    const emv::CardData data = readRecords(card, selected, txDate);
    const emv::EcState ec = emv::readEcState(card);
    BankCard bank;
    bank.aid = selected.candidate.aid;
    bank.application =
        selected.candidate.label.empty() ? toHex(bank.aid) : selected.candidate.label;
    bank.panMasked = maskedPan(required(data, emv::tag::kPan, "PAN (5A)"));
    const auto psn = data.find(emv::tag::kPanSequenceNumber);
    bank.psn = psn == data.end() || psn->second.empty() ? 0 : psn->second.front();
    bank.expiry = required(data, emv::tag::kExpirationDate, "expiration date (5F24)");
    bank.expired = isExpired(data, txDate);
    bank.ecBalance = ec.balance;
    bank.ecBalanceLimit = ec.balanceLimit;
    bank.pinTryCounter = emv::readPinTryCounter(card);
    return bank;
}

std::vector<emv::TerminalData> readBankCardLog(apdu::ApduChannel& card,
                                               emv::ApplicationChooser& chooser) {
    const emv::SelectedApplication selected = select(card, chooser);
    if (selected.fci.logEntry.empty()) {
        return {};  // the card keeps no log (Book 3 Annex D: 9F4D is optional)
    }
    return emv::readTransactionLog(card, selected.fci.logEntry);
}

}  // namespace taplink::service
