#include "api/account_pin.hpp"

#include <openssl/crypto.h>

#include "taplink/crypto/hmac.hpp"

namespace taplink::server {

std::string pinHash(ByteView key, std::string_view accountId, std::string_view pin) {
    Bytes input;
    input.reserve(accountId.size() + 1 + pin.size());
    input.insert(input.end(), accountId.begin(), accountId.end());
    input.push_back(':');
    input.insert(input.end(), pin.begin(), pin.end());
    const Bytes digest = crypto::hmac(crypto::Digest::Sha256, key, input);
    OPENSSL_cleanse(input.data(), input.size());
    return toHex(digest);
}

}  // namespace taplink::server
