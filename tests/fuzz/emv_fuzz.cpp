// libs/emv, the kernel's reading of a bank card's answers: the strict templates, DOLs, AFLs,
// numeric fields, the answers to SELECT, GET PROCESSING OPTIONS, GENERATE AC and GET DATA,
// the log entry and the issuer's data. The input is tried as one answer to each parser, and
// as a card's successive answers (ScriptedCard) to a whole electronic-cash read, as the
// daemon's bank-card steps run it.
#include <numeric>
#include <optional>
#include <vector>

#include "fuzz_support.hpp"
#include "scripted_card.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/ec_checks.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"
#include "taplink/emv/generate_ac.hpp"
#include "taplink/emv/online.hpp"
#include "taplink/emv/processing.hpp"
#include "taplink/emv/restrictions.hpp"
#include "taplink/emv/selection.hpp"
#include "taplink/emv/transaction_log.hpp"

namespace taplink::emv {
namespace {

using fuzz::require;

std::vector<Bytes> pbocAids() {
    return {{kPbocDebitAid.begin(), kPbocDebitAid.end()},
            {kPbocCreditAid.begin(), kPbocCreditAid.end()}};
}

// What a terminal fills in before it builds a PDOL's or CDOL's data (EMV Book 3 5.4).
TerminalData terminalData() {
    return {{tag::kAmountAuthorised, encodeAmount(1000)},
            {tag::kAmountOther, encodeAmount(0)},
            {tag::kTerminalCountryCode, {0x01, 0x56}},
            {tag::kTransactionCurrencyCode, {0x01, 0x56}},
            {tag::kTransactionDate, {0x26, 0x11, 0x21}},
            {tag::kTransactionType, {0x60}},
            {tag::kUnpredictableNumber, {0x12, 0x34, 0x56, 0x78}},
            {tag::kTerminalTransactionQualifiers, {0x46, 0x00, 0x00, 0x80}},
            {tag::kTvr, Bytes(5, 0x00)}};
}

// Runs one parser; its refusal is an EmvError, anything else is a finding.
template <class Parse>
void refusedOrChecked(Parse parse) {
    try {
        parse();
    } catch (const EmvError&) {
    }
}

std::optional<std::vector<DolEntry>> dolOf(ByteView bytes) {
    try {
        return parseDol(bytes);
    } catch (const EmvError&) {
        return std::nullopt;
    }
}

// A DOL's data is exactly as long as its entries say, and the card reads it back.
void checkDol(ByteView bytes) {
    const auto entries = dolOf(bytes);
    if (!entries) {
        return;
    }
    const Bytes data = buildDolData(*entries, terminalData());
    const std::size_t expected =
        std::accumulate(entries->begin(), entries->end(), std::size_t{0},
                        [](std::size_t sum, const DolEntry& entry) { return sum + entry.length; });
    require(data.size() == expected && dolDataFits(*entries, data), "DOL: data as long as asked");
    readDolData(*entries, data);
}

void checkAfl(ByteView bytes) {
    for (const AflEntry& entry : parseAfl(bytes)) {
        require(entry.sfi >= 1 && entry.sfi <= 30 && entry.firstRecord >= 1 &&
                    entry.lastRecord >= entry.firstRecord &&
                    entry.odaRecords <= entry.lastRecord - entry.firstRecord + 1,
                "AFL: every entry as Book 3 10.2 allows");
    }
}

std::optional<std::uint64_t> numericOf(ByteView bytes) {
    try {
        return decodeNumeric(bytes, "numeric");
    } catch (const EmvError&) {
        return std::nullopt;
    }
}

// Strict n: the terminal's and the card's readings agree, and the value encodes back to the
// very bytes.
void checkNumeric(ByteView bytes) {
    const auto value = numericOf(bytes);
    require(value == numericValue(bytes), "n: decodeNumeric and numericValue agree");
    if (value) {
        require(encodeNumeric(*value, bytes.size()) == Bytes(bytes.begin(), bytes.end()),
                "n: encodeNumeric(decodeNumeric(b)) == b");
    }
    require(dateOrder(bytes).has_value() == isDate(bytes), "n6: dateOrder exactly for dates");
}

void checkGenerateAc(ByteView bytes) {
    const GenerateAcResult result = parseGenerateAcAnswer(bytes);
    require(result.cryptogram.size() == 8, "GENERATE AC: an 8-byte cryptogram");
    require(static_cast<std::uint8_t>(result.type) == (result.cid & 0xC0U),
            "GENERATE AC: the type is the CID's");
}

void checkSelection(ByteView bytes) {
    const auto directory = parsePpseFci(bytes);
    require(candidateList(directory, pbocAids()).size() <= directory.size(),
            "PPSE: candidates come from the directory");
}

void checkIssuerData(ByteView bytes) {
    const auto data = parseIssuerAuthenticationData(bytes);
    require(data.encode() == Bytes(bytes.begin(), bytes.end()), "91: encode(parse(b)) == b");
}

void checkIssuerScripts(ByteView bytes) {
    for (const IssuerScript& script : parseIssuerScripts(bytes)) {
        require(!script.commands.empty(), "issuer script: at least one command");
        for (const auto& command : script.commands) {
            require(apdu::CommandApdu::parse(command.encode()) == command,
                    "issuer script: each command encodes back");
        }
    }
}

void checkAnswerParsers(ByteView bytes) {
    checkDol(bytes);
    checkNumeric(bytes);
    refusedOrChecked([&] { checkAfl(bytes); });
    refusedOrChecked([&] { checkGenerateAc(bytes); });
    refusedOrChecked([&] { checkSelection(bytes); });
    refusedOrChecked([&] { checkIssuerData(bytes); });
    refusedOrChecked([&] { checkIssuerScripts(bytes); });
    refusedOrChecked([&] { parseApplicationFci(bytes, pbocAids().front()); });
    refusedOrChecked([&] { require(parseProcessingOptions(bytes).aip.size() == 2, "AIP: 2"); });
    refusedOrChecked([&] { parseLogEntry(bytes); });
    refusedOrChecked([&] { parseSingleObject(bytes, tag::kLogFormat, "GET DATA 9F4F"); });
    refusedOrChecked([&] { parseAuthorisationResponseCode(bytes); });
    refusedOrChecked([&] {
        CardData record;
        collectRecord(bytes, 1, record);
    });
}

// The cardholder takes the first candidate, as a single-application card needs no choice.
class FirstCandidate : public ApplicationChooser {
  public:
    std::optional<std::size_t> choose(const std::vector<Candidate>& candidates) override {
        return candidates.empty() ? std::nullopt : std::optional<std::size_t>(0);
    }
};

RestrictionsInput restrictionsInput() {
    return {{0x00, 0x30}, {0x26, 0x11, 0x21}, {0x01, 0x56}, ServiceKind::Goods, false};
}

// After the records: the checks, the EC state, the log and the first cryptogram.
void readAfterRecords(apdu::ApduChannel& card, const SelectedApplication& selected,
                      const CardData& records) {
    Tvr tvr;
    checkProcessingRestrictions(records, restrictionsInput(), tvr);
    readEcState(card);
    checkPinTryCounter(readPinTryCounter(card), tvr);
    if (!selected.fci.logEntry.empty()) {
        readTransactionLog(card, selected.fci.logEntry);
    }
    if (const auto cdol1 = records.find(tag::kCdol1); cdol1 != records.end()) {
        firstGenerateAc(card, buildDolData(parseDol(cdol1->second), terminalData()));
    }
}

// A whole electronic-cash read over the card's answers, as the bank-card steps run it.
void runKernel(ByteView answers) {
    fuzz::ScriptedCard card(answers);
    FirstCandidate chooser;
    try {
        const auto selected = selectApplication(card, pbocAids(), chooser);
        const auto pdolData = buildDolData(parseDol(selected.fci.pdol), terminalData());
        const auto options = getProcessingOptions(card, pdolData);
        readAfterRecords(card, selected, readApplicationData(card, options.afl));
    } catch (const EmvError&) {
    } catch (const fuzz::CardGone&) {
    } catch (const apdu::TransportError&) {
    }
}

void checkInput(ByteView bytes) {
    checkAnswerParsers(bytes);
    runKernel(bytes);
}

}  // namespace
}  // namespace taplink::emv

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::emv::checkInput(taplink::fuzz::bytesOf(data, size));
    return 0;
}
