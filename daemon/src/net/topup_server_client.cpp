#include "net/topup_server_client.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace taplink::net {

namespace {

using nlohmann::json;

// Scheme and call names go into URL paths: plain names only.
bool isPlainName(const std::string& name) {
    return !name.empty() && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), [](unsigned char c) {
               return std::isalnum(c) != 0 || c == '-' || c == '_';
           });
}

// The script calls the daemon allows and the device API path each maps to (docs/server.md).
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kServerCalls{{
    {"authorize", "authorize"},
    {"ecload-authorize", "ecload/authorize"},
    {"purchase-authorize", "purchase/authorize"},
}};

std::string callPath(const std::string& call) {
    for (const auto& [name, path] : kServerCalls) {
        if (name == call) {
            return std::string(path);
        }
    }
    throw ServerRefusal(0, "invalid_request", "the daemon has no server call '" + call + "'");
}

json parseBody(const HttpResponse& response, const std::string& what) {
    try {
        return json::parse(response.body);
    } catch (const json::exception&) {
        throw NetError(NetErrorKind::Protocol, what + ": the server's answer (HTTP " +
                                                   std::to_string(response.status) +
                                                   ") is not JSON");
    }
}

ServerRefusal refusalFrom(const HttpResponse& response, const json& body, const std::string& what) {
    try {
        const auto error = wire::ErrorBody::fromJson(body);
        return ServerRefusal(response.status, error.code, what + ": " + error.message);
    } catch (const std::exception&) {
        return ServerRefusal(
            response.status, "http_" + std::to_string(response.status),
            what + ": the server refused (HTTP " + std::to_string(response.status) + ")");
    }
}

// A 2xx body read by a wire type; anything unreadable is a protocol error, not a refusal.
template <class Read>
auto readAnswer(const json& body, const std::string& what, Read read) {
    try {
        return read(body);
    } catch (const std::exception& error) {
        throw NetError(NetErrorKind::Protocol,
                       what + ": the server's answer is malformed: " + error.what());
    }
}

}  // namespace

json TopupServerClient::expectOk(const HttpResponse& response, const std::string& what) {
    json body = parseBody(response, what);
    if (response.status < 200 || response.status >= 300) {
        ServerRefusal refusal = refusalFrom(response, body, what);
        if (response.status == 403 && refusal.code() == wire::refusal::kChipLocked) {
            throw ChipLockedRefusal(refusal.status(), refusal.code(), refusal.what());
        }
        throw refusal;
    }
    if (!body.is_object()) {
        throw NetError(NetErrorKind::Protocol, what + ": the server's answer is not an object");
    }
    return body;
}

wire::Order TopupServerClient::fetchOrder(const std::string& orderId) {
    if (!wire::isValidOrderId(orderId)) {
        throw ServerRefusal(0, "invalid_order_id", "'" + orderId + "' is not an order id");
    }
    const std::string what = "order " + orderId;
    const json body = expectOk(https_->get("/v1/orders/" + orderId), what);
    auto order = readAnswer(body, what, [](const json& j) { return wire::Order::fromJson(j); });
    if (order.orderId != orderId || order.amount == 0) {
        throw NetError(NetErrorKind::Protocol, what + ": the server answered another order");
    }
    return order;
}

json TopupServerClient::fetchScript(const std::string& scheme) {
    if (!isPlainName(scheme)) {
        throw ServerRefusal(0, "invalid_scheme", "'" + scheme + "' is not a scheme name");
    }
    return expectOk(https_->get("/v1/scripts/" + scheme), "script for " + scheme);
}

HttpResponse TopupServerClient::postSigned(const std::string& orderId, const std::string& path,
                                           const std::string& body) {
    HttpResponse response = https_->postJson(path, body);
    verifier_.verify(orderId, path, body, response);
    return response;
}

json TopupServerClient::exchange(const std::string& orderId, const std::string& call,
                                 const json& request) {
    if (!wire::isValidOrderId(orderId)) {
        throw ServerRefusal(0, "invalid_request", "bad order id");
    }
    return expectOk(
        postSigned(orderId, "/v1/orders/" + orderId + "/" + callPath(call), request.dump()),
        call + " for order " + orderId);
}

ReportOutcome TopupServerClient::reportResult(const std::string& orderId, ByteView result,
                                              ByteView signature) {
    const std::string what = "result of order " + orderId;
    const wire::ResultReport report{Bytes(result.begin(), result.end()),
                                    Bytes(signature.begin(), signature.end())};
    const HttpResponse response =
        postSigned(orderId, "/v1/orders/" + orderId + "/result", wire::toJson(report).dump());
    const json body = parseBody(response, what);
    if (response.status == 409) {
        const auto error =
            readAnswer(body, what, [](const json& j) { return wire::ErrorBody::fromJson(j); });
        if (error.code == wire::refusal::kAlreadySettled && error.sameResult.value_or(false) &&
            error.receipt) {
            return ReportOutcome{true, *error.receipt};
        }
    }
    if (response.status < 200 || response.status >= 300) {
        throw refusalFrom(response, body, what);
    }
    const auto settlement =
        readAnswer(body, what, [](const json& j) { return wire::Settlement::fromJson(j); });
    return ReportOutcome{false, settlement.receipt};
}

namespace {

// 409 already_settled / already_reversed with sameResult: our own earlier report, decided.
template <class Outcome, class ReadReceipt>
std::optional<Outcome> earlierDecision(const json& body, ReadReceipt readReceipt) {
    if (!body.is_object() || !body.value("sameResult", false) || !body.contains("receipt")) {
        return std::nullopt;
    }
    // The server's refusal body: {"error": {"code", "message"}, "receipt", "sameResult"}.
    const json error = body.value("error", json::object());
    const std::string code = error.is_object() ? error.value("code", "") : "";
    if (code != wire::refusal::kAlreadySettled && code != "already_reversed") {
        return std::nullopt;
    }
    return Outcome{true, readReceipt(body)};
}

}  // namespace

template <class Outcome, class ReadReceipt>
Outcome TopupServerClient::postReport(const std::string& orderId, const std::string& path,
                                      const std::string& what, ByteView message, ByteView signature,
                                      ReadReceipt readReceipt) {
    const wire::ResultReport report{Bytes(message.begin(), message.end()),
                                    Bytes(signature.begin(), signature.end())};
    const HttpResponse response = postSigned(orderId, path, wire::toJson(report).dump());
    const json body = parseBody(response, what);
    if (response.status == 409) {
        const auto earlier = readAnswer(
            body, what, [&](const json& j) { return earlierDecision<Outcome>(j, readReceipt); });
        if (earlier) {
            return *earlier;
        }
    }
    const json answer = expectOk(response, what);
    return Outcome{false, readAnswer(answer, what, readReceipt)};
}

EcReportOutcome TopupServerClient::reportEcLoad(const std::string& orderId, EcReport kind,
                                                ByteView message, ByteView signature) {
    const bool result = kind == EcReport::Result;
    const std::string what =
        std::string(result ? "EC load result" : "EC load reversal") + " of order " + orderId;
    return postReport<EcReportOutcome>(
        orderId, "/v1/orders/" + orderId + (result ? "/ecload/result" : "/ecload/reverse"), what,
        message, signature,
        [](const json& j) { return wire::EcReceipt::fromJson(j.at("receipt")); });
}

PurchaseReportOutcome TopupServerClient::reportPurchase(const std::string& orderId,
                                                        PurchaseReport kind, ByteView message,
                                                        ByteView signature) {
    const bool result = kind == PurchaseReport::Result;
    const std::string what =
        std::string(result ? "purchase result" : "purchase reversal") + " of order " + orderId;
    return postReport<PurchaseReportOutcome>(
        orderId, "/v1/orders/" + orderId + (result ? "/purchase/result" : "/purchase/reverse"),
        what, message, signature, [](const json& j) {
            // 200: the receipt itself; 409 sameResult: the receipt under "receipt".
            return wire::PurchaseReceipt::fromJson(j.contains("receipt") ? j.at("receipt") : j);
        });
}

// --- The TSM (docs/server.md, "Chip management")

namespace {

// The steps of a job (POST /v1/tsm/jobs/{jobId}/<step>).
constexpr std::array<std::string_view, 3> kTsmSteps{"open", "authenticate", "result"};

std::vector<TsmJob> readJobs(const json& body) {
    const json& jobs = body.at("jobs");
    if (!jobs.is_array() || jobs.size() > 8) {
        throw std::runtime_error("jobs must be a list of at most 8");
    }
    std::vector<TsmJob> out;
    for (const json& job : jobs) {
        out.push_back({job.at("jobId").get<std::string>(), job.at("applet").get<std::string>(),
                       job.at("operation").get<std::string>()});
        if (!isPlainName(out.back().jobId)) {
            throw std::runtime_error("job id '" + out.back().jobId + "' is not a plain name");
        }
    }
    return out;
}

}  // namespace

std::vector<TsmJob> TopupServerClient::syncTsm(const std::vector<TsmAppletReport>& applets) {
    json reported = json::array();
    for (const auto& applet : applets) {
        reported.push_back({{"applet", applet.applet}, {"lifecycle", applet.lifecycle}});
    }
    const std::string what = "TSM sync";
    const json body =
        expectOk(https_->postJson("/v1/tsm/sync", json{{"applets", reported}}.dump()), what);
    return readAnswer(body, what, readJobs);
}

json TopupServerClient::tsmStep(const std::string& jobId, const std::string& step,
                                const json& request) {
    const bool known = std::find(kTsmSteps.begin(), kTsmSteps.end(), step) != kTsmSteps.end();
    if (!isPlainName(jobId) || !known) {
        throw ServerRefusal(0, "invalid_request", "no TSM step '" + step + "' of job " + jobId);
    }
    return expectOk(https_->postJson("/v1/tsm/jobs/" + jobId + "/" + step, request.dump()),
                    "TSM job " + jobId + " " + step);
}

}  // namespace taplink::net
