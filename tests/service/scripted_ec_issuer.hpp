// The bank issuer of taplink-server's EC load (docs/server.md, "Electronic-cash load"), in
// process for the service's tests: a cardholder account that pays, ecload/authorize with
// the ARQC verified and the ARPC and template-72 script made by crypto::emv under the test
// bank keys, and ecload/result and /reverse decided once by the card's balance, with the
// same replay answers the server gives. The ledger counts every debit and refund.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include <openssl/evp.h>

#include "net/topup_server_client.hpp"

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

    net::EcReportOutcome decideLocked(const std::string& orderId, const Authorization& given,
                                      bool settle, ByteView message);

    std::map<std::string, Authorization> authorized_;
    std::map<std::string, Decision> decided_;
    std::map<std::string, Ledger> ledgers_;
    std::vector<nlohmann::json> requests_;
};

}  // namespace taplink::service::testing
