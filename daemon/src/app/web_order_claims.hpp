// Which web page's origin started which order. A page's topup.start claims the order for
// its origin; tx.status and tx.cancel answer only that origin, and no page reaches an order
// the owner or another origin started.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "journal/topup_journal.hpp"

namespace taplink::app {

class WebOrderClaims {
  public:
    // Claims kept; older orders are long settled.
    static constexpr std::size_t kRemembered = 1000;

    explicit WebOrderClaims(journal::TopupJournal& journal) : journal_(journal) {}

    // True when the order is new to taplinkd or already this origin's.
    bool claim(const std::string& orderId, const std::string& origin);
    bool isClaimedBy(const std::string& orderId, const std::string& origin) const;

  private:
    journal::TopupJournal& journal_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> origins_;  // order id -> origin
    std::deque<std::string> age_;                 // the oldest claim is forgotten first
};

}  // namespace taplink::app
