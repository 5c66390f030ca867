// The bank card's, the secure chip's and the daemon's half of a Tap & Pay purchase, in
// process, for the server tests: the card's ARQC over CDOL1 data laid out here byte by byte
// (not with the server's DOL builder) from keys derived with crypto::emv from issuers.json;
// the chip's sealed purchase made with chip::pay::sealPurchase under the payment keys the
// TSM personalised; the second GENERATE AC; and the signed TLP1 and TLQ1 messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "taplink/chip/chip_management.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/crypto/emv_keys.hpp"
#include "taplink/protocol/issuer_keys.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::servertest {

// What the chip is asked to seal and the card to sign, changeable per test.
struct PurchaseTerms {
    std::uint32_t amount = 0;
    std::uint16_t currency = chip::pay::kCurrencyCny;
    std::uint8_t type = chip::pay::kGoodsAndServices;
    std::optional<Bytes> date = std::nullopt;  // 9A; today (UTC) when none
    std::string expiry = "301231";
    std::optional<std::string> pin = std::nullopt;           // a PIN block when given
    std::optional<Bytes> orderReference = std::nullopt;      // SHA-256(order id) when none
    std::optional<std::uint32_t> cardAmount = std::nullopt;  // the card's, when not sealed
};

class PurchaseCard {
  public:
    PurchaseCard(const sim::BankIssuer& issuer, std::string pan, chip::mgmt::PaymentKeys keys,
                 Bytes chipSerial);

    // BEGIN PURCHASE's unpredictable number, the card's first GENERATE AC over it (its ATC
    // moves on) and SEAL's answer.
    chip::pay::SealedPurchase purchase(const std::string& orderId, const PurchaseTerms& terms);
    Bytes seal(const chip::pay::SealedPurchase& purchase) const;
    Bytes sealedPurchase(const std::string& orderId, const PurchaseTerms& terms) {
        return seal(purchase(orderId, terms));
    }

    // The card's check of 91: the ARPC for its last ARQC and the answer's ARC.
    bool authenticates(const net::wire::PurchaseAuthorizeResponse& answer) const;
    // The second GENERATE AC (TC or AAC) over 91 || 8A || CDOL1 data, as TLP1.
    net::wire::PurchaseResult result(const std::string& orderId,
                                     const net::wire::PurchaseAuthorizeResponse& answer,
                                     bool tc) const;
    net::wire::PurchaseReversal reversal(const std::string& orderId,
                                         const net::wire::PurchaseAuthorizeResponse& answer,
                                         net::wire::ReversalReason reason) const;

    const std::string& pan() const { return pan_; }
    std::uint16_t atc() const { return atc_; }
    const Bytes& terminalId() const { return terminalId_; }

  private:
    Bytes sessionKey() const;
    Bytes iad(ByteView cvr) const;

    sim::BankMasterKeys keys_;
    std::string pan_;
    chip::mgmt::PaymentKeys paymentKeys_;
    Bytes chipSerial_;
    Bytes terminalId_;
    std::uint8_t psn_ = 0x01;
    std::uint16_t atc_ = 0x0020;
    std::uint32_t purchaseNumber_ = 0;
    Bytes aip_{0x1C, 0x00};
    Bytes arqc_;
    Bytes cdol1Data_;
};

// A day as 9A (BCD YYMMDD, UTC), written here from the clock; today.
Bytes yymmddOf(std::chrono::system_clock::time_point when);
Bytes todayYymmdd();
Bytes sha256(std::string_view text);

}  // namespace taplink::servertest
