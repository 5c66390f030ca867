// Which web page's origin started which order. A page's start call (topup.start, ecload.start,
// pay.start) claims the order for its origin; tx.status and tx.cancel answer only that
// origin, and no page reaches an order the owner or another origin started.
//
// Claims are kept per origin: an origin that holds kPerOrigin forgets its own oldest, never
// another origin's. A claim whose order the server never answered (a made-up order id, the
// server down) is released when its start call ends (WebClaim in method_families.hpp), so it
// takes no room.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace taplink::app {

class WebOrderClaims {
  public:
    // Claims kept per origin; its older orders are long settled.
    static constexpr std::size_t kPerOrigin = 200;

    // knownOrder: whether taplinkd's journals hold the order (a top-up, EC load or purchase).
    explicit WebOrderClaims(std::function<bool(const std::string& orderId)> knownOrder)
        : knownOrder_(std::move(knownOrder)) {}

    // True when the order is new to taplinkd or already this origin's; it is this origin's
    // from now on.
    bool claim(const std::string& orderId, const std::string& origin);
    // Forgets this origin's claim when taplinkd's journals still do not hold the order.
    void releaseIfUnknown(const std::string& orderId, const std::string& origin);
    bool isClaimedBy(const std::string& orderId, const std::string& origin) const;

  private:
    void forget(const std::string& orderId, const std::string& origin);

    std::function<bool(const std::string&)> knownOrder_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> origins_;               // order id -> origin
    std::map<std::string, std::deque<std::string>> byOrigin_;  // origin -> its orders, oldest first
};

}  // namespace taplink::app
