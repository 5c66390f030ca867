#include "api/tsm_api.hpp"

#include <openssl/crypto.h>

#include <stdexcept>

#include "api/api_calls.hpp"
#include "api/tsm_jobs.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/crypto/wiped_on_exit.hpp"
#include "taplink/gp/scp03_kdf.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

namespace {

namespace mgmt = chip::mgmt;
namespace wire = net::wire;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kMaxInitializeUpdate = 64;  // 29 or 32 bytes (7.1.3)
constexpr std::size_t kMaxAnswer = 258;           // an APDU answer's data
constexpr std::string_view kTsmScheme = "tsm";

[[noreturn]] void refuse(int status, const char* code, const std::string& message) {
    throw ApiError(status, code, message);
}

// A hex member of at most maxBytes bytes (empty allowed).
Bytes hexMember(wire::StrictObject& in, const char* name, std::size_t maxBytes) {
    const std::string text = in.string(name);
    try {
        Bytes bytes = fromHex(text);
        if (bytes.size() > maxBytes || text.size() != 2 * bytes.size()) {
            in.failMember(name, "must be at most " + std::to_string(maxBytes) + " bytes of hex");
        }
        return bytes;
    } catch (const std::invalid_argument&) {
        in.failMember(name, "must be hex digits");
    }
}

// What the device says its load SAM is (advisory: it only decides whether to offer an
// activate job; nothing is recorded from it).
bool reportsInstalledLoadSam(const Request& request) {
    return readBody(request, "tsm sync", [](wire::StrictObject& in) {
        bool installed = false;
        const json& applets = in.required("applets");
        if (!applets.is_array() || applets.size() > 2) {
            in.failMember("applets", "must be an array of at most two applets");
        }
        for (const json& entry : applets) {
            wire::StrictObject applet(entry, "tsm sync.applets[]");
            const std::string name = applet.string("applet");
            const std::string lifecycle = applet.string("lifecycle");
            applet.finish();
            if (!mgmt::appletFromName(name) || !chip::sam::lifecycleFromName(lifecycle)) {
                applet.fail(
                    "applet must be load-sam or payment, lifecycle installed, "
                    "operational or locked");
            }
            installed = installed || (name == "load-sam" && lifecycle == "installed");
        }
        return installed;
    });
}

json jobLine(const TsmJobRecord& job) {
    return {{"jobId", job.jobId},
            {"applet", mgmt::appletName(job.applet)},
            {"operation", job.operation}};
}

// The data script the chip-manage script runs (docs/scripts.md): EXTERNAL AUTHENTICATE's
// data and the wrapped MANAGE's (C-DEC data || C-MAC).
json manageScript(ByteView externalAuthenticate, ByteView manage) {
    return {{"format", wire::kDataScriptFormat},
            {"kind", "data"},
            {"target", "chip"},
            {"scheme", kTsmScheme},
            {"items",
             {{"externalAuthenticate", toHex(externalAuthenticate)}, {"manage", toHex(manage)}}}};
}

// GpError codes as the device API's refusals; the job stays pending either way.
[[noreturn]] void refuseHandshake(const gp::GpError& error) {
    switch (error.code()) {
        case gp::GpErrorCode::Replay:
            refuse(409, "replay", error.what());
        case gp::GpErrorCode::BadCryptogram:
            refuse(409, "bad_cryptogram", error.what());
        default:
            refuse(422, "bad_answer", error.what());
    }
}

// The keys' lasting copy is the sealed one; the plain ones are wiped (WipedOnExit).
using crypto::WipedOnExit;

// A job step's failure that is not a refusal (a GpError from wrap, a stored request that does
// not parse, the store) as a logged ApiError naming the job.
template <typename Step>
Response guarded(const std::string& jobId, Step step) {
    try {
        return step();
    } catch (const ApiError&) {
        throw;
    } catch (const std::exception& error) {
        refuse(500, "tsm_internal", "TSM job " + jobId + ": " + error.what());
    }
}

}  // namespace

TsmApi::TsmApi(ServerStore& store, TsmSettings settings)
    : store_(store),
      settings_(std::move(settings)),
      sealKey_(settings_.masterKey ? std::optional(paymentKeySealKey(*settings_.masterKey))
                                   : std::nullopt) {}

Response TsmApi::open(const Request& request, const DeviceIdentity& device,
                      const std::string& jobId) {
    return guarded(jobId, [&] { return openJob(request, device, jobId); });
}

Response TsmApi::authenticate(const Request& request, const DeviceIdentity& device,
                              const std::string& jobId) {
    return guarded(jobId, [&] { return authenticateJob(request, device, jobId); });
}

Response TsmApi::result(const Request& request, const DeviceIdentity& device,
                        const std::string& jobId) {
    return guarded(jobId, [&] { return finishJob(request, device, jobId); });
}

const protocol::TsmMasterKey& TsmApi::masterKey() const {
    if (!settings_.masterKey) {
        refuse(503, "tsm_unavailable", "this server has no TSM keys (tsm.keysFile)");
    }
    return *settings_.masterKey;
}

TsmJobRecord TsmApi::pendingJob(const DeviceIdentity& device, const std::string& jobId) const {
    auto job = store_.findTsmJob(jobId);
    if (!job || job->chipSerial != device.chipSerialHex || job->state != TsmJobState::Pending) {
        refuse(404, "job_not_found", "no pending TSM job " + jobId + " for this chip");
    }
    return std::move(*job);
}

// POST /v1/tsm/sync {"applets":[{"applet","lifecycle"}...]} -> {"jobs":[...]}
Response TsmApi::sync(const Request& request, const DeviceIdentity& device) {
    masterKey();
    const bool installed = reportsInstalledLoadSam(request);
    const auto jobs = store_.syncTsmJobs(
        device.chipSerialHex, installed && settings_.activateEnrolledChips, kMaxSyncJobs);
    json lines = json::array();
    for (const TsmJobRecord& job : jobs) {
        lines.push_back(jobLine(job));
    }
    return http::jsonResponse(200, {{"jobs", lines}});
}

// POST /v1/tsm/jobs/{id}/open {} -> {"applet","keyVersion","hostChallenge"}
Response TsmApi::openJob(const Request& request, const DeviceIdentity& device,
                         const std::string& jobId) {
    const protocol::TsmMasterKey& key = masterKey();
    const TsmJobRecord job = pendingJob(device, jobId);
    readBody(request, "tsm open", [](wire::StrictObject& /*in*/) { return 0; });
    Bytes challenge = crypto::randomBytes(gp::kChallengeSize);  // S8 mode
    const std::string challengeHex = toHex(challenge);
    sessions_.open(job.jobId, std::move(challenge));
    return http::jsonResponse(200, {{"applet", static_cast<int>(job.applet)},
                                    {"keyVersion", key.keyVersion},
                                    {"hostChallenge", challengeHex}});
}

// POST /v1/tsm/jobs/{id}/authenticate {"initializeUpdate"} -> {"dataScript"}
Response TsmApi::authenticateJob(const Request& request, const DeviceIdentity& device,
                                 const std::string& jobId) {
    masterKey();
    const TsmJobRecord job = pendingJob(device, jobId);
    const Bytes initializeUpdate = readBody(request, "tsm authenticate", [](auto& in) {
        return hexMember(in, "initializeUpdate", kMaxInitializeUpdate);
    });
    auto challenge = sessions_.challenge(job.jobId);
    if (!challenge) {
        refuse(409, "no_session", "job " + job.jobId + " has no open session: open it again");
    }
    gp::HostChannel channel = hostChannel(job, device, *challenge);
    const Bytes externalAuthenticate = handshake(channel, job, device, initializeUpdate);
    const Bytes manage = wrappedManage(channel, job);
    // Another open of the job since this run's: its chip session is not this one.
    if (!sessions_.keep(job.jobId, *challenge, std::move(channel))) {
        refuse(409, "no_session", "job " + job.jobId + " was opened again: run it anew");
    }
    return http::jsonResponse(200, {{"dataScript", manageScript(externalAuthenticate, manage)}});
}

gp::HostChannel TsmApi::hostChannel(const TsmJobRecord& job, const DeviceIdentity& device,
                                    Bytes hostChallenge) const {
    const auto recorded = store_.tsmApplet(device.chipSerialHex, job.applet);
    const Bytes aid = mgmt::appletAid(job.applet);
    gp::HostChannel channel(mgmt::deriveManagementKeys(masterKey().master, aid, device.chipSerial),
                            std::move(hostChallenge),
                            recorded ? recorded->sequenceCounter : std::nullopt);
    channel.requirePseudoRandomChallenge(aid);
    return channel;
}

Bytes TsmApi::handshake(gp::HostChannel& channel, const TsmJobRecord& job,
                        const DeviceIdentity& device, ByteView initializeUpdate) {
    Bytes externalAuthenticate;
    try {
        const apdu::ResponseApdu answer{Bytes(initializeUpdate.begin(), initializeUpdate.end()),
                                        apdu::sw::kOk};
        externalAuthenticate = channel.externalAuthenticate(answer, mgmt::kSecurityLevel).data;
        // The device relays EXTERNAL AUTHENTICATE and MANAGE together: a chip that refuses
        // the first answers the second 6985 (no channel), which the result reports.
        channel.confirm(apdu::ResponseApdu{{}, apdu::sw::kOk});
    } catch (const gp::GpError& error) {
        refuseHandshake(error);
    }
    // Only now, the answer accepted (its card challenge binds the counter), is it persisted.
    const auto counter = channel.sequenceCounter();
    if (!counter) {
        refuse(422, "bad_answer", "the INITIALIZE UPDATE answer has no sequence counter");
    }
    if (store_.acceptTsmCounter(device.chipSerialHex, job.applet, *counter) ==
        TsmCounterOutcome::Replay) {
        refuse(409, "replay", "sequence counter " + std::to_string(*counter) + " was seen before");
    }
    return externalAuthenticate;
}

Bytes TsmApi::wrappedManage(gp::HostChannel& channel, const TsmJobRecord& job) const {
    Bytes plain = manageData(job);
    const WipedOnExit plainWiped(plain);
    apdu::CommandApdu command = mgmt::manage(plain);
    const WipedOnExit commandWiped(command.data);
    return channel.wrap(command).data;
}

Bytes TsmApi::manageData(const TsmJobRecord& job) const {
    mgmt::ManageRequest request = mgmt::ManageRequest::parse(job.request);
    // The key of today, not of when the job was queued: activate and unlock (re)set it.
    if (job.applet == mgmt::Applet::LoadSam && request.lifecycle == mgmt::Lifecycle::Operational) {
        request.allowanceKey = settings_.allowanceKey;
    }
    if (job.carriesKeys) {
        request.keys = openPaymentKeys(store_, *sealKey_, job.chipSerial);
        if (!request.keys) {
            refuse(500, "keys_unavailable",
                   "the payment keys of " + job.chipSerial + " are missing or do not open");
        }
    }
    Bytes data = request.encode();
    if (request.keys) {
        for (Bytes* key :
             {&request.keys->channelKey, &request.keys->pinKey, &request.keys->tokenSeed}) {
            OPENSSL_cleanse(key->data(), key->size());
        }
    }
    return data;
}

// POST /v1/tsm/jobs/{id}/result {"statusWord","answer"} -> {"outcome":"done"|"refused"}
Response TsmApi::finishJob(const Request& request, const DeviceIdentity& device,
                           const std::string& jobId) {
    masterKey();
    const TsmJobRecord job = pendingJob(device, jobId);
    const auto [statusWord, answer] = readBody(request, "tsm result", [](auto& in) {
        const auto sw = static_cast<std::uint16_t>(in.integer("statusWord", 0, 0xFFFF));
        return std::pair(sw, hexMember(in, "answer", kMaxAnswer));
    });
    auto channel = sessions_.take(job.jobId);
    if (!channel) {
        refuse(409, "no_session", "job " + job.jobId + " has no authenticated session");
    }
    const auto status = answeredStatus(*channel, device, statusWord, answer);
    if (!store_.finishTsmJob(job.jobId, statusWord, status)) {
        refuse(404, "job_not_found", "TSM job " + job.jobId + " is no longer pending");
    }
    return http::jsonResponse(200, {{"outcome", statusWord == apdu::sw::kOk ? "done" : "refused"}});
}

// The applet's status from an answer of 9000 (R-MAC checked, R-ENC removed); nullopt for a
// refusal's bare status word.
std::optional<mgmt::AppletStatus> TsmApi::answeredStatus(gp::HostChannel& channel,
                                                         const DeviceIdentity& device,
                                                         std::uint16_t statusWord,
                                                         ByteView answer) const {
    apdu::ResponseApdu plain;
    try {
        plain = channel.unwrap(apdu::ResponseApdu{Bytes(answer.begin(), answer.end()), statusWord});
    } catch (const gp::GpError& error) {
        refuse(409, "bad_mac", error.what());
    }
    if (statusWord != apdu::sw::kOk) {
        return std::nullopt;
    }
    mgmt::AppletStatus status;
    try {
        status = mgmt::AppletStatus::parse(plain.data);
    } catch (const mgmt::ManagementFormatError& error) {
        refuse(422, "bad_answer", error.what());
    }
    if (status.chipSerial != device.chipSerial ||
        status.sequenceCounter != channel.sequenceCounter()) {
        refuse(422, "bad_answer", "the MANAGE answer names another chip or session");
    }
    return status;
}

}  // namespace taplink::server
