#include <string>
#include <utility>

#include "session_crypto.hpp"
#include "taplink/crypto/constant_time.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/gp/secure_channel.hpp"

namespace taplink::gp {
namespace {

constexpr std::uint32_t kMaxSequenceCounter = 0xFFFFFF;  // 3 bytes (Amendment D 7.1.3)

}  // namespace

CardChannel::CardChannel(CardChannelConfig config, std::uint32_t sequenceCounter)
    : config_(std::move(config)), counter_(sequenceCounter) {
    if (counter_ > kMaxSequenceCounter) {
        throw GpError(GpErrorCode::BadLength,
                      "sequence counter " + std::to_string(counter_) + " does not fit 3 bytes");
    }
}

CardChannel::~CardChannel() = default;
CardChannel::CardChannel(CardChannel&&) noexcept = default;
CardChannel& CardChannel::operator=(CardChannel&&) noexcept = default;

void CardChannel::close() {
    session_.reset();
    pendingKeys_.reset();
    open_ = false;
}

void CardChannel::fail(GpErrorCode code, const std::string& message) {
    close();
    throw GpError(code, message);
}

std::uint8_t CardChannel::securityLevel() const {
    return open_ ? session_->securityLevel() : 0;
}

Bytes CardChannel::cardChallenge() {
    if ((config_.iParameter & iparam::kPseudoRandom) == 0) {
        return crypto::randomBytes(kChallengeSize);
    }
    if (counter_ >= kMaxSequenceCounter) {
        fail(GpErrorCode::Replay, "INITIALIZE UPDATE: the sequence counter is used up");
    }
    ++counter_;  // Amendment D 6.2.2.1: a new counter value for every session
    return pseudoRandomCardChallenge(config_.keys.enc, counter_, config_.aid);
}

Bytes CardChannel::initializeUpdate(const apdu::CommandApdu& command) {
    try {
        return answerInitializeUpdate(command);
    } catch (const GpError&) {
        close();
        throw;
    }
}

Bytes CardChannel::answerInitializeUpdate(const apdu::CommandApdu& command) {
    close();  // a new INITIALIZE UPDATE ends the current session
    const InitializeUpdateCommand request = parseInitializeUpdate(command);
    if (request.keyVersion != 0 && request.keyVersion != config_.keyVersion) {
        fail(GpErrorCode::UnknownKey,
             "INITIALIZE UPDATE: no key set " + toHex(ByteView(&request.keyVersion, 1)));
    }
    hostChallenge_ = request.hostChallenge;
    cardChallenge_ = cardChallenge();
    SessionKeys keys = deriveSessionKeys(config_.keys, hostChallenge_, cardChallenge_);
    InitializeUpdateAnswer answer{config_.diversificationData,
                                  config_.keyVersion,
                                  kScp03,
                                  config_.iParameter,
                                  cardChallenge_,
                                  cardCryptogram(keys.mac, hostChallenge_, cardChallenge_),
                                  std::nullopt};
    if ((config_.iParameter & iparam::kPseudoRandom) != 0) {
        answer.sequenceCounter = counter_;
    }
    pendingKeys_ = std::move(keys);
    return encodeInitializeUpdateAnswer(answer);
}

void CardChannel::externalAuthenticate(const apdu::CommandApdu& command) {
    try {
        checkExternalAuthenticate(command);
    } catch (const GpError&) {
        close();
        throw;
    }
}

void CardChannel::checkExternalAuthenticate(const apdu::CommandApdu& command) {
    if (!pendingKeys_) {
        fail(GpErrorCode::NotOpen, "EXTERNAL AUTHENTICATE without INITIALIZE UPDATE");
    }
    const ExternalAuthenticateCommand parsed = parseExternalAuthenticate(command);
    session_ =
        std::make_unique<detail::SessionCrypto>(std::move(*pendingKeys_), parsed.securityLevel);
    pendingKeys_.reset();
    if (!session_->verifyCommand(command, parsed.hostCryptogram, parsed.mac)) {
        fail(GpErrorCode::BadMac, "EXTERNAL AUTHENTICATE: C-MAC does not verify");
    }
    const Bytes expected =
        hostCryptogram(session_->sessionMacKey(), hostChallenge_, cardChallenge_);
    if (!crypto::constantTimeEqual(expected, parsed.hostCryptogram)) {
        fail(GpErrorCode::BadCryptogram, "EXTERNAL AUTHENTICATE: host cryptogram does not verify");
    }
    checkSecurityLevel(parsed.securityLevel);
    open_ = true;
}

// The card's minimum level (its security policy) and what its i parameter can give.
void CardChannel::checkSecurityLevel(std::uint8_t securityLevel) {
    const std::uint8_t required = config_.minimumSecurityLevel;
    if ((securityLevel & required) != required ||
        !isLevelSupported(securityLevel, config_.iParameter)) {
        fail(GpErrorCode::SecurityNotSatisfied, "EXTERNAL AUTHENTICATE: security level " +
                                                    toHex(ByteView(&securityLevel, 1)) +
                                                    " is not allowed");
    }
}

apdu::CommandApdu CardChannel::unwrap(const apdu::CommandApdu& wrapped) {
    try {
        return unwrapOpen(wrapped);
    } catch (const GpError&) {
        close();
        throw;
    }
}

apdu::CommandApdu CardChannel::unwrapOpen(const apdu::CommandApdu& wrapped) {
    if (!open_) {
        fail(GpErrorCode::NotOpen, "command: no secure channel is open");
    }
    if ((wrapped.cla & kClaSecureMessaging) == 0) {
        fail(GpErrorCode::SecurityNotSatisfied, "command without secure messaging (CLA b3)");
    }
    const ByteView all = wrapped.data;
    if (all.size() < detail::kMacSize) {
        fail(GpErrorCode::BadLength,
             "command: " + std::to_string(all.size()) + " data bytes have no room for the C-MAC");
    }
    const ByteView data = all.first(all.size() - detail::kMacSize);
    if (!session_->verifyCommand(wrapped, data, all.last(detail::kMacSize))) {
        fail(GpErrorCode::BadMac, "command: C-MAC does not verify");
    }
    session_->nextCommand();
    apdu::CommandApdu plain{static_cast<std::uint8_t>(wrapped.cla & ~kClaSecureMessaging),
                            wrapped.ins,
                            wrapped.p1,
                            wrapped.p2,
                            Bytes(data.begin(), data.end()),
                            wrapped.le};
    if (session_->has(level::kCdec) && !plain.data.empty()) {
        plain.data = session_->decryptCommandData(data);
    }
    return plain;
}

apdu::ResponseApdu CardChannel::wrap(const apdu::ResponseApdu& plain) const {
    if (!open_ || !detail::isProtectedStatus(plain.sw)) {
        return plain;  // no R-MAC or R-ENCRYPTION on an error status word (6.2.5)
    }
    Bytes data = plain.data;
    if (session_->has(level::kRenc) && !data.empty()) {
        data = session_->encryptResponseData(data);
    }
    if (session_->has(level::kRmac)) {
        data = concat(data, session_->responseMac(data, plain.sw));
    }
    return {data, plain.sw};
}

}  // namespace taplink::gp
