#include "api/views.hpp"

#include "api/money.hpp"
#include "taplink/base/masking.hpp"

namespace taplink::server {

using nlohmann::json;
namespace wire = net::wire;

wire::Order orderView(const OrderRecord& order) {
    wire::Order view{order.orderId, order.amount, order.currency, order.scheme, order.status};
    if (!order.merchant.empty()) {
        view.merchant = order.merchant;
    }
    return view;
}

wire::Receipt receiptOf(const SettlementRecord& settlement) {
    return wire::Receipt{settlement.receiptId,    settlement.orderId,
                         settlement.amount,       maskSerial(settlement.cardSerial),
                         settlement.balanceAfter, settlement.tac,
                         settlement.settledAt};
}

json adminView(const OrderRecord& order) {
    json view = wire::toJson(orderView(order));
    view["amountYuan"] = formatYuan(order.amount);
    view["createdAt"] = order.createdAt;
    view["updatedAt"] = order.updatedAt;
    return view;
}

json adminView(const AuthorizationRecord& authorization) {
    return {{"id", authorization.id},
            {"chipSerial", authorization.chipSerial},
            {"deviceFingerprint", authorization.deviceFingerprint},
            {"issuerId", toHex(authorization.issuerId)},
            {"cardSerial", toHex(authorization.cardSerial)},
            {"algorithmId", authorization.algorithmId},
            {"keyVersion", authorization.keyVersion},
            {"balance", authorization.balance},
            {"onlineAtc", authorization.onlineAtc},
            {"terminalId", toHex(authorization.terminalId)},
            {"nonce", toHex(authorization.nonce)},
            {"expiresAt", authorization.expiresAt},
            {"issuedAt", authorization.issuedAt}};
}

json adminView(const SettlementRecord& settlement) {
    return {{"orderId", settlement.orderId},
            {"receiptId", settlement.receiptId},
            {"authorizationId", settlement.authorizationId},
            {"chipSerial", settlement.chipSerial},
            {"cardSerial", toHex(settlement.cardSerial)},
            {"balanceBefore", settlement.balanceBefore},
            {"amount", settlement.amount},
            {"balanceAfter", settlement.balanceAfter},
            {"onlineAtc", settlement.onlineAtc},
            {"tac", toHex(settlement.tac)},
            {"settledAt", settlement.settledAt},
            {"receipt", wire::toJson(receiptOf(settlement))}};
}

json adminView(const DeviceRecord& device) {
    return {{"fingerprint", device.fingerprint},
            {"chipSerial", device.chipSerial},
            {"subject", device.subject},
            {"notAfter", device.notAfter},
            {"status", device.revoked ? "revoked" : "active"},
            {"firstSeen", device.firstSeen},
            {"lastSeen", device.lastSeen}};
}

json adminView(const EventRecord& event) {
    return {{"id", event.id},
            {"at", event.at},
            {"kind", event.kind},
            {"orderId", event.orderId},
            {"chipSerial", event.chipSerial},
            {"code", event.code},
            {"message", event.message}};
}

json adminView(const Ledger& ledger) {
    json settled = json::array();
    for (const SettlementRecord& settlement : ledger.settlements) {
        settled.push_back(adminView(settlement));
    }
    json cards = json::array();
    for (const CardTotal& card : ledger.cards) {
        cards.push_back(
            {{"cardSerial", toHex(card.cardSerial)}, {"total", card.total}, {"loads", card.loads}});
    }
    return {{"settled", settled}, {"cards", cards}, {"total", ledger.total}};
}

}  // namespace taplink::server
