// Management of the secure chip's applets (the load SAM and the payment applet) by the TSM,
// over a GlobalPlatform SCP03 channel (libs/gp): the applet AIDs, the per-chip management
// keys, the MANAGE command's data and the status answer. Every byte layout of it lives here;
// the simulated chip, taplink-server's TSM role and the tests use it. docs/chip.md,
// "Chip management", describes it in prose.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/gp/scp03_kdf.hpp"

namespace taplink::chip::mgmt {

using sam::Lifecycle;

enum class Applet : std::uint8_t {
    LoadSam = 1,
    Payment = 2,
};

std::string_view appletName(Applet applet);  // "load-sam", "payment"
std::optional<Applet> appletFromName(std::string_view name);
std::optional<Applet> appletFromNumber(std::uint64_t number);
// F0 "TAPLINKSAM" (sam::applicationId()) or F0 "TAPLINKPAY" = F0 54 41 50 4C 49 4E 4B 50 41 59.
Bytes appletAid(Applet applet);

// installed -> operational <-> locked, installed -> locked; nothing back to installed.
bool isAllowedTransition(Lifecycle from, Lifecycle to);
// What a MANAGE's C0 may ask: an allowed transition, or the state the applet is in already
// (a no-op answered 9000, so a TSM job whose answer was lost can run again).
bool isAcceptedLifecycleTarget(Lifecycle current, Lifecycle target);

// ISO/IEC 7816-5: an AID is a RID (5 bytes) followed by a PIX of 0..11 bytes.
inline constexpr std::size_t kMinAidSize = 5;
inline constexpr std::size_t kMaxAidSize = 16;
// The TSM master key of tsm-keys.json (docs/chip.md, "Management keys").
inline constexpr std::size_t kMasterKeySize = 32;

// SCP03 parameters of the chip's management channel (docs/chip.md).
inline constexpr std::uint8_t kKeyVersion = 0x30;
inline constexpr std::uint8_t kSecurityLevel = 0x33;  // C-MAC, C-DEC, R-MAC, R-ENC
inline constexpr std::size_t kDiversificationDataSize = 10;

namespace ins {
inline constexpr std::uint8_t kGetStatus = 0x30;  // 80 30 00 00 00 (load SAM: GET CHIP INFO)
inline constexpr std::uint8_t kManage = 0xE2;     // 84 E2 00 00 Lc <wrapped data> 00
}  // namespace ins

// A malformed MANAGE request, parameter set, key set or status answer.
class ManagementFormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Each of K-ENC, K-MAC, K-DEK (AES-128) = HKDF-SHA256(IKM = master, salt = none,
// info = "TapLink SCP03 v1" || role ('E', 'M', 'D') || AID || chip serial, L = 16).
inline constexpr std::string_view kManagementKdfLabel = "TapLink SCP03 v1";
gp::StaticKeys deriveManagementKeys(ByteView master, ByteView appletAid, ByteView chipSerial);
// The chip serial right-aligned in 10 bytes (left-padded with 00, or its rightmost 10 bytes).
Bytes diversificationData(ByteView chipSerial);

// --- MANAGE data (plain, before C-DEC): BER-TLV, each object at most once.
//   C1 parameters (payment applet only): DF01 version(4), E1 { 4F AID (5..16) x 1..8 },
//      DF03 per-transaction limit(4, fen), DF04 daily limit(4, fen), DF05 CVM limit(4, fen)
//   C2 keys (payment applet only): DF11 channel key(32), DF12 PIN key(16), DF13 token seed(20)
//   C3 allowance key (load SAM only): the server's allowance public key, P-256 04 || X || Y
//      (65), with which the SAM verifies each load authorization's signature
//   C0 lifecycle target(1): 02 operational, 03 locked; applied after C3, C2 and C1
// Empty data: a status read.
struct PaymentParameters {
    std::uint32_t version = 0;
    std::vector<Bytes> allowedAids;
    std::uint32_t perTransactionLimit = 0;
    std::uint32_t dailyLimit = 0;
    std::uint32_t cvmLimit = 0;

    Bytes encode() const;  // the value of C1
    static PaymentParameters parse(ByteView value);
};

// What a MANAGE's C1 may bring: a version above the current one (none: 0), or the current
// version with the very same content (a no-op, so a lost answer can be re-run). A lower
// version, or the same version with other content, is a rollback or a conflict.
bool isAcceptedParameterUpdate(const std::optional<PaymentParameters>& current,
                               const PaymentParameters& update);

inline constexpr std::size_t kChannelKeySize = 32;
inline constexpr std::size_t kPinKeySize = 16;
inline constexpr std::size_t kTokenSeedSize = 20;

struct PaymentKeys {
    Bytes channelKey;  // AES-256, shared with the payment server
    Bytes pinKey;      // AES-128, PIN blocks for the server
    Bytes tokenSeed;   // dynamic-token seed

    Bytes encode() const;  // the value of C2
    static PaymentKeys parse(ByteView value);
};

struct ManageRequest {
    std::optional<Lifecycle> lifecycle;
    std::optional<PaymentParameters> parameters;
    std::optional<PaymentKeys> keys;
    std::optional<Bytes> allowanceKey;  // 65

    Bytes encode() const;
    static ManageRequest parse(ByteView data);
};

// --- Status (MANAGE answer, plain; and the payment applet's plain GET STATUS):
//   80 lifecycle(1)  81 chip serial(1..32)  82 SCP03 sequence counter(3, MANAGE answer only)
//   84 parameter version(4; payment)  85 keys present(1: 00/01; the payment applet's C2, the
//   load SAM's allowance key C3)
// The load SAM's plain GET CHIP INFO stays sam::ChipInfo.
struct AppletStatus {
    Lifecycle lifecycle = Lifecycle::Installed;
    Bytes chipSerial;
    std::optional<std::uint32_t> sequenceCounter;
    std::optional<std::uint32_t> parametersVersion;
    std::optional<bool> keysPresent;

    Bytes encode() const;
    static AppletStatus parse(ByteView bytes);
};

// --- Commands.
apdu::CommandApdu selectApplet(Applet applet);  // 00 A4 04 00 0B <AID> 00
apdu::CommandApdu getStatus();                  // 80 30 00 00 00
// 80 E2 00 00 Lc <data> 00, before HostChannel::wrap (which sets CLA 84, encrypts, MACs).
apdu::CommandApdu manage(ByteView plainData);

// What a TSM does in one session, straight over a channel to the chip (tests and tools;
// taplink-server does the same through taplinkd's management script): SELECT, INITIALIZE
// UPDATE, EXTERNAL AUTHENTICATE, MANAGE, and the answer unwrapped. GpError for a channel
// failure; ManagementRefused for a MANAGE the applet refuses.
class ManagementRefused : public std::runtime_error {
  public:
    ManagementRefused(std::uint16_t statusWord, const std::string& message);
    std::uint16_t statusWord() const { return statusWord_; }

  private:
    std::uint16_t statusWord_;
};

struct ManagementSession {
    ByteView master;  // the TSM master key
    std::uint8_t keyVersion = kKeyVersion;
    ByteView chipSerial;
};

AppletStatus manageDirect(apdu::ApduChannel& channel, const ManagementSession& session,
                          Applet applet, const ManageRequest& request);

}  // namespace taplink::chip::mgmt
