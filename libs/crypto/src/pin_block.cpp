#include "taplink/crypto/pin_block.hpp"

#include <algorithm>

#include "taplink/base/byte_reader.hpp"
#include "taplink/crypto/block_cipher.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/crypto/wiped_on_exit.hpp"

namespace taplink::crypto {
namespace {

constexpr std::size_t kMinPinDigits = 4;  // ISO 9564-1:2017 8.1
constexpr std::size_t kMaxPinDigits = 12;
constexpr std::size_t kMinPanDigits = 12;
constexpr std::size_t kMaxPanDigits = 19;  // ISO/IEC 7812-1
constexpr std::size_t kPinFieldNibbles = 16;
constexpr std::string_view kHexDigits = "0123456789ABCDEF";

[[noreturn]] void fail(PinBlockErrorCode code, const std::string& message) {
    throw PinBlockError(code, "PIN block: " + message);
}

bool allDigits(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void requirePin(std::string_view pin) {
    if (pin.size() < kMinPinDigits || pin.size() > kMaxPinDigits || !allDigits(pin)) {
        fail(PinBlockErrorCode::BadPin, "the PIN must be 4 to 12 decimal digits");
    }
}

void requirePan(std::string_view pan) {
    if (pan.size() < kMinPanDigits || pan.size() > kMaxPanDigits || !allDigits(pan)) {
        fail(PinBlockErrorCode::BadPan, "the PAN must be 12 to 19 decimal digits");
    }
}

// requireSize's error type: every field of the wrong size is a PinBlockError BadLength.
struct LengthError : PinBlockError {
    explicit LengthError(const std::string& message)
        : PinBlockError(PinBlockErrorCode::BadLength, "PIN block: " + message) {}
};

// Format 4 enciphers with AES only (9.4.2.3); the key size picks the variant.
Cipher aesFor(ByteView key) {
    switch (key.size()) {
        case 16:
            return Cipher::Aes128;
        case 24:
            return Cipher::Aes192;
        case 32:
            return Cipher::Aes256;
        default:
            fail(PinBlockErrorCode::BadLength,
                 "an AES key must be 16, 24 or 32 bytes, got " + std::to_string(key.size()));
    }
}

Bytes xorBytes(ByteView a, ByteView b) {
    Bytes out(a.size());
    std::transform(a.begin(), a.end(), b.begin(), out.begin(),
                   [](std::uint8_t x, std::uint8_t y) { return static_cast<std::uint8_t>(x ^ y); });
    return out;
}

// Control nibble, PIN length nibble N, the N PIN digits, then fill up to 16 nibbles
// (9.3.2.2 for format 0, 9.4.2.2.2 for the first half of format 4).
std::string pinNibbles(char control, std::string_view pin, char fill) {
    std::string nibbles{control, kHexDigits[pin.size()]};
    nibbles.append(pin);
    nibbles.append(kPinFieldNibbles - nibbles.size(), fill);
    return nibbles;
}

// The PIN of 16 plain PIN field nibbles, after checking what pinNibbles wrote.
std::string readPin(std::string_view nibbles, char control, char fill) {
    if (nibbles[0] != control) {
        fail(PinBlockErrorCode::WrongFormat,
             std::string("control field ") + nibbles[0] + ", expected " + control);
    }
    const std::size_t length = kHexDigits.find(nibbles[1]);
    if (length < kMinPinDigits || length > kMaxPinDigits) {
        fail(PinBlockErrorCode::BadPinLength, "PIN length " + std::to_string(length));
    }
    if (!allDigits(nibbles.substr(2, length))) {
        fail(PinBlockErrorCode::BadPinDigit, "a PIN nibble is not a decimal digit");
    }
    if (nibbles.substr(2 + length).find_first_not_of(fill) != std::string_view::npos) {
        fail(PinBlockErrorCode::BadFill, std::string("the fill is not all ") + fill);
    }
    return std::string(nibbles.substr(2, length));
}

// 9.3.2.3: 0000, then the 12 rightmost PAN digits without the check digit (zeros on the
// left of a 12-digit PAN, which has only 11).
Bytes format0PanField(std::string_view pan) {
    requirePan(pan);
    const std::string_view digits = pan.substr(0, pan.size() - 1);
    const std::size_t taken = std::min<std::size_t>(digits.size(), 12);
    std::string nibbles(kPinFieldNibbles - taken, '0');
    nibbles.append(digits.substr(digits.size() - taken));
    return fromHex(nibbles);
}

}  // namespace

Bytes format4PinField(std::string_view pin, ByteView random) {
    requirePin(pin);
    requireSize<LengthError>(random, kFormat4RandomSize, "the random part");
    std::string nibbles = pinNibbles('4', pin, 'A');
    const WipedOnExit wipeNibbles(nibbles);
    Bytes field = fromHex(nibbles);
    field.insert(field.end(), random.begin(), random.end());
    return field;
}

// M = PAN digits beyond 12, then the PAN itself (check digit included), zeros to 32 nibbles.
Bytes format4PanField(std::string_view pan) {
    requirePan(pan);
    std::string nibbles{kHexDigits[pan.size() - kMinPanDigits]};
    nibbles.append(pan);
    nibbles.append(2 * kFormat4BlockSize - nibbles.size(), '0');
    return fromHex(nibbles);
}

Bytes encipherFormat4(ByteView key, std::string_view pin, std::string_view pan) {
    return encipherFormat4(key, pin, pan, randomBytes(kFormat4RandomSize));
}

// 9.4.2.3: E(K, E(K, plain PIN field) XOR PAN field).
Bytes encipherFormat4(ByteView key, std::string_view pin, std::string_view pan, ByteView random) {
    const Cipher cipher = aesFor(key);
    const Bytes panField = format4PanField(pan);
    Bytes pinField = format4PinField(pin, random);
    const WipedOnExit wipePinField(pinField);
    const Bytes intermediate = encryptEcb(cipher, key, pinField);
    return encryptEcb(cipher, key, xorBytes(intermediate, panField));
}

std::string decipherFormat4(ByteView key, ByteView block, std::string_view pan) {
    const Cipher cipher = aesFor(key);
    requireSize<LengthError>(block, kFormat4BlockSize, "a format 4 block");
    const Bytes intermediate = xorBytes(decryptEcb(cipher, key, block), format4PanField(pan));
    Bytes pinField = decryptEcb(cipher, key, intermediate);
    const WipedOnExit wipePinField(pinField);
    std::string nibbles = toHex(ByteView(pinField).first(kPinFieldNibbles / 2));
    const WipedOnExit wipeNibbles(nibbles);
    return readPin(nibbles, '4', 'A');
}

Bytes format0PinBlock(std::string_view pin, std::string_view pan) {
    requirePin(pin);
    const Bytes panField = format0PanField(pan);
    std::string nibbles = pinNibbles('0', pin, 'F');
    const WipedOnExit wipeNibbles(nibbles);
    Bytes pinField = fromHex(nibbles);
    const WipedOnExit wipePinField(pinField);
    return xorBytes(pinField, panField);
}

std::string decodeFormat0(ByteView block, std::string_view pan) {
    requireSize<LengthError>(block, kFormat0BlockSize, "a format 0 block");
    Bytes pinField = xorBytes(block, format0PanField(pan));
    const WipedOnExit wipePinField(pinField);
    std::string nibbles = toHex(pinField);
    const WipedOnExit wipeNibbles(nibbles);
    return readPin(nibbles, '0', 'F');
}

}  // namespace taplink::crypto
