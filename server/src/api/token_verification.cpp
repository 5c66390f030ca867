#include "api/token_verification.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <limits>

#include "taplink/crypto/ocra.hpp"

namespace taplink::server {

namespace {

// Compared in constant time: a timing difference must not tell how many digits match.
bool sameCode(const std::string& expected, std::string_view code) {
    return expected.size() == code.size() &&
           CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0;
}

// The first counter of the window that gives code for challenge (RFC 6287 7.1, one-way).
std::optional<std::uint64_t> matchingCounter(ByteView tokenSeed, std::uint64_t first,
                                             std::string_view challenge, std::string_view code) {
    const crypto::OcraSuite suite = crypto::parseOcraSuite(crypto::kPaymentTokenSuite);
    const std::uint64_t room = std::numeric_limits<std::uint64_t>::max() - first;
    for (std::uint64_t step = 0; step <= std::min(kTokenWindow - 1, room); ++step) {
        const std::uint64_t counter = first + step;
        if (sameCode(crypto::ocra(suite, tokenSeed, {counter, {challenge}, {}}), code)) {
            return counter;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> verifyToken(ServerStore& store, ByteView tokenSeed,
                                         const std::string& chipSerial, std::string_view challenge,
                                         std::string_view code) {
    const auto accepted = store.tokenCounter(chipSerial);
    if (accepted && *accepted == std::numeric_limits<std::uint64_t>::max()) {
        return std::nullopt;
    }
    const std::uint64_t first = accepted ? *accepted + 1 : 0;
    const auto counter = matchingCounter(tokenSeed, first, challenge, code);
    if (!counter || store.acceptTokenCounter(chipSerial, *counter) != TsmCounterOutcome::Accepted) {
        return std::nullopt;
    }
    return counter;
}

}  // namespace taplink::server
