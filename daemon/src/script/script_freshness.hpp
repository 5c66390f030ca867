// The checks a signed script passes after its signature and before it runs
// (docs/scripts.md, "Rollback and validity"): not older than what this daemon already
// accepted for its scheme, and inside the validity period its issuer signed.
#pragma once

#include <chrono>

#include "journal/script_version_store.hpp"
#include "script/script.hpp"

namespace taplink::script {

using WallClock = std::chrono::system_clock;

// After verifySignedScript (and the caller's own check of which script it is), before the
// script's first APDU: every caller that runs a signed script calls this. ScriptError
// rolled_back when the script's version is below the highest accepted for its
// scheme, not_yet_valid before validFrom, expired after validUntil (both inclusive). The same
// version again is accepted. An accepted script raises the stored version.
void acceptScript(const Script& script, journal::ScriptVersionStore& versions,
                  WallClock::time_point now);

}  // namespace taplink::script
