#include "service/chip_management.hpp"

#include <stdexcept>
#include <utility>

#include "script/engine.hpp"
#include "script/scheme_rules.hpp"
#include "script/script_freshness.hpp"
#include "service/topup_errors.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/base/log.hpp"
#include "taplink/chip/load_sam.hpp"

namespace taplink::service {

namespace {

namespace mgmt = chip::mgmt;
using chip::sam::Lifecycle;
using nlohmann::json;

// The management script's id (scripts/recharge/chip-manage.json).
constexpr std::string_view kManagementScriptId = "chip-manage";

// The tsm scheme's policy sends nothing to the card; the engine checks it before this could
// ever be reached.
class NoCard final : public apdu::ApduChannel {
  public:
    apdu::ResponseApdu transmit(const apdu::CommandApdu& /*command*/) override {
        throw std::logic_error("a chip management script sent a command to a card");
    }
};

// The tsm scheme has no checkpoints (management moves no money); the loader refuses any.
class NoCheckpoints final : public script::CheckpointSink {
  public:
    void checkpoint(std::string_view name, const script::Variables& /*saved*/) override {
        throw std::logic_error("a chip management script reached checkpoint " + std::string(name));
    }
};

// The script's server calls, each to one step of this job's routes (docs/server.md).
class JobExchange final : public script::ServerExchange {
  public:
    JobExchange(net::TsmServer& server, std::string jobId)
        : server_(server), jobId_(std::move(jobId)) {}

    json call(std::string_view name, const json& request) override {
        const std::string step = stepOf(name);
        json answer = server_.tsmStep(jobId_, step, request);
        if (step == "result" && answer.contains("outcome") && answer["outcome"].is_string()) {
            outcome_ = answer["outcome"].get<std::string>();
        }
        return answer;
    }

    // What the TSM made of the chip's answer ("done", "refused"); empty before the result.
    const std::string& outcome() const { return outcome_; }

  private:
    static std::string stepOf(std::string_view call) {
        for (const std::string_view step : {"open", "authenticate", "result"}) {
            if (call == "tsm-" + std::string(step)) {
                return std::string(step);
            }
        }
        throw std::invalid_argument("the daemon has no TSM call '" + std::string(call) + "'");
    }

    net::TsmServer& server_;
    std::string jobId_;
    std::string outcome_;
};

AppletState readLoadSam(apdu::ApduChannel& channel) {
    chip::LoadSam sam(channel);
    if (!sam.select()) {
        throw ChipUnavailableError("the secure chip has no load SAM application");
    }
    return AppletState{mgmt::Applet::LoadSam, sam.info().lifecycle, {}, {}};
}

// nullopt: a chip without the payment applet (SELECT answered other than 9000).
std::optional<AppletState> readPayment(apdu::ApduChannel& channel) {
    if (!channel.transmit(mgmt::selectApplet(mgmt::Applet::Payment)).ok()) {
        return std::nullopt;
    }
    const apdu::ResponseApdu answer = channel.transmit(mgmt::getStatus());
    if (!answer.ok()) {
        throw ChipUnavailableError("the payment applet refused GET STATUS (SW " +
                                   apdu::statusWordHex(answer.sw) + ")");
    }
    try {
        const auto status = mgmt::AppletStatus::parse(answer.data);
        return AppletState{mgmt::Applet::Payment, status.lifecycle,
                           status.parametersVersion.value_or(0), status.keysPresent};
    } catch (const mgmt::ManagementFormatError& error) {
        throw ChipUnavailableError(std::string("the payment applet's status is malformed: ") +
                                   error.what());
    }
}

// The payment applet's parameter version (0: none set yet).
std::uint32_t appliedParameters(apdu::ApduChannel& channel) {
    const auto payment = readPayment(channel);
    if (!payment) {
        throw ChipUnavailableError("the secure chip has no payment applet");
    }
    return payment->parametersVersion.value_or(0);
}

std::vector<net::TsmAppletReport> reportOf(const std::vector<AppletState>& applets) {
    std::vector<net::TsmAppletReport> reports;
    reports.reserve(applets.size());
    for (const auto& applet : applets) {
        reports.push_back({std::string(mgmt::appletName(applet.applet)),
                           std::string(chip::sam::lifecycleName(applet.lifecycle))});
    }
    return reports;
}

std::string describe(const JobRun& run) {
    std::string line = "TSM job " + run.job.jobId + " (" + run.job.operation + " of the " +
                       run.job.applet + "): " + run.outcome;
    if (run.statusWord) {
        line += ", SW " + apdu::statusWordHex(*run.statusWord);
    }
    return run.message.empty() ? line : line + ": " + run.message;
}

}  // namespace

ChipManagement::ChipManagement(ChipSession& chip, ServerFactory server,
                               std::vector<script::TrustedKey> scriptKeys,
                               journal::TopupJournal& journal)
    : chip_(chip),
      server_(std::move(server)),
      scriptKeys_(std::move(scriptKeys)),
      scriptVersions_(journal) {}

std::vector<AppletState> ChipManagement::status() {
    const auto hold = chip_.hold();
    apdu::ApduChannel& channel = chip_.channel();
    std::vector<AppletState> applets{readLoadSam(channel)};
    if (auto payment = readPayment(channel)) {
        applets.push_back(*payment);
    }
    return applets;
}

SyncReport ChipManagement::sync() {
    const auto hold = chip_.hold();
    SyncReport report;
    const std::shared_ptr<net::TsmServer> server = server_();
    const std::vector<net::TsmJob> jobs = server->syncTsm(reportOf(status()));
    if (!jobs.empty()) {
        const script::Script script = script::verifySignedScript(
            server->fetchScript(std::string(script::kTsmScheme)), scriptKeys_);
        if (script.scheme != script::kTsmScheme || script.id != kManagementScriptId) {
            throw ServiceError(api::ErrorCode::ScriptRejected,
                               "the server sent " + script.id + " (scheme " + script.scheme +
                                   ") as the chip management script");
        }
        script::acceptScript(script, scriptVersions_, script::WallClock::now());
        for (const auto& job : jobs) {
            report.jobs.push_back(runJob(script, *server, job));
            log::info(describe(report.jobs.back()));
        }
    }
    report.applets = status();
    return report;
}

JobRun ChipManagement::runJob(const script::Script& script, net::TsmServer& server,
                              const net::TsmJob& job) {
    JobRun run{job, "failed", std::nullopt, {}};
    NoCard noCard;
    NoCheckpoints noCheckpoints;
    JobExchange exchange(server, job.jobId);
    script::RunContext context(noCard, chip_.channel(), exchange, noCheckpoints);
    try {
        const script::Variables outputs = script::run(script, context);
        run.statusWord = static_cast<std::uint16_t>(outputs.integer("manageSw"));
        run.outcome = exchange.outcome().empty()
                          ? (run.statusWord == apdu::sw::kOk ? "done" : "refused")
                          : exchange.outcome();
    } catch (const std::exception&) {
        run.message = describeFailure(std::current_exception(), "").what();
    }
    return run;
}

std::optional<ServiceError> ChipManagement::trySync(std::string_view before) {
    try {
        sync();
        return std::nullopt;
    } catch (const std::exception&) {
        ServiceError failure = describeFailure(std::current_exception(), "chip sync");
        log::warning("chip sync before " + std::string(before) + " failed: " + failure.what());
        return failure;
    }
}

void ChipManagement::requireLoadSamOperational() {
    const auto hold = chip_.hold();
    Lifecycle lifecycle = Lifecycle::Operational;
    try {
        lifecycle = readLoadSam(chip_.channel()).lifecycle;
    } catch (const std::exception&) {
        return;  // no chip to read (or no pcscd): the load itself says so, as it always did
    }
    if (lifecycle == Lifecycle::Operational) {
        return;
    }
    log::info(std::string("the load SAM is ") + std::string(chip::sam::lifecycleName(lifecycle)) +
              ": asking the chip's management system (TSM) for its jobs");
    const std::optional<ServiceError> syncFailure = trySync("a load");
    lifecycle = readLoadSam(chip_.channel()).lifecycle;
    if (lifecycle == Lifecycle::Operational) {
        return;
    }
    if (lifecycle == Lifecycle::Locked) {
        throw ServiceError(api::ErrorCode::ChipLocked,
                           "the device's secure chip is locked by its management system");
    }
    // Installed: the sync could not even ask (server, TLS, script), which is the cause to
    // name; or the TSM has not activated it.
    if (syncFailure) {
        throw *syncFailure;
    }
    throw ServiceError(api::ErrorCode::ChipUnavailable,
                       "the secure chip's load SAM is not activated yet (installed): its "
                       "management system has not activated it; try 'taplink chip sync'");
}

void ChipManagement::requirePaymentParameters(std::uint32_t version) {
    const auto hold = chip_.hold();
    if (appliedParameters(chip_.channel()) >= version) {
        return;
    }
    log::info("the payment applet's parameters are older than version " + std::to_string(version) +
              ": asking the chip's management system (TSM) for its jobs");
    const std::optional<ServiceError> syncFailure = trySync("a purchase");
    const std::uint32_t applied = appliedParameters(chip_.channel());
    if (applied >= version) {
        return;
    }
    // Paying under replaced limits is what the TSM's new version forbids (docs/daemon.md).
    std::string message = "the secure chip's payment parameters are version " +
                          std::to_string(applied) + ", the server requires version " +
                          std::to_string(version) + "; nothing was charged";
    if (syncFailure) {
        message += std::string(" (the chip sync failed: ") + syncFailure->what() + ")";
    }
    throw ServiceError(api::ErrorCode::ChipOutdated, message,
                       {{"required", version}, {"applied", applied}});
}

}  // namespace taplink::service
