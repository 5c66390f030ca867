// What a device is made of before taplinkd runs on it, made in the test: the secure chip
// enrolled the way taplink-enroll does it (a key generated in the chip, a certificate from a
// test device CA naming the chip serial and its load SAM key, the SAM made operational by
// the test TSM), and the recharge script signed with a script-signing key of the test's.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "card/virtual_card.hpp"
#include "script/signed_script.hpp"
#include "signed_scripts.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::service::testing {

inline constexpr const char* kChipPin = "123456";

struct EnrolledChip {
    std::shared_ptr<sim::VirtualCard> card;
    crypto::X509Ptr certificate;  // the device certificate now in PIV slot 9A
};

// A new simulated secure chip (in memory), enrolled.
EnrolledChip makeEnrolledChip();

using ::taplink::testing::makeEnvelope;
using ::taplink::testing::makeSigningKey;
using ::taplink::testing::readRechargeScript;
using ::taplink::testing::signBytes;
using ::taplink::testing::trustedKeyOf;

}  // namespace taplink::service::testing
