#include <string>
#include <utility>

#include "session_crypto.hpp"
#include "taplink/crypto/constant_time.hpp"
#include "taplink/gp/secure_channel.hpp"

namespace taplink::gp {
namespace {

std::string levelHex(std::uint8_t securityLevel) {
    return toHex(ByteView(&securityLevel, 1));
}

}  // namespace

HostChannel::HostChannel(StaticKeys keys, Bytes hostChallenge,
                         std::optional<std::uint32_t> lastSequenceCounter)
    : keys_(std::move(keys)),
      hostChallenge_(std::move(hostChallenge)),
      lastCounter_(lastSequenceCounter) {}

HostChannel::~HostChannel() = default;
HostChannel::HostChannel(HostChannel&&) noexcept = default;
HostChannel& HostChannel::operator=(HostChannel&&) noexcept = default;

void HostChannel::fail(GpErrorCode code, const std::string& message) {
    session_.reset();
    open_ = false;
    throw GpError(code, message);
}

void HostChannel::requirePseudoRandomChallenge(Bytes aid) {
    pseudoRandomAid_ = std::move(aid);
}

// Amendment D 6.2.2.1: a pseudo-random card challenge is derived from the counter, so a card
// that knows K-ENC vouches for the counter by it; the card cryptogram alone does not.
void HostChannel::checkPseudoRandomChallenge(const InitializeUpdateAnswer& answer) {
    if (!pseudoRandomAid_) {
        return;
    }
    if ((answer.iParameter & iparam::kPseudoRandom) == 0 || !answer.sequenceCounter) {
        fail(GpErrorCode::BadCryptogram,
             "INITIALIZE UPDATE answer: the card challenge is not pseudo-random (i parameter " +
                 toHex(ByteView(&answer.iParameter, 1)) + ")");
    }
    const Bytes expected =
        pseudoRandomCardChallenge(keys_.enc, *answer.sequenceCounter, *pseudoRandomAid_);
    if (!crypto::constantTimeEqual(expected, answer.cardChallenge)) {
        fail(GpErrorCode::BadCryptogram,
             "INITIALIZE UPDATE answer: the card challenge does not match sequence counter " +
                 std::to_string(*answer.sequenceCounter));
    }
}

apdu::CommandApdu HostChannel::initializeUpdate(std::uint8_t keyVersion) const {
    return encodeInitializeUpdate({keyVersion, hostChallenge_});
}

InitializeUpdateAnswer HostChannel::readAnswer(const apdu::ResponseApdu& answer,
                                               std::uint8_t securityLevel) const {
    if (!answer.ok()) {
        throw GpError(GpErrorCode::NotOpen,
                      "INITIALIZE UPDATE refused: SW " + apdu::statusWordHex(answer.sw));
    }
    if (!isValidSecurityLevel(securityLevel)) {
        throw GpError(GpErrorCode::BadFormat,
                      "security level " + levelHex(securityLevel) + " is not valid");
    }
    InitializeUpdateAnswer parsed = parseInitializeUpdateAnswer(answer.data);
    if (!isLevelSupported(securityLevel, parsed.iParameter)) {
        throw GpError(GpErrorCode::SecurityNotSatisfied,
                      "INITIALIZE UPDATE answer: the card's i parameter does not allow level " +
                          levelHex(securityLevel));
    }
    // Amendment D 6.2.2.1: the counter goes up with every session; an old one is a replay.
    if (parsed.sequenceCounter && lastCounter_ && *parsed.sequenceCounter <= *lastCounter_) {
        throw GpError(GpErrorCode::Replay, "INITIALIZE UPDATE answer: sequence counter " +
                                               std::to_string(*parsed.sequenceCounter) +
                                               " is not above " + std::to_string(*lastCounter_));
    }
    return parsed;
}

apdu::CommandApdu HostChannel::externalAuthenticate(const apdu::ResponseApdu& answer,
                                                    std::uint8_t securityLevel) {
    session_.reset();
    open_ = false;
    const InitializeUpdateAnswer parsed = readAnswer(answer, securityLevel);
    checkPseudoRandomChallenge(parsed);
    SessionKeys keys = deriveSessionKeys(keys_, hostChallenge_, parsed.cardChallenge);
    const Bytes expected = cardCryptogram(keys.mac, hostChallenge_, parsed.cardChallenge);
    if (!crypto::constantTimeEqual(expected, parsed.cardCryptogram)) {
        fail(GpErrorCode::BadCryptogram,
             "INITIALIZE UPDATE answer: card cryptogram does not verify");
    }
    if (parsed.sequenceCounter) {
        lastCounter_ = parsed.sequenceCounter;
    }
    const Bytes cryptogram = hostCryptogram(keys.mac, hostChallenge_, parsed.cardChallenge);
    session_ = std::make_unique<detail::SessionCrypto>(std::move(keys), securityLevel);
    return signedExternalAuthenticate(securityLevel, cryptogram);
}

// Amendment D 7.2.2: 84 82 <level> 00 10 <host cryptogram> <C-MAC>.
apdu::CommandApdu HostChannel::signedExternalAuthenticate(std::uint8_t securityLevel,
                                                          const Bytes& cryptogram) {
    apdu::CommandApdu command{kClaGp | kClaSecureMessaging,
                              kInsExternalAuthenticate,
                              securityLevel,
                              0x00,
                              {},
                              std::nullopt};
    command.data = concat(cryptogram, session_->signCommand(command, cryptogram));
    return command;
}

void HostChannel::confirm(const apdu::ResponseApdu& answer) {
    if (!session_) {
        fail(GpErrorCode::NotOpen, "EXTERNAL AUTHENTICATE answer without a handshake");
    }
    if (!answer.ok()) {
        fail(GpErrorCode::NotOpen,
             "EXTERNAL AUTHENTICATE refused: SW " + apdu::statusWordHex(answer.sw));
    }
    open_ = true;
}

apdu::CommandApdu HostChannel::wrap(const apdu::CommandApdu& plain) {
    if (!open_) {
        fail(GpErrorCode::NotOpen, "wrap: the secure channel is not open");
    }
    session_->nextCommand();  // every command, with or without data (6.2.6)
    Bytes data = plain.data;
    if (session_->has(level::kCdec) && !data.empty()) {
        data = session_->encryptCommandData(data);
    }
    apdu::CommandApdu wrapped{static_cast<std::uint8_t>(plain.cla | kClaSecureMessaging),
                              plain.ins,
                              plain.p1,
                              plain.p2,
                              {},
                              plain.le};
    wrapped.data = concat(data, session_->signCommand(wrapped, data));
    return wrapped;
}

apdu::ResponseApdu HostChannel::unwrap(const apdu::ResponseApdu& wrapped) {
    if (!open_) {
        fail(GpErrorCode::NotOpen, "unwrap: the secure channel is not open");
    }
    if (!detail::isProtectedStatus(wrapped.sw)) {
        // 6.2.5: an error status word comes alone, with no R-MAC; data beside it under an
        // R-MAC level means the status word was altered.
        if (session_->has(level::kRmac) && !wrapped.data.empty()) {
            fail(GpErrorCode::BadMac, "response data with error SW " +
                                          apdu::statusWordHex(wrapped.sw) + " and no R-MAC");
        }
        return wrapped;
    }
    ByteView data = wrapped.data;
    if (session_->has(level::kRmac)) {
        if (data.size() < detail::kMacSize) {
            fail(GpErrorCode::BadLength,
                 "R-MAC: response of " + std::to_string(data.size()) + " bytes has no room for it");
        }
        const ByteView mac = data.last(detail::kMacSize);
        data = data.first(data.size() - detail::kMacSize);
        if (!crypto::constantTimeEqual(session_->responseMac(data, wrapped.sw), mac)) {
            fail(GpErrorCode::BadMac, "R-MAC does not verify");
        }
    }
    if (!session_->has(level::kRenc) || data.empty()) {
        return {Bytes(data.begin(), data.end()), wrapped.sw};
    }
    try {
        return {session_->decryptResponseData(data), wrapped.sw};
    } catch (const GpError& e) {
        fail(e.code(), e.what());
    }
}

}  // namespace taplink::gp
