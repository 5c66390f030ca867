// The PIV card application of the simulated secure chip (NIST SP 800-73-4 card edge, the
// subset OpenSC's `piv` driver and the daemon use): GET DATA for the CHUID, CCC, Discovery,
// Key History and the slot 9A certificate; VERIFY and CHANGE REFERENCE DATA for the PIN;
// GENERAL AUTHENTICATE for ECDSA P-256 signatures with the slot 9A key; GENERATE ASYMMETRIC
// KEY PAIR for a new slot 9A key; PUT DATA for a new slot 9A certificate. Byte layouts come
// from chip/piv_protocol.hpp.
//
// The P-256 key is generated inside the chip (when the chip is first made, and again on
// GENERATE), and kept only in the simulator's state (a file in its state dir, or memory):
// nothing outside taplink-sim ever sees it.
#pragma once

#include <optional>
#include <string>

#include "card/file_system.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::sim {

// What the chip's PIV application remembers across power cycles and simulator restarts.
struct PivState {
    std::string privateKeyPem;  // PKCS#8 PEM of the slot 9A P-256 key
    Bytes certificateDer;       // X.509 certificate for PIV Authentication; empty: none
    std::string pin = "123456";
    int pinTriesLeft = 3;

    // Throws std::runtime_error when the file is unreadable or malformed.
    static std::optional<PivState> load(const std::string& path);
    // Writes a temporary file and renames it over the old one.
    void save(const std::string& path) const;
};

// A new chip's PIV state: a P-256 key generated now and a self-signed certificate
// (CN "TapLink device <serial hex>") made with it, the default PIN with 3 tries.
PivState manufacturePivState(ByteView chipSerial);

struct PivConfig {
    Bytes chipSerial;       // goes into the CHUID (GUID) and the CCC (card id)
    std::string stateFile;  // empty: the state lives in memory only
};

class PivApplet : public Applet {
  public:
    // Throws std::runtime_error when the state's key cannot be read.
    PivApplet(PivConfig config, PivState state);

    // Re-selecting the application keeps the PIN status (SP 800-73-4 Part 2 clause 3.1.1);
    // only a reset of the card clears it.
    void onReset() override;
    void onDeselect() override;
    std::optional<ResponseApdu> process(const CommandApdu& command, DedicatedFile& df) override;

    const PivState& state() const { return state_; }

  private:
    ResponseApdu dispatch(const CommandApdu& command);
    ResponseApdu getData(const CommandApdu& command) const;
    ResponseApdu putData(const CommandApdu& command);
    ResponseApdu verify(const CommandApdu& command);
    ResponseApdu changeReferenceData(const CommandApdu& command);
    ResponseApdu generalAuthenticate(const CommandApdu& command) const;
    ResponseApdu generateKeyPair(const CommandApdu& command);
    // Counts a wrong PIN and answers 63Cx; 6983 once the counter is at zero.
    ResponseApdu wrongPin();
    bool pinMatches(ByteView block) const;
    void save() const;

    PivConfig config_;
    PivState state_;
    crypto::PkeyPtr key_;
    bool pinVerified_ = false;
    // Command chaining (ISO/IEC 7816-4 clause 5.1.1.1): data of the commands so far.
    Bytes chainedData_;
    std::uint8_t chainedIns_ = 0;
};

}  // namespace taplink::sim
