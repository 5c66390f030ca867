// Wipes a buffer of key material or PIN digits (anything with data() and size()) when it goes
// out of scope, thrown through or not. Best effort: copies made inside the libraries (TLV
// encoders, the cipher's buffers) are not reached.
#pragma once

#include <openssl/crypto.h>

namespace taplink::crypto {

template <class Buffer>
class WipedOnExit {
  public:
    explicit WipedOnExit(Buffer& buffer) : buffer_(buffer) {}
    ~WipedOnExit() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }
    WipedOnExit(const WipedOnExit&) = delete;
    WipedOnExit& operator=(const WipedOnExit&) = delete;
    WipedOnExit(WipedOnExit&&) = delete;
    WipedOnExit& operator=(WipedOnExit&&) = delete;

  private:
    Buffer& buffer_;
};

}  // namespace taplink::crypto
