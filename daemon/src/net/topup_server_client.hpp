// The top-up server's device API as typed calls (docs/server.md): order lookup, the signed
// recharge script of a scheme, the script's server exchanges, the signed result, and the
// TSM's routes for the chip's management (tsm_server.hpp). Every
// call goes through HttpsClient (mutual TLS with the chip's key, pinned server, retries).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "net/answer_verifier.hpp"
#include "net/https_client.hpp"
#include "net/tsm_server.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/purchase_wire.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::net {

// The server understood the request and said no: its error code ("order_not_found",
// "order_settled", "authorization_outstanding", "tac_invalid", ...) and message.
class ServerRefusal : public std::runtime_error {
  public:
    ServerRefusal(long status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    long status() const { return status_; }
    const std::string& code() const { return code_; }

  private:
    long status_;
    std::string code_;
};

// The TSM has this device's secure chip locked (403 chip_locked on an authorize): the server
// moves no money for it until the TSM unlocks it.
class ChipLockedRefusal : public ServerRefusal {
  public:
    using ServerRefusal::ServerRefusal;
};

struct ReportOutcome {
    bool alreadySettled = false;  // the server had it from an earlier report of ours
    wire::Receipt receipt;
};

// What decided an EC load (docs/server.md, "Electronic-cash load"): the signed TLE1 result
// or the TLX1 reversal.
enum class EcReport { Result, Reversal };

struct EcReportOutcome {
    bool alreadyDecided = false;  // the server had these exact bytes from an earlier report
    wire::EcReceipt receipt;      // status "settled" or "reversed"
};

// What decided a purchase (docs/server.md, "Purchase"): the signed TLP1 result or the TLQ1
// reversal, with the EC load's two kinds.
using PurchaseReport = EcReport;

struct PurchaseReportOutcome {
    bool alreadyDecided = false;    // the server had these exact bytes from an earlier report
    wire::PurchaseReceipt receipt;  // status "settled" or "reversed"
};

// The port to the top-up server that the money path uses: TopupServerClient over HTTPS, or a
// scripted server in process for the service's tests. Failures are ServerRefusal (the server
// said no) or NetError (it could not be asked).
class TopupServer {
  public:
    virtual ~TopupServer() = default;

    virtual wire::Order fetchOrder(const std::string& orderId) = 0;
    // The script envelope (docs/scripts.md) for the scheme, not yet verified.
    virtual nlohmann::json fetchScript(const std::string& scheme) = 0;
    // A script's server exchange: POST /v1/orders/{id}/<path> with the request object, the
    // path being the call's ("authorize", "ecload-authorize" -> "ecload/authorize").
    virtual nlohmann::json exchange(const std::string& orderId, const std::string& call,
                                    const nlohmann::json& request) = 0;
    // POST /v1/orders/{id}/result. An identical earlier report (409 already_settled with
    // sameResult) counts as settled; any other refusal is a ServerRefusal.
    virtual ReportOutcome reportResult(const std::string& orderId, ByteView result,
                                       ByteView signature) = 0;
    // POST /v1/orders/{id}/ecload/result or /reverse. The same bytes reported before (409
    // already_settled / already_reversed with sameResult) count as decided.
    virtual EcReportOutcome reportEcLoad(const std::string& orderId, EcReport kind,
                                         ByteView message, ByteView signature) = 0;
    // POST /v1/orders/{id}/purchase/result or /reverse, decided as reportEcLoad's.
    virtual PurchaseReportOutcome reportPurchase(const std::string& orderId, PurchaseReport kind,
                                                 ByteView message, ByteView signature) = 0;
};

class TopupServerClient final : public TopupServer, public TsmServer {
  public:
    // Every answer to a POST under /v1/orders/ must pass `verifier` before it is read.
    TopupServerClient(std::shared_ptr<HttpsClient> https, AnswerVerifier verifier)
        : https_(std::move(https)), verifier_(std::move(verifier)) {}

    wire::Order fetchOrder(const std::string& orderId) override;
    nlohmann::json fetchScript(const std::string& scheme) override;
    nlohmann::json exchange(const std::string& orderId, const std::string& call,
                            const nlohmann::json& request) override;
    ReportOutcome reportResult(const std::string& orderId, ByteView result,
                               ByteView signature) override;
    EcReportOutcome reportEcLoad(const std::string& orderId, EcReport kind, ByteView message,
                                 ByteView signature) override;
    PurchaseReportOutcome reportPurchase(const std::string& orderId, PurchaseReport kind,
                                         ByteView message, ByteView signature) override;
    std::vector<TsmJob> syncTsm(const std::vector<TsmAppletReport>& applets) override;
    nlohmann::json tsmStep(const std::string& jobId, const std::string& step,
                           const nlohmann::json& request) override;

  private:
    nlohmann::json expectOk(const HttpResponse& response, const std::string& what);
    // POST under /v1/orders/{orderId}/: the answer once its signature verified and its proof
    // is kept.
    HttpResponse postSigned(const std::string& orderId, const std::string& path,
                            const std::string& body);
    // POSTs a signed report to `path`; the earlier decision of the same bytes (409 with
    // sameResult) or the answer's receipt, read by `readReceipt` from the whole body (the
    // 200 answer, or the 409 refusal that carries the receipt).
    template <class Outcome, class ReadReceipt>
    Outcome postReport(const std::string& orderId, const std::string& path, const std::string& what,
                       ByteView message, ByteView signature, ReadReceipt readReceipt);

    std::shared_ptr<HttpsClient> https_;
    AnswerVerifier verifier_;
};

}  // namespace taplink::net
