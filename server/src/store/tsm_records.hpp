// What the store keeps for the TSM role (docs/server.md, "Chip management"): the jobs it
// queues for a chip's applets, what each applet last told it inside an authenticated
// channel, the payment applet's keys (sealed) and the parameter set last queued.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "taplink/base/bytes.hpp"
#include "taplink/chip/chip_management.hpp"

namespace taplink::server {

enum class TsmJobState { Pending, Done, Refused };
std::string_view toString(TsmJobState state);  // "pending", "done", "refused"

struct TsmJobRecord {
    std::string jobId;       // "TSM-" + 20 base32 characters
    std::string chipSerial;  // upper-case hex
    chip::mgmt::Applet applet = chip::mgmt::Applet::LoadSam;
    std::string operation;  // activate, lock, unlock, status, personalise, update-params
    // The plain MANAGE data without C2: a job that carries keys takes them from the sealed
    // keys of its chip when its channel opens, so no key is kept in a job.
    Bytes request;
    bool carriesKeys = false;
    TsmJobState state = TsmJobState::Pending;
    std::optional<std::uint16_t> statusWord;  // of the MANAGE that finished it
    std::int64_t createdAt = 0;
    std::optional<std::int64_t> finishedAt;
};

// What a new job asks for; the store gives the parameters their version (the last queued for
// the chip + 1) and encodes the request.
struct TsmJobDraft {
    std::string chipSerial;
    chip::mgmt::Applet applet = chip::mgmt::Applet::LoadSam;
    std::string operation;
    std::optional<chip::mgmt::Lifecycle> lifecycle;
    std::optional<chip::mgmt::PaymentParameters> parameters;
    bool carriesKeys = false;
};

// An applet as its last authenticated MANAGE answer described it.
struct TsmAppletRecord {
    std::string chipSerial;
    chip::mgmt::Applet applet = chip::mgmt::Applet::LoadSam;
    std::optional<chip::mgmt::Lifecycle> lifecycle;  // none before its first answer
    std::uint32_t parametersVersion = 0;
    bool keysPresent = false;
    std::optional<std::uint32_t> sequenceCounter;  // the highest accepted
    std::int64_t updatedAt = 0;
};

// The payment parameters last queued for a chip (their C1 value).
struct TsmParametersRecord {
    std::string chipSerial;
    std::uint32_t version = 0;
    Bytes value;
    std::string jobId;
    std::int64_t queuedAt = 0;
};

enum class TsmCounterOutcome { Accepted, Replay };

// The chip's parameter version is already 2^32 - 1: a new set would wrap to 0, which the
// chip refuses as a rollback.
class TsmVersionExhausted : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace taplink::server
