// Which web page's origin started which order. A page's start call (topup.start, ecload.start,
// pay.start) claims the order for its origin; tx.status and tx.cancel answer only that
// origin, and no page reaches an order the owner or another origin started.
//
// A claim is recorded only once the server has answered the order (the start call's
// "waiting_for_card"), so that made-up order ids take no room, and claims are kept per origin:
// an origin that holds kPerOrigin forgets its own oldest, never another origin's.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "journal/topup_journal.hpp"

namespace taplink::app {

class WebOrderClaims {
  public:
    // Claims kept per origin; its older orders are long settled.
    static constexpr std::size_t kPerOrigin = 200;

    explicit WebOrderClaims(journal::TopupJournal& journal) : journal_(journal) {}

    // True when this origin may start the order: taplinkd has not seen it, or it is already
    // this origin's. Records nothing.
    bool mayClaim(const std::string& orderId, const std::string& origin) const;
    // Records the claim of an order the server knows; false (and nothing recorded) when
    // another origin holds it.
    bool record(const std::string& orderId, const std::string& origin);
    bool isClaimedBy(const std::string& orderId, const std::string& origin) const;

  private:
    journal::TopupJournal& journal_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> origins_;               // order id -> origin
    std::map<std::string, std::deque<std::string>> byOrigin_;  // origin -> its orders, oldest first
};

}  // namespace taplink::app
