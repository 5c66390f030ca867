// The top-up server's device API as typed calls (docs/server.md): order lookup, the signed
// recharge script of a scheme, the script's server exchanges, and the signed result. Every
// call goes through HttpsClient (mutual TLS with the chip's key, pinned server, retries).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "net/https_client.hpp"
#include "taplink/base/bytes.hpp"
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

struct ReportOutcome {
    bool alreadySettled = false;  // the server had it from an earlier report of ours
    wire::Receipt receipt;
};

class TopupServerClient {
  public:
    explicit TopupServerClient(std::shared_ptr<HttpsClient> https) : https_(std::move(https)) {}

    wire::Order fetchOrder(const std::string& orderId);
    // The script envelope (docs/scripts.md) for the scheme, not yet verified.
    nlohmann::json fetchScript(const std::string& scheme);
    // A script's server exchange: POST /v1/orders/{id}/<call> with the request object.
    nlohmann::json exchange(const std::string& orderId, const std::string& call,
                            const nlohmann::json& request);
    // POST /v1/orders/{id}/result. An identical earlier report (409 already_settled with
    // sameResult) counts as settled; any other refusal is a ServerRefusal.
    ReportOutcome reportResult(const std::string& orderId, ByteView result, ByteView signature);

  private:
    nlohmann::json expectOk(const HttpResponse& response, const std::string& what);

    std::shared_ptr<HttpsClient> https_;
};

}  // namespace taplink::net
