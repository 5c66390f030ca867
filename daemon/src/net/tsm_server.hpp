// The TSM's device routes on taplink-server (docs/server.md, "Chip management"): what the
// chip-management runner (service/chip_management.hpp) asks the server. The server decides
// every change; taplinkd reports what the chip says and relays the signed management script's
// exchanges, and never holds a management key.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace taplink::net {

// What the daemon read from an applet in the clear (advisory: the server trusts only what
// comes back through the secure channel).
struct TsmAppletReport {
    std::string applet;     // "load-sam", "payment"
    std::string lifecycle;  // "installed", "operational", "locked"
};

// A pending job of this device's chip, oldest first.
struct TsmJob {
    std::string jobId;
    std::string applet;     // "load-sam", "payment"
    std::string operation;  // "activate", "lock", "unlock", "status", "personalise", ...
};

// The port the runner uses: TopupServerClient over HTTPS, or a TSM in process for tests.
// Failures are ServerRefusal (the server said no) or NetError (it could not be asked).
class TsmServer {
  public:
    TsmServer() = default;
    TsmServer(const TsmServer&) = delete;
    TsmServer& operator=(const TsmServer&) = delete;
    virtual ~TsmServer() = default;

    // GET /v1/scripts/{scheme}: the envelope of the management script (scheme "tsm").
    virtual nlohmann::json fetchScript(const std::string& scheme) = 0;
    // POST /v1/tsm/sync: the applets as read, the pending jobs as answered (at most 8).
    virtual std::vector<TsmJob> syncTsm(const std::vector<TsmAppletReport>& applets) = 0;
    // POST /v1/tsm/jobs/{jobId}/<step>, step "open", "authenticate" or "result".
    virtual nlohmann::json tsmStep(const std::string& jobId, const std::string& step,
                                   const nlohmann::json& request) = 0;

  protected:
    TsmServer(TsmServer&&) = default;
    TsmServer& operator=(TsmServer&&) = default;
};

}  // namespace taplink::net
