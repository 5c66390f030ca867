// Strict reading of JSON for scripts and envelopes: no duplicate keys, bounded nesting,
// every field of an object read or refused, exact types. Failures are ScriptErrors with the
// code the caller chose (malformed for scripts, data_script_invalid for data scripts, ...).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "script/script_error.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/base/strict_json.hpp"

namespace taplink::script {

inline constexpr int kMaxJsonDepth = 32;

// Parses text as JSON; a syntax error, a duplicate key in an object or nesting deeper than
// kMaxJsonDepth is ScriptError(code, where, ...).
nlohmann::json parseStrictJson(std::string_view text, ErrorCode code, const std::string& where);

// Hex digits (either case, no separators) as bytes; nullopt for anything else or an odd count.
std::optional<Bytes> strictHex(std::string_view text);

// A reader's problem as ScriptError(code, where, "field \"x\" is missing", ...).
struct ScriptJsonError {
    ErrorCode code;
    ScriptError operator()(const JsonProblem& problem) const;
};

// Reads the fields of one JSON object (taplink/base/strict_json.hpp): exact types, integers
// in a range, finish() refuses fields nobody read; each failure is a ScriptError with the
// reader's code and where.
class ObjectReader : public JsonObjectReader<ScriptJsonError> {
  public:
    // ScriptError(code, where, ...) unless value is an object.
    ObjectReader(const nlohmann::json& value, std::string where, ErrorCode code)
        : JsonObjectReader(value, std::move(where), ScriptJsonError{code}), code_(code) {}

    // Hex of exactly `size` bytes (0: any non-empty length).
    Bytes hex(std::string_view key, std::size_t size);
    ErrorCode code() const { return code_; }

  private:
    ErrorCode code_;
};

}  // namespace taplink::script
