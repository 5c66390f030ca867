// Block ciphers and MACs, all computed by OpenSSL 3 (EVP); nothing here is hand-rolled.
#pragma once

#include <cstddef>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/crypto_error.hpp"

namespace taplink::crypto {

enum class Cipher {
    Des,        // single DES, 8-byte key (computed as DES-EDE with K || K)
    TripleDes,  // two-key triple DES EDE, 16-byte key K1 || K2
    Sm4,        // SM4 (GB/T 32907), 16-byte key
    Aes128,     // AES (FIPS 197), 16-byte key
    Aes192,     // 24-byte key
    Aes256,     // 32-byte key
};

std::size_t blockSize(Cipher cipher);  // 8 for DES and triple DES, 16 for SM4 and AES
std::size_t keySize(Cipher cipher);

// ECB and CBC without padding: the data must be whole blocks.
Bytes encryptEcb(Cipher cipher, ByteView key, ByteView data);
Bytes decryptEcb(Cipher cipher, ByteView key, ByteView data);
Bytes encryptCbc(Cipher cipher, ByteView key, ByteView iv, ByteView data);
Bytes decryptCbc(Cipher cipher, ByteView key, ByteView iv, ByteView data);

// ISO/IEC 9797-1 padding method 2: one 80 byte, then 00 up to a block boundary (always added).
Bytes padMethod2(ByteView data, std::size_t block);

// ISO/IEC 9797-1 MAC algorithm 1: CBC with IV 0 over the data padded by method 2; the last
// ciphertext block.
Bytes cbcMac(Cipher cipher, ByteView key, ByteView data);

// ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with a 16-byte key K1 || K2: single-DES CBC
// under K1 over the data padded by method 2, then the last block decrypted under K2 and
// encrypted under K1. 8 bytes.
Bytes retailMac(ByteView key, ByteView data);

}  // namespace taplink::crypto
