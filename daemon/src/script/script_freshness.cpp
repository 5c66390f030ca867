#include "script/script_freshness.hpp"

#include <string>

#include "script/script_error.hpp"
#include "taplink/base/utc_timestamp.hpp"

namespace taplink::script {

namespace {

constexpr std::string_view kWhere = "script";

std::string nameOf(const Script& script) {
    return script.scheme + "/" + script.id + " v" + std::to_string(script.version);
}

void requireNotRolledBack(const Script& script, journal::ScriptVersionStore& versions) {
    const std::uint64_t highest = versions.highest(script.scheme);
    if (script.version < highest) {
        throw ScriptError(ErrorCode::RolledBack, std::string(kWhere),
                          nameOf(script) + " is older than version " + std::to_string(highest) +
                              ", which this daemon already accepted for scheme " + script.scheme);
    }
}

void requireValidAt(const Script& script, std::int64_t now) {
    if (now < script.validFrom) {
        throw ScriptError(ErrorCode::NotYetValid, std::string(kWhere),
                          nameOf(script) + " is not valid before " +
                              formatUtcTimestamp(script.validFrom) + " (now " +
                              formatUtcTimestamp(now) + ")");
    }
    if (now > script.validUntil) {
        throw ScriptError(ErrorCode::Expired, std::string(kWhere),
                          nameOf(script) + " expired after " +
                              formatUtcTimestamp(script.validUntil) + " (now " +
                              formatUtcTimestamp(now) + ")");
    }
}

}  // namespace

void acceptScript(const Script& script, journal::ScriptVersionStore& versions,
                  WallClock::time_point now) {
    requireNotRolledBack(script, versions);
    requireValidAt(
        script, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    versions.raise(script.scheme, script.version);
}

}  // namespace taplink::script
