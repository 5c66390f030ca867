// What the bank card's EC load (api/ecload_api.*) and purchase (api/purchase_api.*) do alike
// on the device API: who calls, the order's state, the signed messages and the second
// GENERATE AC that decides the transaction. One rule for both.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "api/api_error.hpp"
#include "api/device_identity.hpp"
#include "api/device_request.hpp"
#include "store/random_ids.hpp"
#include "store/server_store.hpp"
#include "taplink/crypto/constant_time.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

// Who calls: the device as its certificate says.
struct DeviceCaller {
    const DeviceIdentity& device;
    X509* certificate = nullptr;
};

// 409 order_settled, order_cancelled or order_reversed for an order that is not open.
void refuseClosed(const OrderRecord& order);

// 403 terminal_mismatch unless the terminal id is the caller's (its chip serial's last 6).
void requireCallersTerminal(ByteView terminalId, const DeviceCaller& caller);

// The report's message, when the caller's device key signed it; 403 bad_signature otherwise.
ByteView signedMessage(const DeviceCaller& caller, const net::wire::ResultReport& report);

// A signed result or reversal message for the path's order: 400 malformed_result or
// order_mismatch otherwise.
template <class Parse>
auto parseSignedMessage(ByteView message, Parse parse, const std::string& orderId, const char* what)
    -> decltype(parse(message)) {
    decltype(parse(message)) parsed;
    try {
        parsed = parse(message);
    } catch (const net::wire::WireFormatError& error) {
        throw ApiError(400, "malformed_result", error.what());
    }
    if (parsed.orderId != orderId) {
        throw ApiError(400, "order_mismatch",
                       std::string("the ") + what + " is for order " + parsed.orderId);
    }
    return parsed;
}

// Whether the authorization on record is the one a signed result or reversal names: given to
// the caller's chip for this nonce, ATC and terminal.
template <class Authorization>
bool isAuthorizationFor(const Authorization& authorization, const DeviceCaller& caller,
                        ByteView nonce, std::uint16_t atc, ByteView terminalId) {
    return authorization.chipSerial == caller.device.chipSerialHex &&
           crypto::constantTimeEqual(authorization.nonce, nonce) && authorization.atc == atc &&
           crypto::constantTimeEqual(authorization.terminalId, terminalId);
}

// A new decision (its receipt id and time now) of the reported message about the order, with
// what it takes from the caller and the authorization; the caller sets its kind and detail.
template <class Decision, class Authorization>
Decision newDecision(const DeviceCaller& caller, const net::wire::ResultReport& report,
                     const OrderRecord& order, const Authorization& authorization) {
    Decision decision;
    decision.orderId = order.orderId;
    decision.receiptId = newReceiptId();
    decision.message = report.result;
    decision.signature = report.signature;
    decision.deviceFingerprint = caller.device.fingerprint;
    decision.chipSerial = caller.device.chipSerialHex;
    decision.amount = order.amount;
    decision.panLast4 = authorization.panLast4;
    decision.decidedAt = nowSeconds();
    return decision;
}

// The second GENERATE AC as the signed result reports it.
struct SecondAc {
    std::uint8_t cid = 0;
    ByteView cryptogram;
    ByteView cdol2Data;
    ByteView iad;
};

// What the second GENERATE AC must be before its cryptogram is worth checking: a TC or AAC,
// not the first one's ARQC again, over the 91 and the approved 8A the issuer sent, its CVR
// telling an ARQC then the CID's AC. 422 cryptogram_invalid otherwise.
void requireSecondAc(const SecondAc& second, ByteView arqc, ByteView issuerAuthenticationData);
[[noreturn]] void refuseCryptogram(const std::string& why);

}  // namespace taplink::server
