// The device API's bank-card EC load (圈存) endpoints (docs/server.md, "Electronic-cash
// load"): the server as the card's issuer. It checks the ARQC, debits the order's cardholder
// account and answers the ARPC with the issuer script that writes the new EC balance; the
// signed result settles the order or refunds the account, exactly once. DeviceApi routes to
// it and logs every refusal.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>

#include "api/device_identity.hpp"
#include "api/ecload_issuer.hpp"
#include "http/http_message.hpp"
#include "store/server_store.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/issuer_keys.hpp"

namespace taplink::server {

// Who calls: the device as its certificate says.
struct EcCaller {
    const DeviceIdentity& device;
    X509* certificate = nullptr;
};

class EcLoadApi {
  public:
    EcLoadApi(ServerStore& store, const sim::IssuerKeySet& issuers);

    // Each throws ApiError for a refusal.
    http::Response authorize(const http::Request& request, const EcCaller& caller,
                             const std::string& orderId);
    http::Response result(const http::Request& request, const EcCaller& caller,
                          const std::string& orderId);
    http::Response reverse(const http::Request& request, const EcCaller& caller,
                           const std::string& orderId);

  private:
    OrderRecord ecOrder(const std::string& orderId) const;
    EcCard cardOf(const std::string& pan, std::uint8_t psn, std::uint16_t atc,
                  std::uint8_t algorithmIndicator) const;
    AccountRecord linkedAccount(const OrderRecord& order, const std::string& pan) const;
    EcAuthorizationRecord newAuthorization(const EcCaller& caller, const OrderRecord& order,
                                           const AccountRecord& account,
                                           const net::wire::EcAuthorizeRequest& body) const;
    // The refusal of an outcome that recorded nothing and is not a decline; returns otherwise.
    void refuseUnrecorded(EcAuthorizeOutcome outcome, const std::string& orderId) const;
    nlohmann::json approve(const EcCaller& caller, const OrderRecord& order,
                           const AccountRecord& account, const EcCard& card,
                           const net::wire::EcAuthorizeRequest& body);
    nlohmann::json declined(const OrderRecord& order, const EcCard& card, ByteView arqc) const;
    ByteView signedMessage(const EcCaller& caller, const net::wire::ResultReport& report) const;
    EcAuthorizationRecord matchingAuthorization(const EcCaller& caller, const std::string& orderId,
                                                ByteView nonce, std::uint16_t atc,
                                                ByteView terminalId) const;
    EcCard cardOf(const EcAuthorizationRecord& authorization) const;
    void requireCallersTerminal(const net::wire::EcAuthorizeRequest& body,
                                const EcCaller& caller) const;
    // arqc_invalid, then ec_limit_exceeded.
    void checkArqc(const EcCard& card, const net::wire::EcAuthorizeRequest& body,
                   const OrderRecord& order) const;
    OrderRecord undecidedOrder(const std::string& orderId, ByteView message) const;
    // 422 cryptogram_invalid unless the second GENERATE AC is the card's TC or AAC after the
    // issuer's answer.
    void checkSecondCryptogram(const net::wire::EcLoadResult& result,
                               const EcAuthorizationRecord& authorization) const;
    std::optional<http::Response> reversedBefore(const EcCaller& caller,
                                                 const std::string& orderId);
    EcDecisionRecord decisionFor(const EcCaller& caller, const net::wire::ResultReport& report,
                                 const OrderRecord& order,
                                 const EcAuthorizationRecord& authorization) const;
    http::Response decide(const EcDecisionRecord& decision);

    ServerStore& store_;
    const sim::IssuerKeySet& issuers_;
};

}  // namespace taplink::server
