// Fault injection for tests (POST /admin/faults): make the next N calls of a device API
// endpoint answer a chosen status, either before doing anything ("before") or after doing
// the work and committing it ("after": the answer is lost, the effect is not). Two modes
// play a server gone wrong instead: "corrupt" (script: one byte of the script changed after
// it was signed, as a tampering proxy would), "replay" (authorize: the order's first load
// authorization sent again instead of a new one), and for the signed answers of authorize and
// result (any scheme's) "unsigned" (no signature) and "forged" (one byte of the answer changed
// after it was signed).
#pragma once

#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace taplink::server {

enum class Endpoint { Order, Script, Authorize, Result };
enum class FaultMode { Before, After, Corrupt, Replay, Unsigned, Forged };

std::string_view toString(Endpoint endpoint);  // "order", "script", "authorize", "result"
std::optional<Endpoint> endpointFromString(std::string_view name);
std::string_view toString(FaultMode mode);  // "before", "after", "corrupt", "replay", ...
std::optional<FaultMode> faultModeFromString(std::string_view name);

struct Fault {
    Endpoint endpoint = Endpoint::Order;
    FaultMode mode = FaultMode::Before;
    int status = 500;
    unsigned count = 1;  // calls left
};

nlohmann::json toJson(const Fault& fault);

// Thread-safe.
class FaultInjector {
  public:
    void add(const Fault& fault);
    void clear();
    std::vector<Fault> list() const;
    // The status to answer with when a fault for this endpoint and mode has calls left
    // (one is used up), the oldest such fault first.
    std::optional<int> take(Endpoint endpoint, FaultMode mode);

  private:
    mutable std::mutex mutex_;
    std::vector<Fault> faults_;
};

}  // namespace taplink::server
