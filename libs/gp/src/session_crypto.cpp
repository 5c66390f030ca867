#include "session_crypto.hpp"

#include <algorithm>
#include <utility>

#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/block_cipher.hpp"
#include "taplink/crypto/cmac.hpp"
#include "taplink/crypto/constant_time.hpp"
#include "taplink/gp/gp_error.hpp"

namespace taplink::gp::detail {
namespace {

constexpr std::uint8_t kResponseIcvByte = 0x80;  // Amendment D 6.2.7
constexpr std::uint8_t kPaddingMark = 0x80;      // ISO/IEC 9797-1 padding method 2

crypto::Cipher aesFor(ByteView key) {
    switch (key.size()) {
        case 16:
            return crypto::Cipher::Aes128;
        case 24:
            return crypto::Cipher::Aes192;
        default:
            return crypto::Cipher::Aes256;  // the KDF made the keys 16, 24 or 32 bytes
    }
}

// ISO/IEC 9797-1 method 2 removed: the last non-zero byte must be 80, in the last block.
Bytes unpadMethod2(Bytes data, std::string_view what) {
    const auto mark =
        std::find_if(data.rbegin(), data.rend(), [](std::uint8_t b) { return b != 0; });
    if (mark == data.rend() || *mark != kPaddingMark ||
        static_cast<std::size_t>(mark - data.rbegin()) >= kAesBlock) {
        throw GpError(GpErrorCode::BadPadding, std::string(what) + ": padding is not 80 00..");
    }
    data.resize(data.size() - static_cast<std::size_t>(mark - data.rbegin()) - 1);
    return data;
}

void requireBlocks(ByteView data, std::string_view what) {
    if (data.empty() || data.size() % kAesBlock != 0) {
        throw GpError(GpErrorCode::BadLength, std::string(what) + ": " +
                                                  std::to_string(data.size()) +
                                                  " bytes is not whole AES blocks");
    }
}

}  // namespace

bool isProtectedStatus(std::uint16_t sw) {
    const auto sw1 = static_cast<std::uint8_t>(sw >> 8U);
    return sw == apdu::sw::kOk || sw1 == 0x62 || sw1 == 0x63;
}

SessionCrypto::SessionCrypto(SessionKeys keys, std::uint8_t securityLevel)
    : keys_(std::move(keys)), level_(securityLevel), chaining_(kAesBlock, 0x00) {}

Bytes SessionCrypto::commandMac(const apdu::CommandApdu& header, ByteView data) const {
    if (data.size() + kMacSize > apdu::kMaxShortLc) {
        throw GpError(GpErrorCode::BadLength, "C-MAC: " + std::to_string(data.size()) +
                                                  " data bytes do not fit a short APDU");
    }
    const Bytes input = ByteWriter()
                            .bytes(chaining_)
                            .u8(header.cla)
                            .u8(header.ins)
                            .u8(header.p1)
                            .u8(header.p2)
                            .u8(static_cast<std::uint8_t>(data.size() + kMacSize))
                            .bytes(data)
                            .take();
    return crypto::aesCmac(keys_.mac, input);
}

Bytes SessionCrypto::signCommand(const apdu::CommandApdu& header, ByteView data) {
    chaining_ = commandMac(header, data);
    return {chaining_.begin(), chaining_.begin() + kMacSize};
}

bool SessionCrypto::verifyCommand(const apdu::CommandApdu& header, ByteView data, ByteView mac) {
    Bytes full = commandMac(header, data);
    if (!crypto::constantTimeEqual(ByteView(full).first(kMacSize), mac)) {
        return false;
    }
    chaining_ = std::move(full);
    return true;
}

void SessionCrypto::nextCommand() {
    for (auto byte = counter_.rbegin(); byte != counter_.rend(); ++byte) {
        if (++*byte != 0) {
            return;  // no carry
        }
    }
}

Bytes SessionCrypto::icv(std::uint8_t firstByte) const {
    Bytes block(counter_.begin(), counter_.end());
    block[0] = firstByte;
    return crypto::encryptEcb(aesFor(keys_.enc), keys_.enc, block);
}

Bytes SessionCrypto::encryptCommandData(ByteView plain) const {
    return crypto::encryptCbc(aesFor(keys_.enc), keys_.enc, icv(counter_[0]),
                              crypto::padMethod2(plain, kAesBlock));
}

Bytes SessionCrypto::decryptCommandData(ByteView encrypted) const {
    requireBlocks(encrypted, "C-DECRYPTION");
    return unpadMethod2(
        crypto::decryptCbc(aesFor(keys_.enc), keys_.enc, icv(counter_[0]), encrypted),
        "C-DECRYPTION");
}

Bytes SessionCrypto::encryptResponseData(ByteView plain) const {
    return crypto::encryptCbc(aesFor(keys_.enc), keys_.enc, icv(kResponseIcvByte),
                              crypto::padMethod2(plain, kAesBlock));
}

Bytes SessionCrypto::decryptResponseData(ByteView encrypted) const {
    requireBlocks(encrypted, "R-ENCRYPTION");
    return unpadMethod2(
        crypto::decryptCbc(aesFor(keys_.enc), keys_.enc, icv(kResponseIcvByte), encrypted),
        "R-ENCRYPTION");
}

Bytes SessionCrypto::responseMac(ByteView data, std::uint16_t sw) const {
    const Bytes input = ByteWriter().bytes(chaining_).bytes(data).u16(sw).take();
    const Bytes full = crypto::aesCmac(keys_.rmac, input);
    return {full.begin(), full.begin() + kMacSize};
}

}  // namespace taplink::gp::detail
