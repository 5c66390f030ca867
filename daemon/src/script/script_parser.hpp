// Parses a command script's exact bytes into a Script and checks everything that can be
// checked before a run: the format, every field, hex, variable names, types and definitions,
// the APDU policy of each step's target, the money rules and the limits. Nothing is sent.
// Use verifySignedScript (signed_script.hpp) for anything that came from outside: it checks
// the signature before it lets the parser look at the bytes.
#pragma once

#include "script/script.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::script {

// ScriptError: limit_exceeded (larger than limits.maxScriptBytes, a loop or declared limit
// over the engine's), unsupported (another format, kind or step type), apdu_not_allowed,
// malformed (anything else).
Script parseScript(ByteView text, const Limits& limits = {});

}  // namespace taplink::script
