// The PBOC e-purse application of a simulated city card: balance, load, purchase,
// transaction log and proofs, with keys diversified for this card from the issuer's.
// Byte layouts come from cards/epurse/epurse_protocol.hpp, formulas from
// crypto/epurse_keys.hpp.
#pragma once

#include <optional>
#include <string>

#include "applets/epurse_state.hpp"
#include "card/file_system.hpp"
#include "taplink/crypto/epurse_keys.hpp"

namespace taplink::sim {

struct EpurseKeys {
    crypto::epurse::Suite suite = crypto::epurse::Suite::TripleDes;
    // What INITIALIZE FOR LOAD/PURCHASE answer: one of the suite's ids (00 or 01 for triple
    // DES, 04 for SM4; JR/T 0025 e-purse).
    std::uint8_t algorithmId = 0x01;
    std::uint8_t keyIndex = 0x01;
    std::uint8_t keyVersion = 0x01;
    Bytes dlk;  // load key
    Bytes dpk;  // purchase key
    Bytes dtk;  // TAC key
};

struct EpurseConfig {
    EpurseKeys keys;
    Bytes pin;                          // VERIFY compares against it
    std::uint32_t maxBalance = 100000;  // 1000.00 yuan
    std::string stateFile;              // empty: state lives in memory only
};

class EpurseApplet : public Applet {
  public:
    EpurseApplet(EpurseConfig config, EpurseState state);

    void onSelect() override;
    void onReset() override;
    void onFileSystemCommand() override;
    std::optional<ResponseApdu> process(const CommandApdu& command, DedicatedFile& df) override;

    const EpurseState& state() const { return state_; }

  private:
    struct LoadSession {
        std::uint32_t amount = 0;
        Bytes terminalId;
        Bytes sessionKey;
    };
    struct PurchaseSession {
        std::uint32_t amount = 0;
        Bytes terminalId;
        Bytes random;
    };

    ResponseApdu getBalance(const CommandApdu& command) const;
    ResponseApdu verifyPin(const CommandApdu& command);
    ResponseApdu initializeForLoad(const CommandApdu& command);
    ResponseApdu creditForLoad(const CommandApdu& command, DedicatedFile& df);
    ResponseApdu initializeForPurchase(const CommandApdu& command);
    ResponseApdu debitForPurchase(const CommandApdu& command, DedicatedFile& df);
    ResponseApdu getTransactionProve(const CommandApdu& command) const;
    // Adds the log record to the next state, saves it, and only then makes it the card's
    // state: a failed save leaves the card as it was.
    void commit(DedicatedFile& df, EpurseState next, Bytes logRecord);

    EpurseConfig config_;
    EpurseState state_;
    std::optional<LoadSession> load_;
    std::optional<PurchaseSession> purchase_;
};

}  // namespace taplink::sim
