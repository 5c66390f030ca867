// The device API's Tap & Pay purchase endpoints (docs/server.md, "Purchase (acquirer and
// issuer)"): the server as acquirer and as the card's issuer. authorize opens the chip's
// sealed purchase with the chip's channel key, rebuilds the terminal data the ARQC covers,
// checks the ARQC and decides for the account of the PAN (the PIN, the limits, the funds),
// debiting it when it approves; the signed result settles the order or refunds the account,
// exactly once. DeviceApi routes here and logs every refusal.
#pragma once

#include <optional>
#include <string>

#include "api/card_transaction.hpp"
#include "api/ecload_issuer.hpp"
#include "api/purchase_issuer.hpp"
#include "http/http_message.hpp"
#include "store/server_store.hpp"
#include "taplink/protocol/issuer_keys.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::server {

class PurchaseApi {
  public:
    // paymentSealKey: the TSM's seal of the chips' payment keys (api/tsm_jobs.hpp); none: every
    // authorize is 422 payment_keys_missing.
    PurchaseApi(ServerStore& store, const sim::IssuerKeySet& issuers,
                std::optional<Bytes> paymentSealKey);

    // The answer stored for the same sealed bytes of the caller's chip, if any: asked before
    // every other check (the chip lock included), so that a lost answer is never hidden.
    std::optional<http::Response> answeredBefore(const http::Request& request,
                                                 const DeviceCaller& caller,
                                                 const std::string& orderId);
    // Each throws ApiError for a refusal.
    http::Response authorize(const http::Request& request, const DeviceCaller& caller,
                             const std::string& orderId);
    http::Response result(const http::Request& request, const DeviceCaller& caller,
                          const std::string& orderId);
    http::Response reverse(const http::Request& request, const DeviceCaller& caller,
                           const std::string& orderId);

  private:
    struct Opened;   // the opened seal, its card and PIN
    struct Checked;  // what authorize has verified, for the issuer's decision

    OrderRecord purchaseOrder(const std::string& orderId) const;
    Opened openSeal(const DeviceCaller& caller, ByteView sealed) const;
    void checkArqc(const IssuerCard& card, const Opened& opened) const;
    chip::mgmt::PaymentParameters paymentLimits(const DeviceCaller& caller) const;
    IssuerFacts factsOf(const DeviceCaller& caller, const Opened& opened) const;
    PurchaseVerdict verdictFor(const Checked& checked, const std::optional<AccountRecord>& account);
    PurchaseAuthorizationRecord approvalOf(const Checked& checked,
                                           const AccountRecord& account) const;
    // The refusal of an outcome that decided nothing; returns otherwise.
    void refuseUndecided(PurchaseAuthorizeOutcome outcome, const std::string& orderId) const;
    PurchaseAuthorizationRecord matchingAuthorization(const DeviceCaller& caller,
                                                      const std::string& orderId, ByteView nonce,
                                                      std::uint16_t atc, ByteView terminalId) const;
    OrderRecord undecidedOrder(const std::string& orderId, ByteView message) const;
    void checkSecondCryptogram(const net::wire::PurchaseResult& result,
                               const PurchaseAuthorizationRecord& authorization) const;
    PurchaseDecisionRecord decisionFor(const DeviceCaller& caller,
                                       const net::wire::ResultReport& report,
                                       const OrderRecord& order,
                                       const PurchaseAuthorizationRecord& authorization) const;
    std::optional<http::Response> reversedBefore(const DeviceCaller& caller,
                                                 const std::string& orderId);
    http::Response decide(const PurchaseDecisionRecord& decision);
    net::wire::PurchaseReceipt receiptOf(const PurchaseDecisionRecord& decision) const;
    [[noreturn]] void replayOrConflict(const PurchaseDecisionRecord& earlier,
                                       ByteView message) const;

    ServerStore& store_;
    const sim::IssuerKeySet& issuers_;
    std::optional<Bytes> paymentSealKey_;
};

}  // namespace taplink::server
