// The PBOC 3.0 debit/credit application of a simulated bank card (JR/T 0025 on EMV 4.3):
// GET PROCESSING OPTIONS, GET DATA, VERIFY, the two GENERATE ACs, EXTERNAL AUTHENTICATE and
// the issuer script that loads electronic cash (PUT DATA 9F79). READ RECORD is the file
// system's. Layouts in applets/pboc_layout.hpp, formulas in crypto/emv_keys.hpp; the card
// never approves offline (docs/cards.md, "The simulated bank card").
#pragma once

#include <optional>
#include <string>

#include "applets/pboc_layout.hpp"
#include "applets/pboc_state.hpp"
#include "card/file_system.hpp"

namespace taplink::sim {

struct PbocConfig {
    crypto::emv::Suite suite = crypto::emv::Suite::TripleDes;
    Bytes acMasterKey;      // ICC MK-AC
    Bytes scriptMasterKey;  // ICC MK-SMI
    std::string pin;        // decimal digits; VERIFY compares against it
    Bytes aip;              // 82
    Bytes afl;              // 94
    Bytes pdol;             // 9F38; empty: GPO data is 83 00
    Bytes cdol1;            // 8C
    Bytes cdol2;            // 8D
    Bytes logFormat;        // 9F4F
    std::uint8_t logSfi = 0;
    std::size_t logRecords = 0;
    std::string stateFile;  // empty: state lives in memory only
};

class PbocApplet : public Applet {
  public:
    PbocApplet(PbocConfig config, PbocState state);

    void onSelect() override;
    void onDeselect() override;
    void onReset() override;
    std::optional<ResponseApdu> process(const CommandApdu& command, DedicatedFile& df) override;

    const PbocState& state() const { return state_; }

  private:
    enum class IssuerAuthentication { NotDone, Succeeded, Failed };
    // What one transaction (from SELECT to the next SELECT or reset) knows.
    struct Transaction {
        bool processing = false;  // GET PROCESSING OPTIONS done
        bool firstAcDone = false;
        bool secondAcDone = false;
        bool scriptDone = false;
        std::uint16_t atc = 0;
        Bytes arqc;  // empty unless the first GENERATE AC gave an ARQC
        Bytes cdol1Data;
        IssuerAuthentication issuerAuthentication = IssuerAuthentication::NotDone;
        pboc::CardVerificationResults cvr;
    };

    std::optional<ResponseApdu> processEmv(const CommandApdu& command);
    ResponseApdu getProcessingOptions(const CommandApdu& command);
    ResponseApdu getData(const CommandApdu& command) const;
    std::optional<Bytes> dataObject(std::uint32_t tag) const;
    ResponseApdu verifyPin(const CommandApdu& command);
    void countPinTry(bool right);
    ResponseApdu generateAc(const CommandApdu& command);
    ResponseApdu firstGenerateAc(pboc::AcType asked, const Bytes& cdolData);
    // The CVR of the first GENERATE AC, with the AC type this card gives for `asked`.
    pboc::CardVerificationResults firstAcResults(pboc::AcType asked) const;
    void saveAtc(std::uint16_t atc);
    ResponseApdu secondGenerateAc(pboc::AcType asked, const Bytes& cdolData);
    ResponseApdu acAnswer(pboc::AcType type, ByteView ac) const;
    ResponseApdu externalAuthenticate(const CommandApdu& command);
    ResponseApdu putData(const CommandApdu& command, DedicatedFile& df);
    bool scriptMacValid(const CommandApdu& command) const;
    void setEcBalance(std::uint64_t fen, DedicatedFile& df);
    // Checks ARPC || ARC against this transaction's ARQC and puts the outcome in `next`: a
    // failure stays for the next transaction's CVR, a success is the last online ATC.
    IssuerAuthentication checkIssuer(ByteView issuerData, PbocState& next) const;
    // The AC over CDOL data || AIP || ATC || CVR (CVN 01, emv_keys.hpp).
    Bytes cryptogram(ByteView cdolData, std::uint16_t atc,
                     const pboc::CardVerificationResults& cvr) const;
    Bytes loadLogRecord(std::uint64_t loaded) const;
    void publishLog(DedicatedFile& df) const;
    // Saves the next state, and only then makes it the card's: a failed save leaves the card
    // as it was (the card answers 6F00).
    void commit(PbocState next);

    PbocConfig config_;
    PbocState state_;
    Transaction transaction_;
};

}  // namespace taplink::sim
