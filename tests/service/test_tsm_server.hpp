// A TSM in process for the service's tests: POST /v1/tsm/sync and /v1/tsm/jobs/{id}/... as
// the device routes answer them (docs/server.md, "Chip management"), with jobs queued by the
// test and each job's SCP03 session made by test_tsm.hpp with the published test master key.
#pragma once

#include <nlohmann/json.hpp>

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "net/net_error.hpp"
#include "net/topup_server_client.hpp"  // ServerRefusal
#include "net/tsm_server.hpp"
#include "taplink/chip/chip_management.hpp"
#include "test_tsm.hpp"

namespace taplink::service::testing {

// POST /v1/tsm/sync and /v1/tsm/jobs/{id}/..., with jobs queued by the test.
class TestTsmServer final : public net::TsmServer {
  public:
    explicit TestTsmServer(nlohmann::json scriptEnvelope) : envelope_(std::move(scriptEnvelope)) {}

    void queue(const std::string& jobId, chip::mgmt::Applet applet, const std::string& operation,
               chip::mgmt::ManageRequest request, const Bytes& chipSerial) {
        pending_.push_back(
            {net::TsmJob{jobId, std::string(chip::mgmt::appletName(applet)), operation},
             ::taplink::testing::TestTsmJob(chipSerial, applet, std::move(request))});
    }

    nlohmann::json fetchScript(const std::string& scheme) override {
        scriptFetches.push_back(scheme);
        return envelope_;
    }

    std::vector<net::TsmJob> syncTsm(const std::vector<net::TsmAppletReport>& applets) override {
        reported.push_back(applets);
        if (failSync) {
            throw net::NetError(net::NetErrorKind::Unreachable, "test: the server is down");
        }
        std::vector<net::TsmJob> jobs;
        for (const auto& entry : pending_) {
            jobs.push_back(entry.job);
        }
        return jobs;
    }

    nlohmann::json tsmStep(const std::string& jobId, const std::string& step,
                           const nlohmann::json& request) override {
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (it->job.jobId == jobId) {
                nlohmann::json answer = it->session.call("tsm-" + step, request);
                if (step == "result") {
                    pending_.erase(it);  // done or refused: no longer pending
                }
                return answer;
            }
        }
        throw net::ServerRefusal(404, "job_not_found", "test: no job " + jobId);
    }

    std::vector<std::vector<net::TsmAppletReport>> reported;
    std::vector<std::string> scriptFetches;
    bool failSync = false;

  private:
    struct Pending {
        net::TsmJob job;
        ::taplink::testing::TestTsmJob session;
    };
    nlohmann::json envelope_;
    std::deque<Pending> pending_;
};

}  // namespace taplink::service::testing
