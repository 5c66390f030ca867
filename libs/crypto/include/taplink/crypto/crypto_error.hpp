// The one exception type of the crypto layer.
#pragma once

#include <stdexcept>

namespace taplink::crypto {

// A key of the wrong size, data not a whole number of blocks, or an OpenSSL failure.
class CryptoError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace taplink::crypto
