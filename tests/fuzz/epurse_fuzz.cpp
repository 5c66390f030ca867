// libs/cards, a city card's e-purse answers: the fixed layouts (EF 0x15, INITIALIZE FOR LOAD
// and PURCHASE, log records, GET TRANSACTION PROVE) and the driver reading a card (the
// summary card.info shows, a load's card half) over the card's successive answers.
#include "fuzz_support.hpp"
#include "scripted_card.hpp"
#include "taplink/cards/card_summary.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"

namespace taplink::cards::epurse {
namespace {

using fuzz::require;

// Each layout is fixed, so a parsed answer encodes back to exactly its bytes.
template <class Layout>
void checkLayout(ByteView bytes, const char* invariant) {
    try {
        require(Layout::parse(bytes).encode() == Bytes(bytes.begin(), bytes.end()), invariant);
    } catch (const EpurseFormatError&) {
    }
}

void checkProof(ByteView bytes) {
    try {
        const auto proof = TransactionProof::parse(bytes);
        require(proof.mac2.size() == 4 && proof.tac.size() == 4, "proof: MAC2 and TAC of 4");
    } catch (const EpurseFormatError&) {
    }
}

void checkLayouts(ByteView bytes) {
    checkLayout<PublicInfo>(bytes, "EF 0x15: encode(parse(b)) == b");
    checkLayout<LoadInitialization>(bytes, "INITIALIZE FOR LOAD: encode(parse(b)) == b");
    checkLayout<PurchaseInitialization>(bytes, "INITIALIZE FOR PURCHASE: encode(parse(b)) == b");
    checkLayout<LogRecord>(bytes, "EF 0x18 record: encode(parse(b)) == b");
    checkProof(bytes);
    formatBcdDate(bytes);
    formatBcdTime(bytes);
}

// Runs a session over the card's answers; what a card can make go wrong is one of these.
template <class Session>
void overAnswers(ByteView answers, Session session) {
    fuzz::ScriptedCard card(answers);
    try {
        session(card);
    } catch (const EpurseError&) {
    } catch (const EpurseFormatError&) {
    } catch (const fuzz::CardGone&) {
    } catch (const apdu::TransportError&) {
    }
}

void summarize(apdu::ApduChannel& channel) {
    const CardSummary summary = summarizeCard(channel);
    require(summary.history.size() <= kLogRecords, "summary: at most 10 log records");
}

// The card half of a load, up to the proof that settles an interrupted one.
void load(apdu::ApduChannel& channel) {
    EpurseCard card(channel);
    if (!card.select()) {
        return;
    }
    const Bytes terminal(kTerminalIdSize, 0x01);
    card.initializeLoad(1, 1000, terminal);
    card.creditLoad(Bytes{0x20, 0x26, 0x11, 0x21}, Bytes{0x19, 0x50, 0x00}, Bytes(4, 0x00));
    card.proveTransaction(kTypeLoad, 1);
}

void checkInput(ByteView bytes) {
    checkLayouts(bytes);
    overAnswers(bytes, summarize);
    overAnswers(bytes, load);
}

}  // namespace
}  // namespace taplink::cards::epurse

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::cards::epurse::checkInput(taplink::fuzz::bytesOf(data, size));
    return 0;
}
