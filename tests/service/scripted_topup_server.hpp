// A top-up server in process for the service's tests: orders the test adds, the recharge
// script it signs, load authorizations sealed to the chip with the test issuer's keys and
// results checked (device signature, authorization, TAC) the way taplink-server does; and
// faults on any call: a refusal with the server's code, or no answer at all.
#pragma once

#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "net/topup_server_client.hpp"
#include "scripted_ec_issuer.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::service::testing {

enum class ServerCall {
    FetchOrder,
    FetchScript,
    Exchange,
    ReportResult,
    ReportEcLoad,
    ReportPurchase
};

class ScriptedTopupServer final : public net::TopupServer {
  public:
    // `device`: the chip's device certificate (authorizations are sealed to its load SAM
    // key, results verified with its key). `scriptEnvelope`: what fetchScript answers.
    ScriptedTopupServer(X509* device, nlohmann::json scriptEnvelope);

    void addOrder(const std::string& orderId, std::uint32_t amount,
                  net::wire::OrderStatus status = net::wire::OrderStatus::Open,
                  const std::string& scheme = "city-epurse");
    net::wire::OrderStatus orderStatus(const std::string& orderId) const;
    // The payment-parameters version a bank-purchase order names (the TSM's newest for the chip).
    void setParamsVersion(const std::string& orderId, std::uint32_t version);
    void setScriptEnvelope(nlohmann::json envelope);
    // Serves `envelope` for its scheme too (the bank-ec script beside the city one).
    void addScriptEnvelope(nlohmann::json envelope);

    // The next `times` calls (every call when nullopt) fail: refused with the server's
    // `code`; unreachable (NetError); or done by the server with the answer lost on the way
    // back (NetError). A later fault on the same call replaces it.
    void refuse(ServerCall call, const std::string& code,
                std::optional<std::size_t> times = std::nullopt);
    void failUnreachable(ServerCall call, std::optional<std::size_t> times = std::nullopt);
    void loseAnswer(ServerCall call, std::optional<std::size_t> times = std::nullopt);
    // The call works again.
    void clearFault(ServerCall call);
    // Runs on the caller's thread before each call (after the fault, if any, is chosen).
    void beforeCall(std::function<void(ServerCall)> hook);

    std::size_t calls(ServerCall call) const;
    // Results that settled an order, in order.
    std::vector<net::wire::TopupResult> settledResults() const;

    net::wire::Order fetchOrder(const std::string& orderId) override;
    nlohmann::json fetchScript(const std::string& scheme) override;
    nlohmann::json exchange(const std::string& orderId, const std::string& call,
                            const nlohmann::json& request) override;
    net::ReportOutcome reportResult(const std::string& orderId, ByteView result,
                                    ByteView signature) override;
    net::EcReportOutcome reportEcLoad(const std::string& orderId, net::EcReport kind,
                                      ByteView message, ByteView signature) override;

    net::PurchaseReportOutcome reportPurchase(const std::string& orderId, net::PurchaseReport kind,
                                              ByteView message, ByteView signature) override;

    // The bank issuer of bank-ec orders (read it between calls, not during one).
    ScriptedEcIssuer ec;
    // purchase-authorize answered by the test instead of `ec` (when set).
    std::function<nlohmann::json(const std::string& orderId, const nlohmann::json& request)>
        purchaseAuthorize;

  private:
    struct Fault {
        enum class Kind { Refused, Unreachable, AnswerLost } kind;
        std::string code;  // Refused
        std::optional<std::size_t> remaining;
    };
    struct Authorization {
        Bytes nonce;
        Bytes cardSerial;
        std::uint16_t onlineAtc = 0;
        std::uint8_t algorithmId = 0;
        Bytes terminalId;
    };
    struct OrderEntry {
        net::wire::Order order;
        std::vector<Authorization> authorizations;
        Bytes settledResult;
        net::wire::Receipt receipt;
    };

    // True when the answer to this call is to be lost.
    bool enter(ServerCall call);
    template <class Answer>
    Answer answer(bool lost, Answer value);
    OrderEntry& orderLocked(const std::string& orderId);
    nlohmann::json authorize(const std::string& orderId, const nlohmann::json& request);
    net::ReportOutcome settle(const std::string& orderId, ByteView result, ByteView signature);
    void checkResult(const OrderEntry& entry, const net::wire::TopupResult& result) const;

    crypto::X509Ptr device_;
    Bytes chipSerial_;
    Bytes samPublicKey_;
    mutable std::mutex mutex_;
    nlohmann::json scriptEnvelope_;
    std::map<std::string, nlohmann::json> otherScripts_;  // by scheme
    std::map<std::string, OrderEntry> orders_;
    std::map<ServerCall, Fault> faults_;
    std::map<ServerCall, std::size_t> calls_;
    std::function<void(ServerCall)> hook_;
    std::vector<net::wire::TopupResult> settled_;
};

}  // namespace taplink::service::testing
