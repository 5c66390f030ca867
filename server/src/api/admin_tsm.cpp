// The admin API's chip management (docs/server.md, "Chip management"): what the TSM knows of
// a chip, the jobs it queues for the chip's applets (taplinkd runs them at its next sync),
// and the job list. The payment keys never leave the store: a personalise job only says that
// it carries them.
#include <algorithm>
#include <tuple>

#include "api/admin_api.hpp"
#include "api/api_calls.hpp"
#include "api/money.hpp"
#include "api/tsm_jobs.hpp"

namespace taplink::server {

namespace {

namespace mgmt = chip::mgmt;
namespace wire = net::wire;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kMaxAids = 8;  // E1 holds 1..8 AIDs (docs/chip.md)

json statusWordView(const std::optional<std::uint16_t>& statusWord) {
    return statusWord ? json(apdu::statusWordHex(*statusWord)) : json(nullptr);
}

// A stored MANAGE request or parameter set that does not parse is the server's own fault.
template <typename Parsed>
Parsed parsedOrInternal(ByteView bytes, const std::string& what) {
    try {
        return Parsed::parse(bytes);
    } catch (const mgmt::ManagementFormatError& error) {
        throw ApiError(500, "tsm_internal", what + ": " + error.what());
    }
}

json jobView(const TsmJobRecord& job) {
    json view{{"jobId", job.jobId},
              {"chipSerial", job.chipSerial},
              {"applet", mgmt::appletName(job.applet)},
              {"operation", job.operation},
              {"state", toString(job.state)},
              {"statusWord", statusWordView(job.statusWord)},
              {"carriesKeys", job.carriesKeys},
              {"createdAt", job.createdAt},
              {"finishedAt", job.finishedAt ? json(*job.finishedAt) : json(nullptr)}};
    const auto request = parsedOrInternal<mgmt::ManageRequest>(job.request, "job " + job.jobId);
    if (request.parameters) {
        view["parametersVersion"] = request.parameters->version;
    }
    return view;
}

json jobsView(const std::vector<TsmJobRecord>& jobs) {
    json lines = json::array();
    for (const TsmJobRecord& job : jobs) {
        lines.push_back(jobView(job));
    }
    return {{"jobs", lines}};
}

json appletView(const TsmAppletRecord& applet) {
    return {
        {"applet", mgmt::appletName(applet.applet)},
        {"lifecycle",
         applet.lifecycle ? json(chip::sam::lifecycleName(*applet.lifecycle)) : json(nullptr)},
        {"parametersVersion", applet.parametersVersion},
        {"keysPresent", applet.keysPresent},
        {"sequenceCounter", applet.sequenceCounter ? json(*applet.sequenceCounter) : json(nullptr)},
        {"updatedAt", applet.updatedAt}};
}

json parametersView(const mgmt::PaymentParameters& parameters) {
    json aids = json::array();
    for (const Bytes& aid : parameters.allowedAids) {
        aids.push_back(toHex(aid));
    }
    return {{"version", parameters.version},
            {"perTransaction", formatYuan(parameters.perTransactionLimit)},
            {"daily", formatYuan(parameters.dailyLimit)},
            {"cvm", formatYuan(parameters.cvmLimit)},
            {"aids", aids}};
}

std::uint32_t limitOf(wire::StrictObject& in, const char* name, std::uint32_t fallback) {
    const auto text = in.optionalString(name);
    if (!text) {
        return fallback;
    }
    const auto fen = parseYuan(*text);
    if (!fen) {
        in.failMember(name, "must be yuan with at most 2 decimals");
    }
    return *fen;
}

std::vector<Bytes> aidsOf(wire::StrictObject& in, std::vector<Bytes> fallback) {
    const json* aids = in.optional("aids");
    if (aids == nullptr) {
        return fallback;
    }
    if (!aids->is_array() || aids->empty() || aids->size() > kMaxAids) {
        in.failMember("aids", "must be 1 to 8 AIDs in hex");
    }
    std::vector<Bytes> parsed;
    for (const json& aid : *aids) {
        Bytes bytes;
        try {
            bytes = aid.is_string() ? fromHex(aid.get<std::string>()) : Bytes{};
        } catch (const std::invalid_argument&) {
        }
        if (bytes.size() < mgmt::kMinAidSize || bytes.size() > mgmt::kMaxAidSize) {
            in.failMember("aids", "each AID must be 5 to 16 bytes of hex");
        }
        parsed.push_back(std::move(bytes));
    }
    return parsed;
}

// The parameters a body asks for; what it leaves out stays as last queued for the chip (the
// defaults before the first).
mgmt::PaymentParameters parametersOf(wire::StrictObject in, mgmt::PaymentParameters base) {
    base.perTransactionLimit = limitOf(in, "perTransaction", base.perTransactionLimit);
    base.dailyLimit = limitOf(in, "daily", base.dailyLimit);
    base.cvmLimit = limitOf(in, "cvm", base.cvmLimit);
    base.allowedAids = aidsOf(in, std::move(base.allowedAids));
    in.finish();
    return base;
}

struct JobOrder {
    std::string operation;
    mgmt::Applet applet = mgmt::Applet::LoadSam;
    std::optional<mgmt::PaymentParameters> parameters;
};

}  // namespace

void AdminApi::addTsmRoutes() {
    router_.add("GET", "/admin/tsm/chips/{}", memberRoute(this, &AdminApi::tsmStatus));
    router_.add("POST", "/admin/tsm/chips/{}/jobs", memberRoute(this, &AdminApi::queueTsmJob));
    router_.add("GET", "/admin/tsm/chips/{}/jobs", memberRoute(this, &AdminApi::listChipTsmJobs));
    router_.add("GET", "/admin/tsm/jobs", memberRoute(this, &AdminApi::listTsmJobs));
}

const Bytes& AdminApi::requireTsm() const {
    if (!tsmSealKey_) {
        throw ApiError(503, "tsm_unavailable", "this server has no TSM keys (tsm.keysFile)");
    }
    return *tsmSealKey_;
}

// GET /admin/tsm/chips/{serial}
Response AdminApi::tsmStatus(const Request& /*request*/, Call& /*call*/, const Params& path) {
    requireTsm();
    const std::string chipSerial = chipSerialOf(path[0]);
    json applets = json::array();
    for (const TsmAppletRecord& applet : store_.tsmApplets(chipSerial)) {
        applets.push_back(appletView(applet));
    }
    const auto parameters = store_.tsmParameters(chipSerial);
    json view = jobsView(store_.listTsmJobs(chipSerial));
    view["chipSerial"] = chipSerial;
    view["loadSamLocked"] = store_.isLoadSamLocked(chipSerial);
    view["applets"] = applets;
    view["parameters"] = parameters ? parametersView(parsedOrInternal<mgmt::PaymentParameters>(
                                          parameters->value, "parameters of " + chipSerial))
                                    : json(nullptr);
    return http::jsonResponse(200, view);
}

// POST /admin/tsm/chips/{serial}/jobs {"operation","applet"?,"parameters"?}
Response AdminApi::queueTsmJob(const Request& request, Call& /*call*/, const Params& path) {
    const Bytes& sealKey = requireTsm();
    const std::string chipSerial = chipSerialOf(path[0]);
    TsmJobDraft draft = tsmJobDraftOf(request, chipSerial);
    try {
        checkManageSize(draft);
    } catch (const std::invalid_argument& error) {
        throw ApiError(400, "malformed_request", error.what());
    }
    prepareKeysAndLifecycle(draft, sealKey);
    try {
        return http::jsonResponse(201, jobView(store_.queueTsmJob(draft)));
    } catch (const TsmVersionExhausted& error) {
        throw ApiError(409, "parameters_exhausted", error.what());
    }
}

// The job a body orders; parameters left out stay as last queued (the defaults first).
TsmJobDraft AdminApi::tsmJobDraftOf(const Request& request, const std::string& chipSerial) {
    const auto last = store_.tsmParameters(chipSerial);
    const mgmt::PaymentParameters base =
        last ? parsedOrInternal<mgmt::PaymentParameters>(last->value, "parameters of " + chipSerial)
             : defaultPaymentParameters();
    const JobOrder order = readBody(request, "tsm job", [&base](wire::StrictObject& in) {
        JobOrder parsed;
        parsed.operation = in.string("operation");
        const std::string applet = in.optionalString("applet").value_or(
            operationNeedsParameters(parsed.operation) ? "payment" : "load-sam");
        const auto known = mgmt::appletFromName(applet);
        if (!isTsmOperation(parsed.operation) || !known) {
            in.fail(
                "operation must be activate, lock, unlock, status, personalise or "
                "update-params, applet load-sam or payment");
        }
        parsed.applet = *known;
        if (in.has("parameters")) {
            parsed.parameters = parametersOf(in.object("parameters"), base);
        }
        return parsed;
    });
    try {
        return tsmJobDraft(chipSerial, order.applet, order.operation,
                           order.parameters ? order.parameters : std::optional(base));
    } catch (const std::invalid_argument& error) {
        throw ApiError(400, "malformed_request", error.what());
    }
}

// A personalisation: the chip's keys made (once) and sealed; C0 02 only for an applet recorded
// installed or not yet heard of (an operational one needs no transition), and none at all for
// a locked one: personalising must not unlock it (409).
void AdminApi::prepareKeysAndLifecycle(TsmJobDraft& draft, const Bytes& sealKey) {
    if (!draft.carriesKeys) {
        return;
    }
    if (store_.isTsmAppletLocked(draft.chipSerial, mgmt::Applet::Payment)) {
        throw ApiError(409, "applet_locked",
                       "the payment applet of " + draft.chipSerial +
                           " is locked or ordered locked: unlock it first");
    }
    const auto recorded = store_.tsmApplet(draft.chipSerial, mgmt::Applet::Payment);
    if (recorded && recorded->lifecycle && recorded->lifecycle != mgmt::Lifecycle::Installed) {
        draft.lifecycle.reset();
    }
    keepPaymentKeys(store_, sealKey, draft.chipSerial);
}

// GET /admin/tsm/jobs
Response AdminApi::listTsmJobs(const Request& /*request*/, Call& /*call*/, const Params& /*path*/) {
    requireTsm();
    return http::jsonResponse(200, jobsView(store_.listTsmJobs(std::nullopt)));
}

// GET /admin/tsm/chips/{serial}/jobs
Response AdminApi::listChipTsmJobs(const Request& /*request*/, Call& /*call*/, const Params& path) {
    requireTsm();
    return http::jsonResponse(200, jobsView(store_.listTsmJobs(chipSerialOf(path[0]))));
}

}  // namespace taplink::server
