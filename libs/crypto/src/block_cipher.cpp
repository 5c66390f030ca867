#include "taplink/crypto/block_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {
namespace {

enum class Mode { Ecb, Cbc };
enum class Direction { Encrypt, Decrypt };

// Key material copied for OpenSSL (e.g. K || K for single DES); wiped when it goes away.
class KeyBuffer {
  public:
    explicit KeyBuffer(ByteView key) : bytes_(key.begin(), key.end()) {}
    KeyBuffer(const KeyBuffer&) = delete;
    KeyBuffer& operator=(const KeyBuffer&) = delete;
    KeyBuffer(KeyBuffer&&) = delete;
    KeyBuffer& operator=(KeyBuffer&&) = delete;
    ~KeyBuffer() {
        if (!bytes_.empty()) {
            OPENSSL_cleanse(bytes_.data(), bytes_.size());
        }
    }

    void append(ByteView more) { bytes_.insert(bytes_.end(), more.begin(), more.end()); }
    [[nodiscard]] const std::uint8_t* data() const { return bytes_.data(); }

  private:
    Bytes bytes_;
};

std::string_view cipherName(Cipher cipher) {
    switch (cipher) {
        case Cipher::Des:
            return "DES";
        case Cipher::TripleDes:
            return "3DES";
        case Cipher::Sm4:
            return "SM4";
        case Cipher::Aes128:
            return "AES-128";
        case Cipher::Aes192:
            return "AES-192";
        case Cipher::Aes256:
            return "AES-256";
    }
    return "unknown cipher";
}

// OpenSSL algorithm name. Single DES is DES-EDE with K || K, so only the default provider
// is needed (plain DES lives in the legacy provider).
const char* evpName(Cipher cipher, Mode mode) {
    const bool ecb = mode == Mode::Ecb;
    switch (cipher) {
        case Cipher::Des:
        case Cipher::TripleDes:
            return ecb ? "DES-EDE-ECB" : "DES-EDE-CBC";
        case Cipher::Sm4:
            return ecb ? "SM4-ECB" : "SM4-CBC";
        case Cipher::Aes128:
            return ecb ? "AES-128-ECB" : "AES-128-CBC";
        case Cipher::Aes192:
            return ecb ? "AES-192-ECB" : "AES-192-CBC";
        case Cipher::Aes256:
            return ecb ? "AES-256-ECB" : "AES-256-CBC";
    }
    throw CryptoError("unknown cipher");
}

std::string operationName(Cipher cipher, Mode mode, Direction direction) {
    std::string name(cipherName(cipher));
    name += mode == Mode::Ecb ? "-ECB " : "-CBC ";
    name += direction == Direction::Encrypt ? "encrypt" : "decrypt";
    return name;
}

void checkKey(Cipher cipher, ByteView key, std::string_view context) {
    if (key.size() != keySize(cipher)) {
        throw CryptoError(std::string(context) + ": key must be " +
                          std::to_string(keySize(cipher)) + " bytes, got " +
                          std::to_string(key.size()));
    }
}

void checkBlocks(Cipher cipher, ByteView data, std::string_view context) {
    if (data.size() % blockSize(cipher) != 0) {
        throw CryptoError(std::string(context) + ": data length " + std::to_string(data.size()) +
                          " is not a multiple of the " + std::to_string(blockSize(cipher)) +
                          "-byte block");
    }
    if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw CryptoError(std::string(context) + ": data too long");
    }
}

// One ECB or CBC pass without padding over whole blocks. iv is ignored for ECB.
Bytes runCipher(Cipher cipher, Mode mode, Direction direction, ByteView key, ByteView iv,
                ByteView data) {
    const std::string context = operationName(cipher, mode, direction);
    checkKey(cipher, key, context);
    checkBlocks(cipher, data, context);
    if (mode == Mode::Cbc && iv.size() != blockSize(cipher)) {
        throw CryptoError(context + ": IV must be " + std::to_string(blockSize(cipher)) +
                          " bytes, got " + std::to_string(iv.size()));
    }

    KeyBuffer evpKey(key);
    if (cipher == Cipher::Des) {
        evpKey.append(key);  // DES-EDE with K || K is single DES under K
    }

    const char* name = evpName(cipher, mode);
    const CipherPtr evpCipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
    if (!evpCipher) {
        throwOpenSslError(context + ": EVP_CIPHER_fetch(" + name + ")");
    }
    const CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx) {
        throwOpenSslError(context + ": EVP_CIPHER_CTX_new");
    }
    const int enc = direction == Direction::Encrypt ? 1 : 0;
    const unsigned char* ivPtr = mode == Mode::Cbc ? iv.data() : nullptr;
    if (EVP_CipherInit_ex2(ctx.get(), evpCipher.get(), evpKey.data(), ivPtr, enc, nullptr) != 1) {
        throwOpenSslError(context + ": EVP_CipherInit_ex2");
    }
    if (EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
        throwOpenSslError(context + ": EVP_CIPHER_CTX_set_padding");
    }

    Bytes out(data.size());
    int written = 0;
    if (!data.empty()) {
        if (EVP_CipherUpdate(ctx.get(), out.data(), &written, data.data(),
                             static_cast<int>(data.size())) != 1) {
            throwOpenSslError(context + ": EVP_CipherUpdate");
        }
    }
    int finalWritten = 0;
    // With padding off and whole blocks in, the final call writes nothing; it still gets a
    // block-sized buffer of its own.
    std::array<std::uint8_t, 16> scratch{};
    if (EVP_CipherFinal_ex(ctx.get(), scratch.data(), &finalWritten) != 1) {
        throwOpenSslError(context + ": EVP_CipherFinal_ex");
    }
    if (static_cast<std::size_t>(written) != data.size() || finalWritten != 0) {
        throw CryptoError(context + ": OpenSSL returned " + std::to_string(written + finalWritten) +
                          " bytes for " + std::to_string(data.size()));
    }
    return out;
}

Bytes lastBlock(const Bytes& data, std::size_t block) {
    return {data.end() - static_cast<std::ptrdiff_t>(block), data.end()};
}

}  // namespace

std::size_t blockSize(Cipher cipher) {
    switch (cipher) {
        case Cipher::Des:
        case Cipher::TripleDes:
            return 8;
        case Cipher::Sm4:
        case Cipher::Aes128:
        case Cipher::Aes192:
        case Cipher::Aes256:
            return 16;
    }
    throw CryptoError("blockSize: unknown cipher");
}

std::size_t keySize(Cipher cipher) {
    switch (cipher) {
        case Cipher::Des:
            return 8;
        case Cipher::TripleDes:
        case Cipher::Sm4:
        case Cipher::Aes128:
            return 16;
        case Cipher::Aes192:
            return 24;
        case Cipher::Aes256:
            return 32;
    }
    throw CryptoError("keySize: unknown cipher");
}

Bytes encryptEcb(Cipher cipher, ByteView key, ByteView data) {
    return runCipher(cipher, Mode::Ecb, Direction::Encrypt, key, {}, data);
}

Bytes decryptEcb(Cipher cipher, ByteView key, ByteView data) {
    return runCipher(cipher, Mode::Ecb, Direction::Decrypt, key, {}, data);
}

Bytes encryptCbc(Cipher cipher, ByteView key, ByteView iv, ByteView data) {
    return runCipher(cipher, Mode::Cbc, Direction::Encrypt, key, iv, data);
}

Bytes decryptCbc(Cipher cipher, ByteView key, ByteView iv, ByteView data) {
    return runCipher(cipher, Mode::Cbc, Direction::Decrypt, key, iv, data);
}

Bytes padMethod2(ByteView data, std::size_t block) {
    if (block == 0) {
        throw CryptoError("padMethod2: block size must not be 0");
    }
    Bytes out(data.begin(), data.end());
    out.push_back(0x80);
    while (out.size() % block != 0) {
        out.push_back(0x00);
    }
    return out;
}

Bytes cbcMac(Cipher cipher, ByteView key, ByteView data) {
    const std::size_t block = blockSize(cipher);
    const Bytes zeroIv(block, 0x00);
    const Bytes chained = encryptCbc(cipher, key, zeroIv, padMethod2(data, block));
    return lastBlock(chained, block);
}

Bytes retailMac(ByteView key, ByteView data) {
    if (key.size() != 16) {
        throw CryptoError("retailMac: key must be 16 bytes (K1 || K2), got " +
                          std::to_string(key.size()));
    }
    const ByteView k1 = key.first(8);
    const ByteView k2 = key.last(8);
    const Bytes h = cbcMac(Cipher::Des, k1, data);
    return encryptEcb(Cipher::Des, k1, decryptEcb(Cipher::Des, k2, h));
}

}  // namespace taplink::crypto
