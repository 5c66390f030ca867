// The MANAGE data and the status answer of chip/chip_management.hpp (docs/chip.md, "Chip
// management"). Parsing is strict: only the tags of the layout, each at most once, in
// canonical BER-TLV (no padding, shortest lengths), every value of its exact size.
#include <initializer_list>
#include <string>

#include "strict_tlv.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/chip/chip_management.hpp"

namespace taplink::chip::mgmt {
namespace {

// MANAGE data (docs/chip.md, "MANAGE").
constexpr std::uint32_t kTagLifecycleTarget = 0xC0;
constexpr std::uint32_t kTagParameters = 0xC1;
constexpr std::uint32_t kTagKeys = 0xC2;
constexpr std::uint32_t kTagAllowanceKey = 0xC3;
// Parameters (the value of C1).
constexpr std::uint32_t kTagParametersVersion = 0xDF01;
constexpr std::uint32_t kTagAllowedAids = 0xE1;
constexpr std::uint32_t kTagAid = 0x4F;  // ISO/IEC 7816-4 application identifier
constexpr std::uint32_t kTagPerTransactionLimit = 0xDF03;
constexpr std::uint32_t kTagDailyLimit = 0xDF04;
constexpr std::uint32_t kTagCvmLimit = 0xDF05;
// Keys (the value of C2).
constexpr std::uint32_t kTagChannelKey = 0xDF11;
constexpr std::uint32_t kTagPinKey = 0xDF12;
constexpr std::uint32_t kTagTokenSeed = 0xDF13;
// Status answer.
constexpr std::uint32_t kTagLifecycle = 0x80;
constexpr std::uint32_t kTagChipSerial = 0x81;
constexpr std::uint32_t kTagSequenceCounter = 0x82;
constexpr std::uint32_t kTagParametersVersionStatus = 0x84;
constexpr std::uint32_t kTagKeysPresent = 0x85;

constexpr std::size_t kMaxAllowedAids = 8;
constexpr std::size_t kSequenceCounterSize = 3;
constexpr std::uint32_t kMaxSequenceCounter = 0xFFFFFF;

std::vector<tlv::Tlv> strictObjects(ByteView bytes, std::initializer_list<std::uint32_t> allowed,
                                    const std::string& what) {
    return detail::strictObjects<ManagementFormatError>(bytes, allowed, what);
}

using detail::topLevel;

const tlv::Tlv& requiredObject(const std::vector<tlv::Tlv>& objects, std::uint32_t tag,
                               const std::string& what) {
    const tlv::Tlv* found = topLevel(objects, tag);
    if (found == nullptr) {
        throw ManagementFormatError(what + ": no tag " + toHex(tlv::encodeTag(tag)));
    }
    return *found;
}

const Bytes& requiredValue(const std::vector<tlv::Tlv>& objects, std::uint32_t tag,
                           const std::string& what) {
    return requiredObject(objects, tag, what).value;
}

Bytes sizedValue(const std::vector<tlv::Tlv>& objects, std::uint32_t tag, std::size_t size,
                 const std::string& what) {
    const Bytes& value = requiredValue(objects, tag, what);
    requireSize<ManagementFormatError>(value, size, what + " " + toHex(tlv::encodeTag(tag)));
    return value;
}

std::uint32_t u32Value(const std::vector<tlv::Tlv>& objects, std::uint32_t tag,
                       const std::string& what) {
    return static_cast<std::uint32_t>(bigEndian(sizedValue(objects, tag, 4, what)));
}

Bytes u32Bytes(std::uint32_t value) {
    return ByteWriter().u32(value).take();
}

void requireAidCount(std::size_t count) {
    if (count == 0 || count > kMaxAllowedAids) {
        throw ManagementFormatError("payment parameters: 1..8 allowed AIDs, got " +
                                    std::to_string(count));
    }
}

void requireAid(ByteView aid) {
    if (aid.size() < kMinAidSize || aid.size() > kMaxAidSize) {
        throw ManagementFormatError("payment parameters: an allowed AID is 5..16 bytes");
    }
}

std::vector<Bytes> allowedAidsOf(const tlv::Tlv& list) {
    if (list.children.empty() && !list.value.empty()) {
        throw ManagementFormatError("payment parameters: E1 holds no AID objects");
    }
    std::vector<Bytes> aids;
    for (const tlv::Tlv& aid : list.children) {
        if (aid.tag != kTagAid) {
            throw ManagementFormatError("payment parameters: E1 holds a tag other than 4F");
        }
        requireAid(aid.value);
        aids.push_back(aid.value);
    }
    requireAidCount(aids.size());
    return aids;
}

Lifecycle lifecycleValue(ByteView value, const std::string& what) {
    requireSize<ManagementFormatError>(value, 1, what);
    const auto state = sam::lifecycleFromByte(value[0]);
    if (!state) {
        throw ManagementFormatError(what + ": unknown state " + toHex(value));
    }
    return *state;
}

std::optional<std::uint32_t> optionalU32(const std::vector<tlv::Tlv>& objects, std::uint32_t tag,
                                         std::size_t size, const std::string& what) {
    if (topLevel(objects, tag) == nullptr) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(bigEndian(sizedValue(objects, tag, size, what)));
}

std::optional<bool> keysPresentOf(const std::vector<tlv::Tlv>& objects) {
    if (topLevel(objects, kTagKeysPresent) == nullptr) {
        return std::nullopt;
    }
    const Bytes value = sizedValue(objects, kTagKeysPresent, 1, "applet status: keys present");
    if (value[0] > 1) {
        throw ManagementFormatError("applet status: keys present is not 00 or 01");
    }
    return value[0] == 1;
}

void requireSerial(ByteView serial, const std::string& what) {
    if (serial.empty() || serial.size() > sam::kMaxChipSerialSize) {
        throw ManagementFormatError(what + ": a chip serial is 1..32 bytes");
    }
}

}  // namespace

// --- C1: DF01 version, E1 { 4F AID ... }, DF03, DF04, DF05 (all required, in this order).

Bytes PaymentParameters::encode() const {
    requireAidCount(allowedAids.size());
    std::vector<tlv::Tlv> aids;
    for (const Bytes& aid : allowedAids) {
        requireAid(aid);
        aids.push_back(tlv::Tlv::primitive(kTagAid, aid));
    }
    ByteWriter out;
    for (const tlv::Tlv& object :
         {tlv::Tlv::primitive(kTagParametersVersion, u32Bytes(version)),
          tlv::Tlv::constructedOf(kTagAllowedAids, std::move(aids)),
          tlv::Tlv::primitive(kTagPerTransactionLimit, u32Bytes(perTransactionLimit)),
          tlv::Tlv::primitive(kTagDailyLimit, u32Bytes(dailyLimit)),
          tlv::Tlv::primitive(kTagCvmLimit, u32Bytes(cvmLimit))}) {
        out.bytes(object.encode());
    }
    return out.take();
}

PaymentParameters PaymentParameters::parse(ByteView value) {
    const std::string what = "payment parameters";
    const auto objects = strictObjects(value,
                                       {kTagParametersVersion, kTagAllowedAids,
                                        kTagPerTransactionLimit, kTagDailyLimit, kTagCvmLimit},
                                       what);
    PaymentParameters parameters;
    parameters.version = u32Value(objects, kTagParametersVersion, what);
    parameters.allowedAids = allowedAidsOf(requiredObject(objects, kTagAllowedAids, what));
    parameters.perTransactionLimit = u32Value(objects, kTagPerTransactionLimit, what);
    parameters.dailyLimit = u32Value(objects, kTagDailyLimit, what);
    parameters.cvmLimit = u32Value(objects, kTagCvmLimit, what);
    return parameters;
}

// Parsing is canonical, so equal encodings are equal parameter sets.
bool isAcceptedParameterUpdate(const std::optional<PaymentParameters>& current,
                               const PaymentParameters& update) {
    const std::uint32_t version = current ? current->version : 0;
    if (update.version != version) {
        return update.version > version;
    }
    return current && current->encode() == update.encode();
}

// --- C2: DF11 channel key(32), DF12 PIN key(16), DF13 token seed(20), all three.

Bytes PaymentKeys::encode() const {
    requireSize<ManagementFormatError>(channelKey, kChannelKeySize, "payment keys: channel key");
    requireSize<ManagementFormatError>(pinKey, kPinKeySize, "payment keys: PIN key");
    requireSize<ManagementFormatError>(tokenSeed, kTokenSeedSize, "payment keys: token seed");
    return ByteWriter()
        .bytes(tlv::Tlv::primitive(kTagChannelKey, channelKey).encode())
        .bytes(tlv::Tlv::primitive(kTagPinKey, pinKey).encode())
        .bytes(tlv::Tlv::primitive(kTagTokenSeed, tokenSeed).encode())
        .take();
}

PaymentKeys PaymentKeys::parse(ByteView value) {
    const std::string what = "payment keys";
    const auto objects = strictObjects(value, {kTagChannelKey, kTagPinKey, kTagTokenSeed}, what);
    return PaymentKeys{sizedValue(objects, kTagChannelKey, kChannelKeySize, what),
                       sizedValue(objects, kTagPinKey, kPinKeySize, what),
                       sizedValue(objects, kTagTokenSeed, kTokenSeedSize, what)};
}

// --- MANAGE data: C3, C2, C1, C0 (in that order when encoded; any order when parsed).

namespace {

// C3: a P-256 point, uncompressed (whether it is on the curve is the applet's check).
const Bytes& requireAllowanceKey(const Bytes& point) {
    if (point.size() != sam::kEcPointSize || point.front() != 0x04) {
        throw ManagementFormatError("MANAGE: the allowance key is a 65-byte point 04 || X || Y");
    }
    return point;
}

}  // namespace

Bytes ManageRequest::encode() const {
    ByteWriter out;
    if (allowanceKey) {
        out.bytes(
            tlv::Tlv::primitive(kTagAllowanceKey, requireAllowanceKey(*allowanceKey)).encode());
    }
    if (keys) {
        out.bytes(tlv::Tlv::primitive(kTagKeys, keys->encode()).encode());
    }
    if (parameters) {
        out.bytes(tlv::Tlv::primitive(kTagParameters, parameters->encode()).encode());
    }
    if (lifecycle) {
        if (*lifecycle == Lifecycle::Installed) {
            throw ManagementFormatError("MANAGE: the lifecycle target is 02 or 03");
        }
        out.bytes(tlv::Tlv::primitive(kTagLifecycleTarget, {static_cast<std::uint8_t>(*lifecycle)})
                      .encode());
    }
    return out.take();
}

ManageRequest ManageRequest::parse(ByteView data) {
    const std::string what = "MANAGE";
    const auto objects = strictObjects(
        data, {kTagLifecycleTarget, kTagParameters, kTagKeys, kTagAllowanceKey}, what);
    ManageRequest request;
    if (const tlv::Tlv* allowanceKey = topLevel(objects, kTagAllowanceKey)) {
        request.allowanceKey = requireAllowanceKey(allowanceKey->value);
    }
    if (const tlv::Tlv* target = topLevel(objects, kTagLifecycleTarget)) {
        request.lifecycle = lifecycleValue(target->value, "MANAGE: lifecycle target");
        if (*request.lifecycle == Lifecycle::Installed) {
            throw ManagementFormatError("MANAGE: the lifecycle target is 02 or 03");
        }
    }
    if (const tlv::Tlv* parameters = topLevel(objects, kTagParameters)) {
        request.parameters = PaymentParameters::parse(parameters->value);
    }
    if (const tlv::Tlv* keys = topLevel(objects, kTagKeys)) {
        request.keys = PaymentKeys::parse(keys->value);
    }
    return request;
}

// --- Status: 80 lifecycle, 81 serial, [82 counter(3)], [84 version(4)], [85 keys(1)].

Bytes AppletStatus::encode() const {
    requireSerial(chipSerial, "applet status");
    ByteWriter out;
    out.bytes(tlv::Tlv::primitive(kTagLifecycle, {static_cast<std::uint8_t>(lifecycle)}).encode());
    out.bytes(tlv::Tlv::primitive(kTagChipSerial, chipSerial).encode());
    if (sequenceCounter) {
        if (*sequenceCounter > kMaxSequenceCounter) {
            throw ManagementFormatError("applet status: sequence counter beyond 3 bytes");
        }
        const Bytes counter = ByteWriter().number(*sequenceCounter, kSequenceCounterSize).take();
        out.bytes(tlv::Tlv::primitive(kTagSequenceCounter, counter).encode());
    }
    if (parametersVersion) {
        out.bytes(tlv::Tlv::primitive(kTagParametersVersionStatus, u32Bytes(*parametersVersion))
                      .encode());
    }
    if (keysPresent) {
        out.bytes(
            tlv::Tlv::primitive(kTagKeysPresent, {*keysPresent ? std::uint8_t{1} : std::uint8_t{0}})
                .encode());
    }
    return out.take();
}

AppletStatus AppletStatus::parse(ByteView bytes) {
    const std::string what = "applet status";
    const auto objects = strictObjects(bytes,
                                       {kTagLifecycle, kTagChipSerial, kTagSequenceCounter,
                                        kTagParametersVersionStatus, kTagKeysPresent},
                                       what);
    AppletStatus status;
    status.lifecycle =
        lifecycleValue(requiredValue(objects, kTagLifecycle, what), "applet status: lifecycle");
    status.chipSerial = requiredValue(objects, kTagChipSerial, what);
    requireSerial(status.chipSerial, what);
    status.sequenceCounter =
        optionalU32(objects, kTagSequenceCounter, kSequenceCounterSize, what + " counter");
    status.parametersVersion =
        optionalU32(objects, kTagParametersVersionStatus, 4, what + " parameters version");
    status.keysPresent = keysPresentOf(objects);
    return status;
}

}  // namespace taplink::chip::mgmt
