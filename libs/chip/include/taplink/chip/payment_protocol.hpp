// The payment applet's purchase commands (docs/chip.md, "Payment applet: purchase"): every
// byte layout of them, the commands, and the sealed purchase the server opens. The simulated
// chip, the (later) server's acquirer and the tests use it. EMV tags are EMV 4.3 Book 3
// Annex A1's (taplink/emv/emv_tags.hpp); the DFxx and Ex tags are TapLink's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/crypto/aes_gcm.hpp"
#include "taplink/crypto/pin_block.hpp"

namespace taplink::chip::pay {

inline constexpr std::uint8_t kCla = 0x80;  // proprietary, ISO/IEC 7816-4 5.4.1

// Instructions, CLA 80, after SELECT of the payment applet; plain (not inside SCP03).
namespace ins {
inline constexpr std::uint8_t kBeginPurchase = 0x40;  // 80 40 00 00 Lc <request> 00
inline constexpr std::uint8_t kPutCardData = 0x42;    // 80 42 00 00 Lc <BER-TLV objects>
inline constexpr std::uint8_t kSeal = 0x44;           // 80 44 00 00 00 (61xx when long)
inline constexpr std::uint8_t kPutPin = 0x46;         // 80 46 00 00 Lc <PIN, ASCII digits>
inline constexpr std::uint8_t kGenerateToken = 0x48;  // 80 48 00 00 08 <challenge> 00
}  // namespace ins

// Proprietary status words, in the 94xx range PBOC's purchase errors use; with them the
// ISO/IEC 7816-4 5.6 ones 6985, 6A80, 6A86, 6700 and 6D00.
namespace sw {
inline constexpr std::uint16_t kOverTransactionLimit = 0x9401;
inline constexpr std::uint16_t kOverDailyLimit = 0x9402;
inline constexpr std::uint16_t kAidNotAllowed = 0x9403;
inline constexpr std::uint16_t kCardExpired = 0x9404;
inline constexpr std::uint16_t kCardDataFull = 0x6A84;  // ISO/IEC 7816-4 5.6: not enough memory
}  // namespace sw

// TapLink's tags (private class, ISO/IEC 8825-1 8.1.2.2).
namespace tag {
inline constexpr std::uint32_t kOrderReference = 0xDF21;  // 32: SHA-256 of the order id
inline constexpr std::uint32_t kPurchaseNumber = 0xDF22;  // 4: the applet's counter
inline constexpr std::uint32_t kCvmDecision = 0xDF23;     // 1: Cvm
inline constexpr std::uint32_t kPinBlock = 0xDF24;        // 16: format 4, under the PIN key
inline constexpr std::uint32_t kTokenCode = 0xDF31;       // 8 ASCII digits
inline constexpr std::uint32_t kTokenCounter = 0xDF32;    // 8, big-endian
inline constexpr std::uint32_t kSealedPurchase = 0xE3;    // the sealed plaintext's template
inline constexpr std::uint32_t kCardData = 0xE4;          // the card's objects, as received
}  // namespace tag

inline constexpr std::size_t kOrderReferenceSize = 32;
inline constexpr std::size_t kUnpredictableNumberSize = 4;  // EMV Book 3 Annex A1, 9F37
inline constexpr std::size_t kPurchaseNumberSize = 4;
inline constexpr std::size_t kMaxCardDataSize = 2048;  // PUT CARD DATA bytes per purchase
inline constexpr std::size_t kMinPinDigits = 4;        // ISO 9564-1 8.1
inline constexpr std::size_t kMaxPinDigits = 12;
inline constexpr std::size_t kTokenChallengeDigits = 8;            // QN08
inline constexpr std::size_t kTokenCounterSize = 8;                // RFC 6287 5.1, C
inline constexpr std::size_t kSealNonceSize = crypto::kGcmIvSize;  // NIST SP 800-38D 5.2.1.1
inline constexpr std::size_t kSealTagSize = crypto::kGcmTagSize;
// DF24: ISO 9564-1 9.4.2 format 4, one AES block.
inline constexpr std::size_t kPinBlockSize = crypto::kFormat4BlockSize;
inline constexpr std::string_view kSealAadLabel = "TapLink purchase v1";
inline constexpr std::uint8_t kGoodsAndServices = 0x00;  // 9C, ISO 8583:1987 processing code
inline constexpr std::uint16_t kCurrencyCny = 156;       // 5F2A, ISO 4217
inline constexpr std::size_t kCurrencySize = 2;          // 5F2A n3 (EMV Book 3 Annex A1)

// A malformed request, answer or sealed plaintext.
class PurchaseFormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class SealErrorCode {
    TooShort,      // fewer bytes than nonce and tag
    NotAuthentic,  // the GCM tag does not verify: altered, another key or another chip
};

class SealError : public std::runtime_error {
  public:
    SealError(SealErrorCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    SealErrorCode code() const { return code_; }

  private:
    SealErrorCode code_;
};

// DF23: the cardholder verification the applet asks for.
enum class Cvm : std::uint8_t {
    None = 0x00,
    OnlinePin = 0x01,  // amount above the CVM limit
};

// BEGIN PURCHASE data: each object exactly once, canonical BER-TLV, any order.
//   9F02 amount authorised (n12, 6; fen)  5F2A currency (n3, 2)  9A date (n6 YYMMDD, 3)
//   9C transaction type (1)  4F the card application's AID (5..16)  DF21 order reference (32)
struct PurchaseRequest {
    std::uint64_t amount = 0;
    std::uint16_t currency = kCurrencyCny;
    Bytes date;  // YYMMDD, 3 bytes of n
    std::uint8_t type = kGoodsAndServices;
    Bytes aid;
    Bytes orderReference;

    std::vector<tlv::Tlv> objects() const;  // in the order of the list above
    Bytes encode() const;
    static PurchaseRequest parse(ByteView data);
};

// BEGIN PURCHASE answer: 9F37 unpredictable number (4), DF22 purchase number (4), DF23 CVM (1).
struct PurchaseStart {
    Bytes unpredictableNumber;
    std::uint32_t purchaseNumber = 0;
    Cvm cvm = Cvm::None;

    Bytes encode() const;
    static PurchaseStart parse(ByteView bytes);
};

// GENERATE TOKEN answer: DF31 code (8 ASCII digits), DF32 counter used (8).
struct TokenAnswer {
    std::string code;
    std::uint64_t counter = 0;

    Bytes encode() const;
    static TokenAnswer parse(ByteView bytes);
};

// The sealed plaintext: E3 { DF22, 9F37, 9F02, 5F2A, 9A, 9C, 4F, DF21, E4 { card data },
// DF24 PIN block (only for online PIN) }. The card data objects keep the order received.
struct SealedPurchase {
    std::uint32_t purchaseNumber = 0;
    Bytes unpredictableNumber;
    PurchaseRequest request;
    std::vector<tlv::Tlv> cardData;
    std::optional<Bytes> pinBlock;

    Bytes encode() const;
    static SealedPurchase parse(ByteView bytes);
};

// AAD = "TapLink purchase v1" || chip serial: a seal opens only for the chip that made it.
Bytes sealAad(ByteView chipSerial);
// nonce (12, from the RNG) || AES-256-GCM ciphertext || tag (16) under the channel key (32).
Bytes sealPurchase(ByteView channelKey, ByteView chipSerial, const SealedPurchase& purchase);
// The server's side: SealError for a seal that does not verify, PurchaseFormatError for an
// authentic plaintext that does not parse.
SealedPurchase openSealedPurchase(ByteView channelKey, ByteView chipSerial, ByteView sealed);

// Card data checks SEAL makes (EMV Book 3 Annex A1 formats).
// 9F27 bits 8-7: 00 AAC, 01 TC, 10 ARQC (EMV Book 3 Table 14).
bool isArqc(std::uint8_t cryptogramInformation);
// The digits of a PAN 5A (cn: digits, padded with F nibbles at the end); nullopt when a
// nibble is not a digit before the padding or the padding is not F.
std::optional<std::string> panDigits(ByteView pan);
// YYMMDD dates in order (emv::dateOrder); PurchaseFormatError when one is not a date.
bool isBefore(ByteView yymmdd, ByteView other);
// ASCII digits only (a PIN, a token challenge or code); true for an empty text.
template <std::ranges::input_range Text>
bool isDigits(const Text& text) {
    return std::ranges::all_of(text, [](auto c) { return c >= '0' && c <= '9'; });
}
// A PIN as ISO 9564-1 8.1 allows it: kMinPinDigits..kMaxPinDigits ASCII digits. The one
// check of the daemon, the server, the applet and the trusted UI's answer.
bool isValidPin(std::string_view pin);

// --- Commands.
apdu::CommandApdu beginPurchase(const PurchaseRequest& request);
apdu::CommandApdu putCardData(ByteView objects);
apdu::CommandApdu putPin(std::string_view pin);
apdu::CommandApdu seal();  // Le 00: a long answer comes by 61xx and GET RESPONSE
apdu::CommandApdu generateToken(std::string_view challenge);

namespace detail {
// sealPurchase with a given nonce, for known-answer tests only: a nonce must never repeat.
Bytes sealPurchaseWithNonce(ByteView channelKey, ByteView chipSerial,
                            const SealedPurchase& purchase, ByteView nonce);
}  // namespace detail

}  // namespace taplink::chip::pay
