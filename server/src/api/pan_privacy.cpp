#include "api/pan_privacy.hpp"

#include "taplink/base/masking.hpp"
#include "taplink/crypto/aes_gcm.hpp"
#include "taplink/crypto/hmac.hpp"
#include "taplink/crypto/random.hpp"

namespace taplink::server {

namespace {

constexpr std::size_t kLastDigits = 4;

ByteView textBytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

std::string panHash(ByteView key, std::string_view pan) {
    return toHex(crypto::hmac(crypto::Digest::Sha256, key, textBytes(pan)));
}

std::string panLastFour(std::string_view pan) {
    return std::string(pan.substr(pan.size() > kLastDigits ? pan.size() - kLastDigits : 0));
}

std::string maskedPan(std::string_view lastFour) {
    return maskSerial(lastFour);
}

Bytes sealSecret(ByteView key, std::string_view context, ByteView secret) {
    const Bytes iv = crypto::randomBytes(crypto::kGcmIvSize);
    const crypto::GcmSealed sealed = crypto::aes256GcmSeal(key, iv, textBytes(context), secret);
    return concat(concat(iv, sealed.ciphertext), sealed.tag);
}

std::optional<Bytes> openSecret(ByteView key, std::string_view context, ByteView sealed) {
    if (sealed.size() < crypto::kGcmIvSize + crypto::kGcmTagSize) {
        return std::nullopt;
    }
    const ByteView iv = sealed.first(crypto::kGcmIvSize);
    const ByteView tag = sealed.last(crypto::kGcmTagSize);
    const ByteView ciphertext = sealed.subspan(
        crypto::kGcmIvSize, sealed.size() - crypto::kGcmIvSize - crypto::kGcmTagSize);
    return crypto::aes256GcmOpen(key, iv, textBytes(context), ciphertext, tag);
}

Bytes sealPan(ByteView key, std::string_view orderId, std::string_view pan) {
    return sealSecret(key, orderId, textBytes(pan));
}

std::optional<std::string> openPan(ByteView key, std::string_view orderId, ByteView sealed) {
    const auto pan = openSecret(key, orderId, sealed);
    if (!pan) {
        return std::nullopt;
    }
    return std::string(pan->begin(), pan->end());
}

}  // namespace taplink::server
