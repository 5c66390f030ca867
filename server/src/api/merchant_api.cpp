#include "api/merchant_api.hpp"

#include <limits>

#include "api/api_calls.hpp"
#include "api/views.hpp"
#include "http/static_files.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/purchase_wire.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

namespace {

namespace wire = net::wire;
using http::Request;
using http::Response;
using nlohmann::json;

// The page loads only its own scripts, styles and images, talks only to its own origin and
// to taplinkd's loopback WebSocket, and cannot be framed (clickjacking a payment button).
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

Response fileOr404(const std::string& folder, std::string_view name) {
    auto file = http::staticFile(folder, name);
    if (!file) {
        throw ApiError(404, "not_found", "no such file: " + std::string(name));
    }
    return std::move(*file);
}

// A cross-site page cannot send application/json without a CORS preflight, which this
// listener never grants; a browser's Origin, when sent, must also be this very listener.
void requireSameOriginJson(const Request& request) {
    if (!http::hasMediaType(request, "application/json")) {
        throw ApiError(415, "unsupported_media_type", "the body must be application/json");
    }
    const auto origin = request.header("origin");
    const auto host = request.header("host");
    if (origin && (!host || *origin != "https://" + std::string(*host))) {
        throw ApiError(403, "origin_mismatch", "orders are taken from this site's own pages only");
    }
}

struct OrderAsked {
    std::uint32_t amount = 0;
    std::optional<std::string> scheme;
};

// {"amount": fen, "scheme"?: name}: the amount an integer from 1 to max.
OrderAsked readOrder(const Request& request, std::uint32_t max) {
    const std::string rule =
        "amount must be a whole number of fen from 1 to " + std::to_string(max);
    const json body = jsonBody(request);
    OrderAsked asked;
    std::uint64_t amount = 0;
    try {
        wire::StrictObject in(body, "order");
        asked.scheme = in.optionalString("scheme");
        amount = in.integer("amount", 0, std::numeric_limits<std::uint32_t>::max());
        in.finish();
    } catch (const wire::WireFormatError& error) {
        const bool aboutAmount = body.is_object() && body.contains("amount") &&
                                 body.size() == (body.contains("scheme") ? 2U : 1U);
        throw aboutAmount ? ApiError(400, "invalid_amount", rule)
                          : ApiError(400, "malformed_request", error.what());
    }
    if (amount == 0 || amount > max) {
        throw ApiError(400, "invalid_amount", rule);
    }
    asked.amount = static_cast<std::uint32_t>(amount);
    return asked;
}

}  // namespace

MerchantApi::MerchantApi(ServerStore& store, OrderRules rules, MerchantSettings settings)
    : store_(store), rules_(std::move(rules)), settings_(std::move(settings)) {
    router_.add("GET", "/", memberRoute(this, &MerchantApi::page));
    router_.add("GET", "/assets/{}", memberRoute(this, &MerchantApi::asset));
    router_.add("GET", "/sdk/{}", memberRoute(this, &MerchantApi::sdkFile));
    router_.add("POST", "/merchant/orders", memberRoute(this, &MerchantApi::createOrder));
    router_.add("GET", "/merchant/orders/{}", memberRoute(this, &MerchantApi::showOrder));
}

http::HeaderList MerchantApi::securityHeaders() {
    return {{"Content-Security-Policy", kContentSecurityPolicy},
            {"X-Content-Type-Options", "nosniff"},
            {"Referrer-Policy", "no-referrer"}};
}

Response MerchantApi::handle(const Request& request, const http::Peer& /*peer*/) {
    return answer(router_, request);
}

Response MerchantApi::page(const Request& /*request*/, Call& /*call*/, const Params& /*path*/) {
    return fileOr404(settings_.checkoutDir, "index.html");
}

Response MerchantApi::asset(const Request& /*request*/, Call& /*call*/, const Params& path) {
    return fileOr404(settings_.checkoutDir, path[0]);
}

Response MerchantApi::sdkFile(const Request& /*request*/, Call& /*call*/, const Params& path) {
    return fileOr404(settings_.sdkDir, path[0]);
}

// POST /merchant/orders {"amount":5000}: the same order the operator's `order create` makes;
// {"amount":5000,"scheme":"bank-ec"}: an EC load (圈存) paid by the configured demo account;
// {"amount":5000,"scheme":"bank-purchase"}: a purchase from this shop (merchantName).
Response MerchantApi::createOrder(const Request& request, Call& /*call*/, const Params& /*path*/) {
    requireSameOriginJson(request);
    const OrderAsked asked = readOrder(request, rules_.maxOrderAmount);
    const std::string scheme = asked.scheme.value_or(settings_.scheme);
    const OrderRecord order = openOrder(store_, rules_, asked.amount, scheme, termsFor(scheme));
    json created{{"orderId", order.orderId},
                 {"amount", order.amount},
                 {"currency", order.currency},
                 {"scheme", scheme}};
    if (!order.merchant.empty()) {
        created["merchant"] = order.merchant;
    }
    return http::jsonResponse(201, created);
}

// A bank-ec order is paid by the demo account, a bank-purchase order is this shop's.
OrderTerms MerchantApi::termsFor(const std::string& scheme) {
    if (scheme == wire::kBankEcScheme) {
        return OrderTerms{demoAccountId(), std::nullopt};
    }
    if (scheme == wire::kBankPurchaseScheme) {
        return OrderTerms{std::nullopt, settings_.merchantName};
    }
    return {};
}

// The oldest account of the configured demo holder.
std::string MerchantApi::demoAccountId() {
    if (!settings_.demoAccountHolder) {
        throw ApiError(400, "ecload_unavailable", "this shop has no demo account for EC loads");
    }
    for (const auto& account : store_.listAccounts()) {
        if (account.holder == *settings_.demoAccountHolder) {
            return account.accountId;
        }
    }
    throw ApiError(404, "account_not_found", "no account of " + *settings_.demoAccountHolder);
}

Response MerchantApi::showOrder(const Request& /*request*/, Call& /*call*/, const Params& path) {
    return http::jsonResponse(200, wire::toJson(orderView(existingOrder(store_, path[0]))));
}

}  // namespace taplink::server
