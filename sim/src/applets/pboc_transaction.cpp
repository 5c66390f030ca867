// The online half of the PBOC application: the GENERATE ACs, issuer authentication and the
// issuer script.
#include <algorithm>
#include <string_view>

#include "applets/pboc_applet.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/constant_time.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::sim {

namespace isw = apdu::sw;
namespace psw = pboc::sw;
namespace keys = crypto::emv;
namespace tag = emv::tag;
using pboc::AcType;

namespace {

constexpr std::size_t kArpcSize = 8;
constexpr std::size_t kArcSize = 2;
constexpr std::size_t kScriptMacSize = 4;
constexpr std::string_view kApprovedArc = "00";  // 8A, EMV Book 4 A6

ResponseApdu status(std::uint16_t word) {
    return ResponseApdu{{}, word};
}

// A value the terminal gave in DOL data; empty when the list does not ask for the tag.
Bytes valueIn(const emv::TerminalData& values, std::uint32_t wanted) {
    const auto found = values.find(wanted);
    return found == values.end() ? Bytes{} : found->second;
}

// GENERATE AC P1 (EMV Book 3 6.5.5.2): bits 8-7 the AC type, bit 5 CDA, the rest RFU.
std::optional<AcType> askedAc(std::uint8_t p1) {
    switch (p1) {
        case static_cast<std::uint8_t>(AcType::Aac):
            return AcType::Aac;
        case static_cast<std::uint8_t>(AcType::Tc):
            return AcType::Tc;
        case static_cast<std::uint8_t>(AcType::Arqc):
            return AcType::Arqc;
        default:
            return std::nullopt;  // RFU type, CDA (this card has none) or RFU bits
    }
}

}  // namespace

// 80 AE P1 00 Lc <CDOL data> 00 -> 77 { 9F27, 9F36, 9F26, 9F10 } (EMV Book 3 6.5.5)
ResponseApdu PbocApplet::generateAc(const CommandApdu& command) {
    const std::optional<AcType> asked = askedAc(command.p1);
    if (!asked || command.p2 != 0x00) {
        return status(isw::kIncorrectP1P2);
    }
    if (!transaction_.processing || transaction_.secondAcDone ||
        (transaction_.firstAcDone && transaction_.arqc.empty())) {
        return status(isw::kConditionsNotSatisfied);
    }
    const bool first = !transaction_.firstAcDone;
    if (!emv::dolDataFits(emv::parseDol(first ? config_.cdol1 : config_.cdol2), command.data)) {
        return status(isw::kWrongLength);
    }
    if (first) {
        return firstGenerateAc(*asked, command.data);
    }
    if (*asked == AcType::Arqc) {
        return status(isw::kIncorrectP1P2);  // the second asks for TC or AAC only
    }
    return secondGenerateAc(*asked, command.data);
}

// The first GENERATE AC takes a new ATC; the ARQC it may give is what the issuer answers.
ResponseApdu PbocApplet::firstGenerateAc(AcType asked, const Bytes& cdolData) {
    if (state_.atc == 0xFFFF) {
        return status(isw::kConditionsNotSatisfied);  // the counter is used up
    }
    const pboc::CardVerificationResults cvr = firstAcResults(asked);
    const auto atc = static_cast<std::uint16_t>(state_.atc + 1U);
    const Bytes ac = cryptogram(cdolData, atc, cvr);
    saveAtc(atc);
    transaction_.firstAcDone = true;
    transaction_.atc = atc;
    transaction_.cdol1Data = cdolData;
    transaction_.cvr = cvr;
    transaction_.arqc = cvr.firstAc == AcType::Arqc ? ac : Bytes{};
    return acAnswer(cvr.firstAc, ac);
}

// Card risk management: this card never approves offline and never answers above the
// terminal's request (EMV Book 3 6.5.5.4 orders AAC < ARQC < TC): ARQC for an ARQC or TC,
// AAC when asked for one, when the PIN is blocked, or when the last online transaction's
// issuer authentication failed.
pboc::CardVerificationResults PbocApplet::firstAcResults(AcType asked) const {
    const bool decline =
        asked == AcType::Aac || state_.pinTriesLeft <= 0 || state_.issuerAuthenticationFailed;
    pboc::CardVerificationResults cvr = transaction_.cvr;
    cvr.firstAc = decline ? AcType::Aac : AcType::Arqc;
    cvr.pinTryLimitExceeded = state_.pinTriesLeft <= 0;
    cvr.issuerAuthenticationFailedLastOnline = state_.issuerAuthenticationFailed;
    return cvr;
}

// The counter moves, and is saved, before the card answers: a card pulled mid-answer never
// gives two cryptograms with one ATC.
void PbocApplet::saveAtc(std::uint16_t atc) {
    PbocState next = state_;
    next.atc = atc;
    commit(std::move(next));
}

// CDOL2 data starts with 91 (ARPC || ARC) and 8A. TC only for a TC request, an issuer
// authenticated here or by EXTERNAL AUTHENTICATE, and ARC "00"; AAC otherwise.
ResponseApdu PbocApplet::secondGenerateAc(AcType asked, const Bytes& cdolData) {
    const emv::TerminalData values = emv::readDolData(emv::parseDol(config_.cdol2), cdolData);
    PbocState next = state_;
    IssuerAuthentication outcome = transaction_.issuerAuthentication;
    if (outcome == IssuerAuthentication::NotDone) {
        outcome = checkIssuer(valueIn(values, tag::kIssuerAuthenticationData), next);
    }
    const Bytes arc = valueIn(values, tag::kAuthorisationResponseCode);
    const bool approve = asked == AcType::Tc && outcome == IssuerAuthentication::Succeeded &&
                         arc == Bytes(kApprovedArc.begin(), kApprovedArc.end());
    pboc::CardVerificationResults cvr = transaction_.cvr;
    cvr.secondAc = approve ? AcType::Tc : AcType::Aac;
    cvr.issuerAuthenticationFailed = outcome == IssuerAuthentication::Failed;
    const Bytes ac = cryptogram(cdolData, transaction_.atc, cvr);
    commit(std::move(next));
    transaction_.secondAcDone = true;
    transaction_.issuerAuthentication = outcome;
    transaction_.cvr = cvr;
    return acAnswer(*cvr.secondAc, ac);
}

// 77 { 9F27, 9F36, 9F26, 9F10 } for this transaction's ATC and CVR (EMV Book 3 6.5.5.4).
ResponseApdu PbocApplet::acAnswer(AcType type, ByteView ac) const {
    return ResponseApdu{
        pboc::generateAcAnswer(type, transaction_.atc, ac,
                               pboc::issuerApplicationData(config_.suite, transaction_.cvr)),
        isw::kOk};
}

// 00 82 00 00 0A <ARPC || ARC> (EMV Book 3 6.5.4): 9000 or 6300; once, between the ARQC
// and the second GENERATE AC.
ResponseApdu PbocApplet::externalAuthenticate(const CommandApdu& command) {
    if (command.p1 != 0x00 || command.p2 != 0x00) {
        return status(isw::kIncorrectP1P2);
    }
    if (transaction_.arqc.empty() || transaction_.secondAcDone ||
        transaction_.issuerAuthentication != IssuerAuthentication::NotDone) {
        return status(isw::kConditionsNotSatisfied);
    }
    if (command.data.size() != kArpcSize + kArcSize) {
        return status(isw::kWrongLength);
    }
    PbocState next = state_;
    const IssuerAuthentication outcome = checkIssuer(command.data, next);
    commit(std::move(next));
    transaction_.issuerAuthentication = outcome;
    transaction_.cvr.issuerAuthenticationFailed = outcome == IssuerAuthentication::Failed;
    return status(outcome == IssuerAuthentication::Succeeded ? isw::kOk : psw::kVerificationFailed);
}

// Issuer authentication data 91 = ARPC (8) || ARC (2), ARPC method 1 (EMV Book 2 8.2.1).
PbocApplet::IssuerAuthentication PbocApplet::checkIssuer(ByteView issuerData,
                                                         PbocState& next) const {
    bool good = false;
    if (issuerData.size() == kArpcSize + kArcSize) {
        const Bytes sessionKey =
            keys::sessionKey(config_.suite, config_.acMasterKey, transaction_.atc);
        good = crypto::constantTimeEqual(
            issuerData.first(kArpcSize),
            keys::arpcMethod1(config_.suite, sessionKey, transaction_.arqc,
                              issuerData.subspan(kArpcSize)));
    }
    next.issuerAuthenticationFailed = !good;
    if (good) {
        next.lastOnlineAtc = transaction_.atc;
    }
    return good ? IssuerAuthentication::Succeeded : IssuerAuthentication::Failed;
}

// 04 DA 9F 79 0A <balance, 6 BCD> <MAC, 4> (EMV Book 3 6.5.x PUT DATA, Book 2 9.2.1 secure
// messaging for integrity): the issuer script that loads electronic cash. Only in the
// transaction of the ARQC, after the issuer authenticated; anything refused changes nothing.
ResponseApdu PbocApplet::putData(const CommandApdu& command, DedicatedFile& df) {
    if (static_cast<std::uint32_t>((command.p1 << 8U) | command.p2) != tag::kEcBalance) {
        return status(psw::kDataNotFound);  // only the EC balance is written by script
    }
    if (transaction_.arqc.empty() || transaction_.scriptDone ||
        transaction_.issuerAuthentication != IssuerAuthentication::Succeeded) {
        return status(isw::kConditionsNotSatisfied);
    }
    if (command.data.size() != emv::kAmountSize + kScriptMacSize) {
        return status(isw::kWrongLength);
    }
    if (!scriptMacValid(command)) {
        return status(psw::kSmDataIncorrect);
    }
    const std::optional<std::uint64_t> fen =
        emv::numericValue(ByteView(command.data).first(emv::kAmountSize));
    if (!fen || *fen > state_.ecBalanceLimit) {
        return status(isw::kWrongData);  // not BCD, or over the EC balance limit 9F77
    }
    setEcBalance(*fen, df);
    return status(isw::kOk);
}

// MAC over CLA INS P1 P2 Lc || ATC || ARQC || new balance under the MAC session key of this
// transaction's ATC (EMV Book 2 9.2.1, emv_keys.hpp).
bool PbocApplet::scriptMacValid(const CommandApdu& command) const {
    const ByteView data(command.data);
    const Bytes header{command.cla, command.ins, command.p1, command.p2,
                       static_cast<std::uint8_t>(data.size())};
    const Bytes sessionKey =
        keys::sessionKey(config_.suite, config_.scriptMasterKey, transaction_.atc);
    const Bytes mac =
        keys::scriptMac(config_.suite, sessionKey,
                        keys::scriptMacInput(header, transaction_.atc, transaction_.arqc,
                                             data.first(emv::kAmountSize)));
    return crypto::constantTimeEqual(mac, data.subspan(emv::kAmountSize));
}

// A new balance above the old one is a load: it goes in the log (cyclic, newest first).
void PbocApplet::setEcBalance(std::uint64_t fen, DedicatedFile& df) {
    PbocState next = state_;
    next.ecBalance = fen;
    if (fen > state_.ecBalance) {
        next.log.insert(next.log.begin(), loadLogRecord(fen - state_.ecBalance));
        next.log.resize(std::min(next.log.size(), config_.logRecords));
    }
    commit(std::move(next));
    transaction_.scriptDone = true;
    publishLog(df);
}

Bytes PbocApplet::cryptogram(ByteView cdolData, std::uint16_t atc,
                             const pboc::CardVerificationResults& cvr) const {
    const Bytes input =
        ByteWriter().bytes(cdolData).bytes(config_.aip).u16(atc).bytes(cvr.encode()).take();
    return keys::applicationCryptogram(
        config_.suite, keys::sessionKey(config_.suite, config_.acMasterKey, atc), input);
}

// A log record laid out by 9F4F (EMV Book 3 annex D4, JR/T 0025.5): the amount loaded, the
// ATC, and what else the terminal gave in CDOL1 (zeros for what it did not).
Bytes PbocApplet::loadLogRecord(std::uint64_t loaded) const {
    emv::TerminalData values =
        emv::readDolData(emv::parseDol(config_.cdol1), transaction_.cdol1Data);
    values[tag::kAmountAuthorised] = emv::encodeAmount(loaded);
    values[tag::kAtc] = ByteWriter().u16(transaction_.atc).take();
    return emv::buildDolData(emv::parseDol(config_.logFormat), values);
}

void PbocApplet::publishLog(DedicatedFile& df) const {
    if (ElementaryFile* log = df.efBySfi(config_.logSfi)) {
        log->records = state_.log;
    }
}

}  // namespace taplink::sim
