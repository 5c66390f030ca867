// The TSM's side of the chip's management channel for tests: a whole session
// (chip::mgmt::manageDirect) with the published test master key, the one taplink-sim's chips
// are made with by default. Tests activate the load SAM this way, as the TSM would.
#pragma once

#include <cstdint>
#include <stdexcept>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/gp/secure_channel.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::testing {

inline chip::mgmt::AppletStatus manageWithTestKey(apdu::ApduChannel& channel, ByteView chipSerial,
                                                  chip::mgmt::Applet applet,
                                                  const chip::mgmt::ManageRequest& request) {
    const protocol::TsmMasterKey tsm = protocol::testTsmMasterKey();
    return chip::mgmt::manageDirect(channel, {tsm.master, tsm.keyVersion, chipSerial}, applet,
                                    request);
}

// SELECT and the SCP03 handshake, for tests that send their own (or tampered, or replayed)
// wrapped commands: the open host end of the channel.
inline gp::HostChannel openManagementChannel(apdu::ApduChannel& channel, ByteView chipSerial,
                                             chip::mgmt::Applet applet) {
    if (!channel.transmit(chip::mgmt::selectApplet(applet)).ok()) {
        throw std::runtime_error("test: SELECT of the applet failed");
    }
    const protocol::TsmMasterKey tsm = protocol::testTsmMasterKey();
    gp::HostChannel host(
        chip::mgmt::deriveManagementKeys(tsm.master, chip::mgmt::appletAid(applet), chipSerial),
        crypto::randomBytes(gp::kChallengeSize));
    const apdu::ResponseApdu answer = channel.transmit(host.initializeUpdate(tsm.keyVersion));
    host.confirm(channel.transmit(host.externalAuthenticate(answer, chip::mgmt::kSecurityLevel)));
    return host;
}

// The allowance key of in-process tests, one per test process: the key the test servers sign
// load authorizations with, whose public half activateLoadSam sets in the chip.
inline EVP_PKEY* testAllowanceKey() {
    static const crypto::PkeyPtr key = crypto::generateKey("EC", crypto::kP256Group);
    return key.get();
}

// What a server adds to a load authorization envelope for the load SAM.
inline Bytes signTestAllowance(ByteView chipSerial, ByteView envelope) {
    return crypto::signSha256(testAllowanceKey(),
                              chip::sam::encodeAllowanceStatement(chipSerial, envelope),
                              "test allowance");
}

// The load SAM's MANAGE for a lifecycle target, as the TSM sends it: activate and unlock carry
// the allowance key (C3), which an operational SAM needs.
inline chip::mgmt::ManageRequest samLifecycleRequest(chip::sam::Lifecycle target) {
    chip::mgmt::ManageRequest request;
    request.lifecycle = target;
    if (target == chip::sam::Lifecycle::Operational) {
        request.allowanceKey = crypto::uncompressedPoint(testAllowanceKey());
    }
    return request;
}

// Makes the chip's load SAM operational with testAllowanceKey() if it is still installed (the
// TSM's activate job), and leaves it selected.
inline void activateLoadSam(apdu::ApduChannel& channel) {
    chip::LoadSam sam(channel);
    if (!sam.select()) {
        throw chip::LoadSamError("SELECT load SAM", 0x6A82);
    }
    const chip::sam::ChipInfo info = sam.info();
    if (info.lifecycle == chip::sam::Lifecycle::Installed) {
        manageWithTestKey(channel, info.chipSerial, chip::mgmt::Applet::LoadSam,
                          samLifecycleRequest(chip::sam::Lifecycle::Operational));
    }
}

// A valid parameter set of that version: the PBOC debit and credit AIDs, 1000 / 5000 / 300 yuan.
inline chip::mgmt::PaymentParameters testPaymentParameters(std::uint32_t version) {
    chip::mgmt::PaymentParameters parameters;
    parameters.version = version;
    parameters.allowedAids = {fromHex("A000000333010101"), fromHex("A000000333010102")};
    parameters.perTransactionLimit = 100000;
    parameters.dailyLimit = 500000;
    parameters.cvmLimit = 30000;
    return parameters;
}

}  // namespace taplink::testing
