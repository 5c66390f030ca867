#include "core/secret_text.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace taplink::gui {

namespace {
constexpr qsizetype kMinPinDigits = 4;  // ISO 9564-1 5.1
constexpr qsizetype kMaxPinDigits = 12;
}  // namespace

bool isPinDigits(QByteArrayView digits) {
    return digits.size() >= kMinPinDigits && digits.size() <= kMaxPinDigits &&
           std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void wipe(QByteArray& secret) {
    if (!secret.isEmpty()) {
        OPENSSL_cleanse(secret.data(), static_cast<std::size_t>(secret.size()));
    }
    secret.clear();
}

void wipe(QString& secret) {
    if (!secret.isEmpty()) {
        OPENSSL_cleanse(secret.data(), static_cast<std::size_t>(secret.size()) * sizeof(QChar));
    }
    secret.clear();
}

}  // namespace taplink::gui
