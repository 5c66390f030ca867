// The secure chip's management by the TSM (taplink-server; docs/daemon.md, "Chip
// management"): taplinkd reads the applets' lifecycles in the clear, asks the server for the
// chip's pending jobs and runs each with the server's signed chip-manage script, by the same
// engine and under the daemon's own APDU policy as the recharge scripts. The SCP03 channel is
// between the TSM and the chip: taplinkd relays it and never holds a management key.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/script_version_journal.hpp"
#include "net/tsm_server.hpp"
#include "script/signed_script.hpp"
#include "service/chip_session.hpp"
#include "service/topup_errors.hpp"
#include "taplink/chip/chip_management.hpp"

namespace taplink::service {

// One applet as the chip answers its plain status read (GET CHIP INFO, GET STATUS).
struct AppletState {
    chip::mgmt::Applet applet = chip::mgmt::Applet::LoadSam;
    chip::sam::Lifecycle lifecycle = chip::sam::Lifecycle::Installed;
    std::optional<std::uint32_t> parametersVersion;  // the payment applet's
    std::optional<bool> keysPresent;                 // the payment applet's
};

// How one job went: "done" (the chip did it), "refused" (the chip said no; statusWord
// says why) or "failed" (the run stopped: the server, the script or the chip; message).
struct JobRun {
    net::TsmJob job;
    std::string outcome;
    std::optional<std::uint16_t> statusWord;
    std::string message;
};

struct SyncReport {
    std::vector<JobRun> jobs;
    std::vector<AppletState> applets;  // read again after the jobs
};

class ChipManagement {
  public:
    using ServerFactory = std::function<std::shared_ptr<net::TsmServer>()>;

    // `server` is called with the chip held (lock order everywhere: the chip first). The
    // journal keeps the highest chip-manage version accepted (script_freshness.hpp).
    ChipManagement(ChipSession& chip, ServerFactory server,
                   std::vector<script::TrustedKey> scriptKeys, journal::TopupJournal& journal);

    // The applets the chip has (the payment applet may be missing on an older chip).
    // ChipUnavailableError when the chip cannot be read.
    std::vector<AppletState> status();

    // Reports the applets to the TSM and runs each pending job, all under the chip hold.
    // Failures of the server, the script fetch or the status read propagate; a job that
    // fails is in the report and the next one still runs.
    SyncReport sync();

    // Before a top-up or an EC load: returns when the load SAM is operational; otherwise one
    // sync (its failure only logged) and a second look. ServiceError chip_locked (locked)
    // or chip_unavailable (still installed: not activated by the TSM).
    void requireLoadSamOperational();

    // Before a purchase whose order asks for payment parameters of at least `version` (the
    // newest the TSM queued for this chip): returns when the payment applet has them;
    // otherwise one sync (its failure only logged) and a second look. ServiceError
    // chip_outdated (details required, applied) when they are still older;
    // ChipUnavailableError when the chip has no payment applet or cannot be read.
    void requirePaymentParameters(std::uint32_t version);

  private:
    // One sync whose failure is logged and returned: the look after it decides.
    std::optional<ServiceError> trySync(std::string_view before);
    JobRun runJob(const script::Script& script, net::TsmServer& server, const net::TsmJob& job);

    ChipSession& chip_;
    ServerFactory server_;
    std::vector<script::TrustedKey> scriptKeys_;
    journal::ScriptVersionJournal scriptVersions_;
};

}  // namespace taplink::service
