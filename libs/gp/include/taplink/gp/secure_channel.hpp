// Both ends of a GlobalPlatform SCP03 secure channel (Card Specification v2.3 Amendment D),
// S8 mode, AES-128/192/256. HostChannel is the off-card entity (the TSM); CardChannel is the
// security domain on the card. Every failure throws GpError; on the card side it also closes
// the session (Amendment D 6.2.4: a MAC that does not verify ends the channel).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/gp/gp_error.hpp"
#include "taplink/gp/scp03_commands.hpp"
#include "taplink/gp/scp03_kdf.hpp"

namespace taplink::gp {

namespace detail {
class SessionCrypto;
}

class HostChannel {
  public:
    // hostChallenge: 8 random bytes (crypto::randomBytes). lastSequenceCounter: the highest
    // card sequence counter this host has accepted before (persisted by the caller); an
    // answer whose counter is not above it is refused as a replay.
    HostChannel(StaticKeys keys, Bytes hostChallenge,
                std::optional<std::uint32_t> lastSequenceCounter = std::nullopt);
    ~HostChannel();
    HostChannel(HostChannel&&) noexcept;
    HostChannel& operator=(HostChannel&&) noexcept;
    HostChannel(const HostChannel&) = delete;
    HostChannel& operator=(const HostChannel&) = delete;

    // From now on an INITIALIZE UPDATE answer must carry a pseudo-random card challenge
    // (i parameter kPseudoRandom) equal to pseudoRandomCardChallenge(K-ENC, its counter, aid):
    // the card cryptogram does not cover the counter, the challenge does (Amendment D 6.2.2.1).
    // aid: the security domain's (the applet's). Otherwise externalAuthenticate() throws
    // BadCryptogram and keeps the last accepted counter.
    void requirePseudoRandomChallenge(Bytes aid);

    apdu::CommandApdu initializeUpdate(std::uint8_t keyVersion) const;
    // Checks the card's answer (status, layout, counter, card cryptogram), derives the session
    // keys and returns the EXTERNAL AUTHENTICATE to send.
    apdu::CommandApdu externalAuthenticate(const apdu::ResponseApdu& initializeUpdateAnswer,
                                           std::uint8_t securityLevel);
    // The card's answer to EXTERNAL AUTHENTICATE: 9000 opens the channel.
    void confirm(const apdu::ResponseApdu& externalAuthenticateAnswer);

    bool isOpen() const { return open_; }
    // The card's sequence counter from the last accepted answer, for the caller to persist.
    std::optional<std::uint32_t> sequenceCounter() const { return lastCounter_; }

    // Amendment D 6.2.4 and 6.2.6: CLA b3 set, data encrypted (C-DEC), C-MAC appended.
    apdu::CommandApdu wrap(const apdu::CommandApdu& plain);
    // Amendment D 6.2.5 and 6.2.7: R-MAC checked and removed, data decrypted (R-ENC).
    apdu::ResponseApdu unwrap(const apdu::ResponseApdu& wrapped);

  private:
    [[noreturn]] void fail(GpErrorCode code, const std::string& message);
    InitializeUpdateAnswer readAnswer(const apdu::ResponseApdu& answer,
                                      std::uint8_t securityLevel) const;
    void checkPseudoRandomChallenge(const InitializeUpdateAnswer& answer);
    apdu::CommandApdu signedExternalAuthenticate(std::uint8_t securityLevel,
                                                 const Bytes& cryptogram);

    StaticKeys keys_;
    Bytes hostChallenge_;
    std::optional<std::uint32_t> lastCounter_;
    std::optional<Bytes> pseudoRandomAid_;  // set by requirePseudoRandomChallenge
    std::unique_ptr<detail::SessionCrypto> session_;
    bool open_ = false;
};

struct CardChannelConfig {
    StaticKeys keys;
    std::uint8_t keyVersion = 0x30;
    // Amendment D 5.1: kPseudoRandom | kRmac | kRenc (70) is what this library is tested with.
    std::uint8_t iParameter = iparam::kPseudoRandom | iparam::kRmac | iparam::kRenc;
    Bytes diversificationData = Bytes(10, 0x00);
    Bytes aid;  // of the security domain: context of the pseudo-random card challenge
    std::uint8_t minimumSecurityLevel = level::kCmac;  // EXTERNAL AUTHENTICATE below it fails
};

class CardChannel {
  public:
    // sequenceCounter: the last counter this card used (0 for a new card), persisted by the
    // caller; each INITIALIZE UPDATE uses the next one.
    CardChannel(CardChannelConfig config, std::uint32_t sequenceCounter);
    ~CardChannel();
    CardChannel(CardChannel&&) noexcept;
    CardChannel& operator=(CardChannel&&) noexcept;
    CardChannel(const CardChannel&) = delete;
    CardChannel& operator=(const CardChannel&) = delete;

    // Answers INITIALIZE UPDATE (data only; the status is 9000) and starts a new session.
    // The sequence counter goes up first: persist sequenceCounter() before sending the answer.
    Bytes initializeUpdate(const apdu::CommandApdu& command);
    // Verifies the C-MAC and the host cryptogram; the channel is open when it returns.
    void externalAuthenticate(const apdu::CommandApdu& command);

    bool isOpen() const { return open_; }
    std::uint32_t sequenceCounter() const { return counter_; }
    std::uint8_t securityLevel() const;

    // Checks the C-MAC and decrypts: the command as the application sees it (CLA b3 clear).
    apdu::CommandApdu unwrap(const apdu::CommandApdu& wrapped);
    // Encrypts (R-ENC) and appends the R-MAC, except on an error status word (6.2.5).
    apdu::ResponseApdu wrap(const apdu::ResponseApdu& plain) const;

    // Ends the session (the application is deselected, the card reset).
    void close();

  private:
    [[noreturn]] void fail(GpErrorCode code, const std::string& message);
    Bytes answerInitializeUpdate(const apdu::CommandApdu& command);
    void checkExternalAuthenticate(const apdu::CommandApdu& command);
    void checkSecurityLevel(std::uint8_t securityLevel);
    apdu::CommandApdu unwrapOpen(const apdu::CommandApdu& wrapped);
    Bytes cardChallenge();

    CardChannelConfig config_;
    std::uint32_t counter_;
    Bytes hostChallenge_;
    Bytes cardChallenge_;
    std::optional<SessionKeys> pendingKeys_;  // between INITIALIZE UPDATE and EXTERNAL AUTH.
    std::unique_ptr<detail::SessionCrypto> session_;
    bool open_ = false;
};

}  // namespace taplink::gp
