#include "api/faults.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace taplink::server {

namespace {
constexpr std::array<std::pair<Endpoint, std::string_view>, 4> kEndpoints{{
    {Endpoint::Order, "order"},
    {Endpoint::Script, "script"},
    {Endpoint::Authorize, "authorize"},
    {Endpoint::Result, "result"},
}};
constexpr std::array<std::pair<FaultMode, std::string_view>, 6> kModes{{
    {FaultMode::Before, "before"},
    {FaultMode::After, "after"},
    {FaultMode::Corrupt, "corrupt"},
    {FaultMode::Replay, "replay"},
    {FaultMode::Unsigned, "unsigned"},
    {FaultMode::Forged, "forged"},
}};

template <class Enum, std::size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
    for (const auto& [known, name] : names) {
        if (known == value) {
            return name;
        }
    }
    return "unknown";
}

template <class Enum, std::size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, std::string_view>, N>& names,
                            std::string_view name) {
    for (const auto& [value, known] : names) {
        if (known == name) {
            return value;
        }
    }
    return std::nullopt;
}
}  // namespace

std::string_view toString(Endpoint endpoint) {
    return nameOf(kEndpoints, endpoint);
}

std::optional<Endpoint> endpointFromString(std::string_view name) {
    return valueOf(kEndpoints, name);
}

std::string_view toString(FaultMode mode) {
    return nameOf(kModes, mode);
}

std::optional<FaultMode> faultModeFromString(std::string_view name) {
    return valueOf(kModes, name);
}

nlohmann::json toJson(const Fault& fault) {
    return {{"endpoint", toString(fault.endpoint)},
            {"mode", toString(fault.mode)},
            {"status", fault.status},
            {"count", fault.count}};
}

void FaultInjector::add(const Fault& fault) {
    const std::lock_guard lock(mutex_);
    faults_.push_back(fault);
}

void FaultInjector::clear() {
    const std::lock_guard lock(mutex_);
    faults_.clear();
}

std::vector<Fault> FaultInjector::list() const {
    const std::lock_guard lock(mutex_);
    return faults_;
}

std::optional<int> FaultInjector::take(Endpoint endpoint, FaultMode mode) {
    const std::lock_guard lock(mutex_);
    const auto found = std::find_if(faults_.begin(), faults_.end(), [&](const Fault& fault) {
        return fault.endpoint == endpoint && fault.mode == mode && fault.count > 0;
    });
    if (found == faults_.end()) {
        return std::nullopt;
    }
    const int status = found->status;
    if (--found->count == 0) {
        faults_.erase(found);
    }
    return status;
}

}  // namespace taplink::server
