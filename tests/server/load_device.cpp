#include "load_device.hpp"

#include <stdexcept>

#include "cards/profiles.hpp"
#include "taplink/crypto/aes_gcm.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/epurse_keys.hpp"

namespace taplink::servertest {

namespace {

namespace ep = cards::epurse;
namespace keys = crypto::epurse;
namespace sam = chip::sam;
namespace wire = net::wire;

constexpr std::uint8_t kKeyIndex = 0x01;

std::shared_ptr<const sim::Issuer> firstIssuer(const std::string& issuersFile) {
    const sim::IssuerKeySet keys = sim::loadIssuerKeys(issuersFile);
    return std::make_shared<const sim::Issuer>(keys.issuers.at(0));
}

std::shared_ptr<sim::VirtualCard> cityCard(const std::string& profile,
                                           std::shared_ptr<const sim::Issuer> issuer,
                                           std::uint32_t balance, Bytes serial) {
    sim::CardOptions options;
    options.serial = std::move(serial);
    options.balance = balance;
    options.issuer = std::move(issuer);
    return sim::makeCard(profile, options);
}

}  // namespace

sam::LoadAuthorization openEnvelope(EVP_PKEY* samKey, ByteView chipSerial, ByteView envelope) {
    const sam::EnvelopeParts parts = sam::splitEnvelope(envelope);
    const crypto::PkeyPtr ephemeral =
        crypto::publicKeyFromPoint("EC", crypto::kP256Group, parts.ephemeralPublicKey);
    if (!ephemeral) {
        throw std::runtime_error("the envelope's ephemeral key is not on P-256");
    }
    const auto secret = crypto::ecdhSharedSecret(samKey, ephemeral.get());
    if (!secret) {
        throw std::runtime_error("ECDH with the envelope's ephemeral key failed");
    }
    const sam::EnvelopeKey key = sam::deriveEnvelopeKey(*secret, chipSerial);
    const auto plaintext = crypto::aes256GcmOpen(key.key, key.iv, parts.ephemeralPublicKey,
                                                 parts.ciphertext, parts.tag);
    if (!plaintext) {
        throw std::runtime_error("the envelope does not open with this SAM key and chip serial");
    }
    return sam::LoadAuthorization::parse(*plaintext);
}

LoadDevice::LoadDevice(const Device& device, const std::string& issuersFile,
                       const std::string& profile, std::uint32_t balance, Bytes serial)
    : device_(device),
      issuer_(firstIssuer(issuersFile)),
      virtualCard_(cityCard(profile, issuer_, balance, std::move(serial))),
      channel_(virtualCard_),
      purse_(channel_) {
    const auto info = purse_.select();
    if (!info) {
        throw std::runtime_error("the simulated city card has no e-purse");
    }
    info_ = *info;
}

ep::LoadInitialization LoadDevice::initialize(std::uint32_t amount) {
    return initializeAt(amount, device_.terminalId());
}

ep::LoadInitialization LoadDevice::initializeAt(std::uint32_t amount, ByteView terminalId) {
    return purse_.initializeLoad(kKeyIndex, amount, terminalId);
}

wire::AuthorizeRequest LoadDevice::authorizeRequest(const ep::LoadInitialization& init) const {
    return wire::AuthorizeRequest{info_.issuerId,       info_.serial,     init.balance,
                                  init.onlineAtc,       init.algorithmId, init.keyVersion,
                                  device_.terminalId(), init.random,      init.mac1};
}

wire::TopupResult LoadDevice::credit(const std::string& orderId, const ep::LoadInitialization& init,
                                     std::uint32_t amount, const wire::AuthorizeResponse& answer) {
    const sam::LoadAuthorization authorization =
        openEnvelope(device_.samKey.get(), device_.chipSerial, answer.loadAuthorization);
    const auto suite = keys::suiteFromAlgorithmId(init.algorithmId);
    const Bytes sessionKey =
        keys::loadSessionKey(suite, authorization.dlk, init.random, init.onlineAtc);
    if (keys::sessionMac(suite, sessionKey,
                         ep::mac1InputForLoad(init.balance, amount, device_.terminalId())) !=
        init.mac1) {
        throw std::runtime_error("MAC1 does not verify with the authorization's DLK");
    }
    const Bytes mac2 = keys::sessionMac(
        suite, sessionKey, ep::mac2InputForLoad(amount, device_.terminalId(), date(), time()));
    const Bytes tac = purse_.creditLoad(date(), time(), mac2);
    return wire::TopupResult{orderId,
                             init.algorithmId,
                             info_.serial,
                             init.balance,
                             amount,
                             init.balance + amount,
                             init.onlineAtc,
                             device_.terminalId(),
                             date(),
                             time(),
                             tac,
                             answer.nonce};
}

nlohmann::json LoadDevice::report(const wire::TopupResult& result) const {
    const Bytes message = wire::encodeResult(result);
    return wire::toJson(wire::ResultReport{message, signSha256(device_.deviceKey.get(), message)});
}

}  // namespace taplink::servertest
