// The merchant listener (docs/server.md, "Merchant listener and demo checkout"): HTTPS for
// browsers, without client certificates. It serves the demo checkout page, its assets and
// the page SDK from two folders, and lets the page open an order and follow it.
//
//   GET  /                      checkoutDir/index.html
//   GET  /assets/{name}         a file directly in checkoutDir (http/static_files.hpp)
//   GET  /sdk/{name}            a file directly in sdkDir (taplink.js, taplink.d.ts)
//   POST /merchant/orders       {"amount": fen, "scheme"?: "bank-ec" | "bank-purchase"}
//                               -> 201 {"orderId","amount","currency","scheme"[,"merchant"]}
//   GET  /merchant/orders/{id}  the order: {"orderId","amount","currency","scheme","status"
//                               [,"merchant"]}
#pragma once

#include <optional>
#include <string>

#include "api/order_desk.hpp"
#include "http/http_server.hpp"
#include "http/router.hpp"
#include "store/server_store.hpp"

namespace taplink::server {

struct MerchantSettings {
    std::string checkoutDir;
    std::string sdkDir;
    std::string scheme = "city-epurse";  // what the page's orders are for by default
    // The holder whose cardholder account pays the page's bank-ec (圈存) orders, named rather
    // than its id because accounts get random ids after the server starts; none: the page
    // cannot open them (400 ecload_unavailable).
    std::optional<std::string> demoAccountHolder;
    // The shop's name on its bank-purchase orders (net::wire::isValidMerchantName).
    std::string merchantName = "TapLink 演示商店 Demo Shop";
};

class MerchantApi {
  public:
    MerchantApi(ServerStore& store, OrderRules rules, MerchantSettings settings);
    // Its routes hold `this`: it stays where it was made.
    MerchantApi(const MerchantApi&) = delete;
    MerchantApi& operator=(const MerchantApi&) = delete;

    // Never throws for anything a client sends.
    http::Response handle(const http::Request& request, const http::Peer& peer);

    // Sent with every answer of the merchant listener, refusals included.
    static http::HeaderList securityHeaders();

  private:
    struct Call {};
    using Params = http::PathParams;

    http::Response page(const http::Request& request, Call& call, const Params& path);
    http::Response asset(const http::Request& request, Call& call, const Params& path);
    http::Response sdkFile(const http::Request& request, Call& call, const Params& path);
    http::Response createOrder(const http::Request& request, Call& call, const Params& path);
    http::Response showOrder(const http::Request& request, Call& call, const Params& path);
    std::string demoAccountId();
    OrderTerms termsFor(const std::string& scheme);

    ServerStore& store_;
    OrderRules rules_;
    MerchantSettings settings_;
    http::Router<Call> router_;
};

}  // namespace taplink::server
