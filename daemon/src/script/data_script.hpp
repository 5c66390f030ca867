// Data scripts: key material the server sends for a target, as named hex items, e.g. the
// load authorization sealed to the secure chip:
//   {"format":"taplink-script/1","kind":"data","target":"chip","scheme":"city-epurse",
//    "items":{"loadAuthorization":"HEX","allowanceSignature":"HEX"}}
// The engine only checks and passes them on; what is in them is for the target to open.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>

#include "script/apdu_policy.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::script {

inline constexpr std::size_t kMaxDataItems = 16;
inline constexpr std::size_t kMaxDataItemBytes = 4096;

struct DataScript {
    Target target = Target::Chip;
    std::string scheme;
    std::map<std::string, Bytes, std::less<>> items;
};

// Strict: ScriptError(data_script_invalid, step, ...) unless value is a data script of format
// taplink-script/1 for target and scheme, with no other fields and 1..kMaxDataItems items of
// non-empty hex (at most kMaxDataItemBytes each).
DataScript parseDataScript(const nlohmann::json& value, Target target, std::string_view scheme,
                           const std::string& step);

}  // namespace taplink::script
