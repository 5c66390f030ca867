#include "api/pan_privacy.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

#include "taplink/base/masking.hpp"
#include "taplink/crypto/aes_gcm.hpp"
#include "taplink/crypto/crypto_error.hpp"
#include "taplink/crypto/random.hpp"

namespace taplink::server {

namespace {

constexpr std::size_t kLastDigits = 4;

ByteView textBytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

std::string panHash(ByteView key, std::string_view pan) {
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
    unsigned size = 0;
    const ByteView data = textBytes(pan);
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
             digest.data(), &size) == nullptr) {
        throw crypto::CryptoError("HMAC-SHA-256 of a PAN failed");
    }
    return toHex(ByteView(digest.data(), size));
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
