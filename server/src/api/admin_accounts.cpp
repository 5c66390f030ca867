// The admin API's cardholder accounts (docs/server.md, "Cardholder accounts"): create,
// credit, show with its ledger, list. A PAN goes in once, at creation, and never comes out:
// every answer shows it masked.
#include <openssl/crypto.h>

#include "api/account_pin.hpp"
#include "api/admin_api.hpp"
#include "api/api_calls.hpp"
#include "api/money.hpp"
#include "api/pan_privacy.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::server {

namespace {

namespace wire = net::wire;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kMaxHolderSize = 100;

std::uint64_t yuanOrRefuse(const std::string& text, bool zeroAllowed) {
    const auto fen = parseYuan(text);
    if (!fen || (*fen == 0 && !zeroAllowed)) {
        throw ApiError(400, "invalid_amount", "the amount must be yuan with at most 2 decimals");
    }
    return *fen;
}

// The PIN a request brought, wiped when the handler is done with it.
class WipedPin {
  public:
    explicit WipedPin(std::optional<std::string>& pin) : pin_(pin) {}
    WipedPin(const WipedPin&) = delete;
    WipedPin& operator=(const WipedPin&) = delete;
    ~WipedPin() {
        if (pin_) {
            OPENSSL_cleanse(pin_->data(), pin_->size());
        }
    }

  private:
    std::optional<std::string>& pin_;
};

void requireValidPin(const std::optional<std::string>& pin) {
    if (pin && !chip::pay::isValidPin(*pin)) {
        throw ApiError(400, "invalid_pin", "pin must be 4..12 decimal digits");
    }
}

json accountView(const AccountRecord& account) {
    return {{"accountId", account.accountId},
            {"holder", account.holder},
            {"pan", maskedPan(account.panLast4)},
            {"pinSet", !account.pinHash.empty()},
            {"pinTriesLeft", account.pinTriesLeft},
            {"balance", account.balance},
            {"balanceYuan", formatYuan(account.balance)},
            {"createdAt", account.createdAt},
            {"updatedAt", account.updatedAt}};
}

json entryView(const AccountEntry& entry) {
    return {{"id", entry.id},
            {"orderId", entry.orderId.empty() ? json(nullptr) : json(entry.orderId)},
            {"kind", entry.kind},
            {"amount", entry.amount},
            {"balanceAfter", entry.balanceAfter},
            {"at", entry.at}};
}

json decisionView(const EcDecisionRecord& decision) {
    return {{"kind", decision.kind},
            {"receiptId", decision.receiptId},
            {"chipSerial", decision.chipSerial},
            {"pan", maskedPan(decision.panLast4)},
            {"ecBalanceAfter", decision.ecBalanceAfter},
            {"detail", decision.detail},
            {"decidedAt", decision.decidedAt}};
}

json authorizationView(const EcAuthorizationRecord& authorization) {
    return {{"chipSerial", authorization.chipSerial},
            {"atc", authorization.atc},
            {"terminalId", toHex(authorization.terminalId)},
            {"nonce", toHex(authorization.nonce)},
            {"scriptId", toHex(authorization.scriptId)},
            {"newBalance", authorization.newBalance},
            {"issuedAt", authorization.issuedAt}};
}

json purchaseAuthorizationView(const PurchaseAuthorizationRecord& authorization) {
    return {{"account", authorization.accountId},
            {"chipSerial", authorization.chipSerial},
            {"pan", maskedPan(authorization.panLast4)},
            {"atc", authorization.atc},
            {"terminalId", toHex(authorization.terminalId)},
            {"authCode", authorization.authCode},
            {"issuedAt", authorization.issuedAt}};
}

json purchaseDecisionView(const PurchaseDecisionRecord& decision) {
    return {{"kind", decision.kind},
            {"receiptId", decision.receiptId},
            {"chipSerial", decision.chipSerial},
            {"pan", maskedPan(decision.panLast4)},
            {"detail", decision.detail},
            {"decidedAt", decision.decidedAt}};
}

}  // namespace

// A purchase's approval (none while declined or undecided) and its decision.
void AdminApi::addPurchaseView(const OrderRecord& order, json& view) const {
    const auto authorization = store_.purchaseAuthorizationFor(order.orderId);
    view["purchaseAuthorization"] =
        authorization ? purchaseAuthorizationView(*authorization) : json(nullptr);
    const auto decision = store_.purchaseDecisionFor(order.orderId);
    view["purchaseDecision"] = decision ? purchaseDecisionView(*decision) : json(nullptr);
}

void AdminApi::addAccountRoutes() {
    router_.add("POST", "/admin/accounts", memberRoute(this, &AdminApi::createAccount));
    router_.add("GET", "/admin/accounts", memberRoute(this, &AdminApi::listAccounts));
    router_.add("GET", "/admin/accounts/{}", memberRoute(this, &AdminApi::showAccount));
    router_.add("POST", "/admin/accounts/{}/credit", memberRoute(this, &AdminApi::creditAccount));
    router_.add("POST", "/admin/accounts/{}/pin", memberRoute(this, &AdminApi::setAccountPin));
}

AccountRecord AdminApi::existingAccount(const std::string& accountId) const {
    auto account = wire::isValidOrderId(accountId) ? store_.findAccount(accountId) : std::nullopt;
    if (!account) {
        throw ApiError(404, "account_not_found", "no account " + accountId);
    }
    return *account;
}

// POST /admin/accounts {"holder":"NAME","pan":"DIGITS","balance":"YUAN","pin":"DIGITS"}
Response AdminApi::createAccount(const Request& request, Call& /*call*/, const Params& /*path*/) {
    std::optional<std::string> pin;
    const auto [holder, pan, balance] = readBody(request, "account", [&pin](auto& in) {
        pin = in.optionalString("pin");
        return std::tuple(in.string("holder"), in.string("pan"), in.optionalString("balance"));
    });
    const WipedPin wiped{pin};
    if (holder.empty() || holder.size() > kMaxHolderSize) {
        throw ApiError(400, "malformed_request", "holder must be 1..100 characters");
    }
    if (!wire::isValidPan(pan)) {
        throw ApiError(400, "invalid_pan", "pan must be 12..19 decimal digits");
    }
    requireValidPin(pin);
    AccountRecord account{"", holder, panHash(store_.panHashKey(), pan), panLastFour(pan),
                          balance ? yuanOrRefuse(*balance, true) : 0};
    const auto pinHashOf = [this, &pin](const std::string& accountId) {
        return pinHash(store_.pinHashKey(), accountId, *pin);
    };
    if (store_.createAccount(account, pin ? std::function(pinHashOf) : nullptr) ==
        AccountCreateOutcome::CardAlreadyLinked) {
        throw ApiError(409, "card_already_linked", "another account funds that card");
    }
    return http::jsonResponse(201, accountView(account));
}

// POST /admin/accounts/{id}/credit {"amount":"YUAN"}
Response AdminApi::creditAccount(const Request& request, Call& /*call*/, const Params& path) {
    const std::string amountText =
        readBody(request, "credit", [](auto& in) { return in.string("amount"); });
    const std::uint64_t amount = yuanOrRefuse(amountText, false);
    const std::string& accountId = path[0];
    switch (wire::isValidOrderId(accountId) ? store_.creditAccount(accountId, amount)
                                            : AccountCreditOutcome::NotFound) {
        case AccountCreditOutcome::Credited:
            break;
        case AccountCreditOutcome::NotFound:
            throw ApiError(404, "account_not_found", "no account " + accountId);
        case AccountCreditOutcome::TooLarge:
            throw ApiError(400, "invalid_amount", "the balance would be too large");
    }
    return http::jsonResponse(200, accountView(existingAccount(accountId)));
}

// POST /admin/accounts/{id}/pin {"pin":"DIGITS"}: a new PIN, its tries back to 3.
Response AdminApi::setAccountPin(const Request& request, Call& /*call*/, const Params& path) {
    std::optional<std::string> pin =
        readBody(request, "pin", [](auto& in) { return in.string("pin"); });
    const WipedPin wiped{pin};
    requireValidPin(pin);
    const std::string& accountId = path[0];
    if (!wire::isValidOrderId(accountId) ||
        !store_.setAccountPin(accountId, pinHash(store_.pinHashKey(), accountId, *pin))) {
        throw ApiError(404, "account_not_found", "no account " + accountId);
    }
    return http::jsonResponse(200, accountView(existingAccount(accountId)));
}

Response AdminApi::showAccount(const Request& /*request*/, Call& /*call*/, const Params& path) {
    json view = accountView(existingAccount(path[0]));
    view["ledger"] = json::array();
    for (const AccountEntry& entry : store_.accountEntries(path[0])) {
        view["ledger"].push_back(entryView(entry));
    }
    return http::jsonResponse(200, view);
}

Response AdminApi::listAccounts(const Request& /*request*/, Call& /*call*/,
                                const Params& /*path*/) {
    json accounts = json::array();
    for (const AccountRecord& account : store_.listAccounts()) {
        accounts.push_back(accountView(account));
    }
    return http::jsonResponse(200, {{"accounts", accounts}});
}

void AdminApi::addEcLoadView(const OrderRecord& order, json& view) const {
    if (order.scheme == wire::kBankPurchaseScheme) {
        addPurchaseView(order, view);
        return;
    }
    if (order.scheme != wire::kBankEcScheme) {
        return;
    }
    view["account"] = store_.accountOfOrder(order.orderId).value_or("");
    const auto authorization = store_.ecAuthorizationFor(order.orderId);
    view["ecAuthorization"] = authorization ? authorizationView(*authorization) : json(nullptr);
    const auto decision = store_.ecDecisionFor(order.orderId);
    view["ecDecision"] = decision ? decisionView(*decision) : json(nullptr);
}

}  // namespace taplink::server
