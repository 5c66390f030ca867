// The port to where taplinkd keeps the highest signed-script version it accepted per scheme
// (script_version_journal.hpp keeps them in the journal's SQLite file), so that a server
// cannot roll a scheme back to an older, still validly signed script (script_freshness.hpp).
#pragma once

#include <cstdint>
#include <string_view>

namespace taplink::journal {

class ScriptVersionStore {
  public:
    virtual ~ScriptVersionStore() = default;

    // The highest version accepted for the scheme; 0 when none was (versions start at 1).
    virtual std::uint64_t highest(std::string_view scheme) = 0;
    // Stores max(highest(scheme), version), durably before it returns: never lowers it.
    virtual void raise(std::string_view scheme, std::uint64_t version) = 0;

  protected:
    ScriptVersionStore() = default;
    ScriptVersionStore(const ScriptVersionStore&) = default;
    ScriptVersionStore& operator=(const ScriptVersionStore&) = default;
    ScriptVersionStore(ScriptVersionStore&&) = default;
    ScriptVersionStore& operator=(ScriptVersionStore&&) = default;
};

}  // namespace taplink::journal
