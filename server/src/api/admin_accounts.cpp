// The admin API's cardholder accounts (docs/server.md, "Cardholder accounts"): create,
// credit, show with its ledger, list. A PAN goes in once, at creation, and never comes out:
// every answer shows it masked.
#include "api/admin_api.hpp"
#include "api/api_calls.hpp"
#include "api/money.hpp"
#include "api/pan_privacy.hpp"
#include "taplink/protocol/ecload_wire.hpp"

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

json accountView(const AccountRecord& account) {
    return {{"accountId", account.accountId},
            {"holder", account.holder},
            {"pan", maskedPan(account.panLast4)},
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

}  // namespace

void AdminApi::addAccountRoutes() {
    router_.add("POST", "/admin/accounts", memberRoute(this, &AdminApi::createAccount));
    router_.add("GET", "/admin/accounts", memberRoute(this, &AdminApi::listAccounts));
    router_.add("GET", "/admin/accounts/{}", memberRoute(this, &AdminApi::showAccount));
    router_.add("POST", "/admin/accounts/{}/credit", memberRoute(this, &AdminApi::creditAccount));
}

AccountRecord AdminApi::existingAccount(const std::string& accountId) const {
    auto account = wire::isValidOrderId(accountId) ? store_.findAccount(accountId) : std::nullopt;
    if (!account) {
        throw ApiError(404, "account_not_found", "no account " + accountId);
    }
    return *account;
}

// POST /admin/accounts {"holder":"NAME","pan":"DIGITS","balance":"YUAN"}
Response AdminApi::createAccount(const Request& request, Call& /*call*/, const Params& /*path*/) {
    const auto [holder, pan, balance] = readBody(request, "account", [](auto& in) {
        return std::tuple(in.string("holder"), in.string("pan"), in.optionalString("balance"));
    });
    if (holder.empty() || holder.size() > kMaxHolderSize) {
        throw ApiError(400, "malformed_request", "holder must be 1..100 characters");
    }
    if (!wire::isValidPan(pan)) {
        throw ApiError(400, "invalid_pan", "pan must be 12..19 decimal digits");
    }
    AccountRecord account{"", holder, panHash(store_.panHashKey(), pan), panLastFour(pan),
                          balance ? yuanOrRefuse(*balance, true) : 0};
    if (store_.createAccount(account) == AccountCreateOutcome::CardAlreadyLinked) {
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
