// ISO 9564-1:2017 PIN blocks: format 4 (AES, enciphered) and format 0 (the plain 8-byte
// block of the 3DES world). PIN and PAN are strings of decimal digits; the PIN never appears
// in an error message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/crypto_error.hpp"

namespace taplink::crypto {

enum class PinBlockErrorCode {
    BadPin,        // a PIN to encode that is not 4..12 decimal digits (ISO 9564-1 8.1)
    BadPan,        // a PAN that is not 12..19 decimal digits (TapLink's rule for bank cards)
    BadLength,     // a block, key or random part of the wrong size
    WrongFormat,   // a control field that is not the expected format (9.3.1)
    BadPinLength,  // a PIN length nibble outside 4..12
    BadPinDigit,   // a PIN nibble that is not 0..9
    BadFill,       // fill nibbles that are not F (format 0) or A (format 4)
};

class PinBlockError : public CryptoError {
  public:
    PinBlockError(PinBlockErrorCode code, const std::string& message)
        : CryptoError(message), code_(code) {}
    PinBlockErrorCode code() const { return code_; }

  private:
    PinBlockErrorCode code_;
};

inline constexpr std::size_t kFormat0BlockSize = 8;
inline constexpr std::size_t kFormat4BlockSize = 16;  // one AES block
inline constexpr std::size_t kFormat4RandomSize = 8;  // the random second half of the PIN field

// Format 4 (ISO 9564-1:2017 9.4.2) under an AES key of 16, 24 or 32 bytes:
// E(K, E(K, plain PIN field) XOR PAN field). The random part from OpenSSL's RNG.
Bytes encipherFormat4(ByteView key, std::string_view pin, std::string_view pan);
// The same with the caller's 8 random bytes (known-answer tests).
Bytes encipherFormat4(ByteView key, std::string_view pin, std::string_view pan, ByteView random);
// The PIN of an enciphered format 4 block; PinBlockError when the plain field is malformed.
std::string decipherFormat4(ByteView key, ByteView block, std::string_view pan);

// The two 16-byte fields of format 4, exposed for the known-answer tests.
Bytes format4PinField(std::string_view pin, ByteView random);  // 9.4.2.2.2
Bytes format4PanField(std::string_view pan);                   // 9.4.2.2.3

// Format 0 (ISO 9564-1:2017 9.3.2): plain PIN field XOR PAN field, 8 bytes, not enciphered.
Bytes format0PinBlock(std::string_view pin, std::string_view pan);
std::string decodeFormat0(ByteView block, std::string_view pan);

}  // namespace taplink::crypto
