// The device API's bank-card EC load (圈存) endpoints (docs/server.md, "Electronic-cash
// load"): the server as the card's issuer. It checks the ARQC, debits the order's cardholder
// account and answers the ARPC with the issuer script that writes the new EC balance; the
// signed result settles the order or refunds the account, exactly once. DeviceApi routes to
// it and logs every refusal.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>

#include "api/card_transaction.hpp"
#include "api/ecload_issuer.hpp"
#include "http/http_message.hpp"
#include "store/server_store.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/issuer_keys.hpp"

namespace taplink::server {

class EcLoadApi {
  public:
    EcLoadApi(ServerStore& store, const sim::IssuerKeySet& issuers);

    // Each throws ApiError for a refusal.
    http::Response authorize(const http::Request& request, const DeviceCaller& caller,
                             const std::string& orderId);
    http::Response result(const http::Request& request, const DeviceCaller& caller,
                          const std::string& orderId);
    http::Response reverse(const http::Request& request, const DeviceCaller& caller,
                           const std::string& orderId);

  private:
    OrderRecord ecOrder(const std::string& orderId) const;
    IssuerCard cardOf(const std::string& pan, std::uint8_t psn, std::uint16_t atc,
                      std::uint8_t algorithmIndicator) const;
    AccountRecord linkedAccount(const OrderRecord& order, const std::string& pan) const;
    EcAuthorizationRecord newAuthorization(const DeviceCaller& caller, const OrderRecord& order,
                                           const AccountRecord& account,
                                           const net::wire::EcAuthorizeRequest& body) const;
    // The refusal of an outcome that recorded nothing and is not a decline; returns otherwise.
    void refuseUnrecorded(EcAuthorizeOutcome outcome, const std::string& orderId) const;
    nlohmann::json approve(const DeviceCaller& caller, const OrderRecord& order,
                           const AccountRecord& account, const IssuerCard& card,
                           const net::wire::EcAuthorizeRequest& body);
    nlohmann::json declined(const OrderRecord& order, const IssuerCard& card, ByteView arqc) const;
    EcAuthorizationRecord matchingAuthorization(const DeviceCaller& caller,
                                                const std::string& orderId, ByteView nonce,
                                                std::uint16_t atc, ByteView terminalId) const;
    IssuerCard cardOf(const EcAuthorizationRecord& authorization) const;
    // arqc_invalid, then ec_limit_exceeded.
    void checkArqc(const IssuerCard& card, const net::wire::EcAuthorizeRequest& body,
                   const OrderRecord& order) const;
    OrderRecord undecidedOrder(const std::string& orderId, ByteView message) const;
    // 422 cryptogram_invalid unless the second GENERATE AC is the card's TC or AAC after the
    // issuer's answer.
    void checkSecondCryptogram(const net::wire::EcLoadResult& result,
                               const EcAuthorizationRecord& authorization) const;
    std::optional<http::Response> reversedBefore(const DeviceCaller& caller,
                                                 const std::string& orderId);
    EcDecisionRecord decisionFor(const DeviceCaller& caller, const net::wire::ResultReport& report,
                                 const OrderRecord& order,
                                 const EcAuthorizationRecord& authorization) const;
    http::Response decide(const EcDecisionRecord& decision);

    ServerStore& store_;
    const sim::IssuerKeySet& issuers_;
};

}  // namespace taplink::server
