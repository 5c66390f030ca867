// The bank issuer of taplink-server's EC load (docs/server.md, "Electronic-cash load"), in
// process for the service's tests: a cardholder account that pays, ecload/authorize with
// the ARQC verified and the ARPC and template-72 script made by crypto::emv under the test
// bank keys, and ecload/result and /reverse decided once by the card's balance, with the
// same replay answers the server gives. The ledger counts every debit and refund.
//
// The same issuer pays bank-purchase orders (docs/server.md, "Purchase"): purchase/authorize
// opens the chip's seal with the payment keys the test personalised, rebuilds the CDOL1 data
// from the sealed values (docs/bank-cards.md, "Purchase: the terminal data"), verifies the
// ARQC with the same card keys as an EC load, checks an online PIN block against the
// account's PIN (3 tries), and purchase/result and /reverse decide once.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "net/topup_server_client.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::service::testing {

class ScriptedEcIssuer {
  public:
    struct Ledger {
        std::uint64_t debits = 0;
        std::uint64_t refunds = 0;
    };

    std::uint64_t accountBalance = 1000000;  // fen
    bool spoilArpc = false;                  // the card then declines with an AAC
    bool declineArc = false;                 // answer ARC 51 (insufficient funds)

    // POST /v1/orders/{id}/ecload/authorize for an open order of `amount`.
    nlohmann::json authorize(const std::string& orderId, std::uint32_t amount,
                             const nlohmann::json& request, ByteView terminalId);
    // POST /v1/orders/{id}/ecload/result or /reverse; signatures by `device`.
    net::EcReportOutcome decide(const std::string& orderId, net::EcReport kind, ByteView message,
                                ByteView signature, EVP_PKEY* device);

    // The payment applet's keys and the chip's serial (what the TSM personalised).
    struct PaymentKeys {
        Bytes channelKey;
        Bytes pinKey;
        Bytes chipSerial;
    };
    std::optional<PaymentKeys> paymentKeys;
    std::string accountPin = "314159";
    std::uint32_t pinTriesLeft = 3;

    // POST /v1/orders/{id}/purchase/authorize for an open order of `amount`.
    nlohmann::json authorizePurchase(const std::string& orderId, std::uint32_t amount,
                                     const std::string& merchant, const nlohmann::json& request);
    // POST /v1/orders/{id}/purchase/result or /reverse (the signature checked by the caller).
    // An order this issuer never authorized (a journal the test wrote) is decided as it asks.
    net::PurchaseReportOutcome decidePurchase(const std::string& orderId, net::PurchaseReport kind,
                                              ByteView message);
    // Every purchase message decided, parsed, in order.
    std::vector<net::wire::PurchaseResult> purchaseResults;
    std::vector<net::wire::PurchaseReversal> purchaseReversals;

    Ledger ledger(const std::string& orderId) const;
    // "settled", "reversed" or "" (undecided).
    std::string decision(const std::string& orderId) const;
    std::size_t decisions() const { return decided_.size(); }
    // Every request body the issuer was sent (the tests look for the plain PAN only there).
    const std::vector<nlohmann::json>& requests() const { return requests_; }

  private:
    struct Authorization {
        nlohmann::json request;
        nlohmann::json answer;
        std::uint32_t amount = 0;
        std::uint64_t newBalance = 0;
        Bytes nonce;
        std::uint16_t atc = 0;
        std::string panLast4;
    };
    struct Decision {
        Bytes message;
        net::wire::EcReceipt receipt;
    };

    struct PurchaseAuthorization {
        nlohmann::json request;
        nlohmann::json answer;
        std::uint32_t amount = 0;
        std::string merchant;
        Bytes nonce;  // empty: declined
        std::uint16_t atc = 0;
        std::string panLast4;
        std::string authCode;
    };
    struct PurchaseDecision {
        Bytes message;
        net::wire::PurchaseReceipt receipt;
    };
    nlohmann::json decidePurchaseAnswer(const std::string& orderId, std::uint32_t amount,
                                        const std::string& merchant, const nlohmann::json& request);

    net::EcReportOutcome decideLocked(const std::string& orderId, const Authorization& given,
                                      bool settle, ByteView message);

    std::map<std::string, Authorization> authorized_;
    std::map<std::string, Decision> decided_;
    std::map<std::string, Ledger> ledgers_;
    std::map<std::string, PurchaseAuthorization> purchases_;
    std::map<std::string, PurchaseDecision> purchaseDecisions_;
    std::vector<nlohmann::json> requests_;
};

}  // namespace taplink::service::testing
