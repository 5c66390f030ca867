#include "script/secret_string.hpp"

#include <openssl/crypto.h>

#include <utility>

namespace taplink::script {

SecretString::SecretString(std::string_view text) : chars_(text.begin(), text.end()) {}

SecretString::SecretString(std::string&& text) : chars_(text.begin(), text.end()) {
    OPENSSL_cleanse(text.data(), text.size());
    text.clear();
}

// A vector's move hands its buffer over: nothing is copied, so nothing is left to wipe.
SecretString::SecretString(SecretString&& other) noexcept : chars_(std::move(other.chars_)) {
    other.chars_.clear();
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
    if (this != &other) {
        clear();
        chars_ = std::move(other.chars_);
        other.chars_.clear();
    }
    return *this;
}

SecretString::~SecretString() {
    clear();
}

void SecretString::clear() noexcept {
    OPENSSL_cleanse(chars_.data(), chars_.size());
    chars_.clear();
}

}  // namespace taplink::script
