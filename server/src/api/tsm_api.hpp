// The device API's chip management (TSM) endpoints (docs/server.md, "Chip management"): the
// server holds the chips' management keys and builds every SCP03 message itself; the device
// only relays them to its chip with the signed chip-manage script. DeviceApi routes here
// after it has identified the device by its certificate and refused a revoked one; every
// ApiError is written to the event log there. Any other failure of a job's step becomes an
// ApiError 500 tsm_internal naming the job, so that it is logged too.
#pragma once

#include <optional>
#include <string>

#include "api/device_identity.hpp"
#include "api/tsm_sessions.hpp"
#include "http/http_message.hpp"
#include "store/server_store.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::server {

struct TsmSettings {
    std::optional<protocol::TsmMasterKey> masterKey;  // none: 503 tsm_unavailable
    bool activateEnrolledChips = true;
    // The allowance public key (P-256, 04 || X || Y) that every MANAGE making a load SAM
    // operational sets (C3), so that the SAM checks the server's allowance itself.
    Bytes allowanceKey;
};

class TsmApi {
  public:
    static constexpr std::size_t kMaxSyncJobs = 8;

    TsmApi(ServerStore& store, TsmSettings settings);

    // Each throws ApiError for a refusal.
    http::Response sync(const http::Request& request, const DeviceIdentity& device);
    http::Response open(const http::Request& request, const DeviceIdentity& device,
                        const std::string& jobId);
    http::Response authenticate(const http::Request& request, const DeviceIdentity& device,
                                const std::string& jobId);
    http::Response result(const http::Request& request, const DeviceIdentity& device,
                          const std::string& jobId);

  private:
    http::Response openJob(const http::Request& request, const DeviceIdentity& device,
                           const std::string& jobId);
    http::Response authenticateJob(const http::Request& request, const DeviceIdentity& device,
                                   const std::string& jobId);
    http::Response finishJob(const http::Request& request, const DeviceIdentity& device,
                             const std::string& jobId);
    const protocol::TsmMasterKey& masterKey() const;
    // The device's own pending job; 404 job_not_found otherwise.
    TsmJobRecord pendingJob(const DeviceIdentity& device, const std::string& jobId) const;
    // The host side of a run with this host challenge: the chip's keys, the last accepted
    // counter, and only pseudo-random card challenges (which bind the counter).
    gp::HostChannel hostChannel(const TsmJobRecord& job, const DeviceIdentity& device,
                                Bytes hostChallenge) const;
    // Checks the INITIALIZE UPDATE answer; the EXTERNAL AUTHENTICATE data; then persists the
    // counter (only an accepted answer's).
    Bytes handshake(gp::HostChannel& channel, const TsmJobRecord& job, const DeviceIdentity& device,
                    ByteView initializeUpdate);
    // The wrapped MANAGE data (C-DEC data || C-MAC).
    Bytes wrappedManage(gp::HostChannel& channel, const TsmJobRecord& job) const;
    Bytes manageData(const TsmJobRecord& job) const;
    std::optional<chip::mgmt::AppletStatus> answeredStatus(gp::HostChannel& channel,
                                                           const DeviceIdentity& device,
                                                           std::uint16_t statusWord,
                                                           ByteView answer) const;

    ServerStore& store_;
    TsmSettings settings_;
    std::optional<Bytes> sealKey_;  // of the payment keys (api/tsm_jobs.hpp)
    TsmSessions sessions_;
};

}  // namespace taplink::server
