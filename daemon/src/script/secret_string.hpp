// A secret the cardholder typed (the online PIN): held in one heap buffer that is never
// copied, and wiped (OPENSSL_cleanse) when it goes away, so that no stale copy of it stays
// in freed memory. Move-only; std::string is avoided on purpose: moving a short string
// copies its bytes and leaves them behind in the moved-from object.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace taplink::script {

class SecretString {
  public:
    SecretString() = default;
    // Copies the characters; wipe the source yourself (or use the rvalue overload).
    explicit SecretString(std::string_view text);
    // Takes the characters and wipes `text`'s buffer.
    explicit SecretString(std::string&& text);
    SecretString(const SecretString&) = delete;
    SecretString& operator=(const SecretString&) = delete;
    SecretString(SecretString&& other) noexcept;
    SecretString& operator=(SecretString&& other) noexcept;
    ~SecretString();

    std::string_view view() const { return {chars_.data(), chars_.size()}; }
    std::size_t size() const { return chars_.size(); }
    bool empty() const { return chars_.empty(); }
    // Wipes and empties it now.
    void clear() noexcept;

  private:
    std::vector<char> chars_;
};

}  // namespace taplink::script
