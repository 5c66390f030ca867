// Strict reading of JSON for scripts and envelopes: no duplicate keys, bounded nesting,
// every field of an object read or refused, exact types. Failures are ScriptErrors with the
// code the caller chose (malformed for scripts, data_script_invalid for data scripts, ...).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "script/script_error.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::script {

inline constexpr int kMaxJsonDepth = 32;

// Parses text as JSON; a syntax error, a duplicate key in an object or nesting deeper than
// kMaxJsonDepth is ScriptError(code, where, ...).
nlohmann::json parseStrictJson(std::string_view text, ErrorCode code, const std::string& where);

// Hex digits (either case, no separators) as bytes; nullopt for anything else or an odd count.
std::optional<Bytes> strictHex(std::string_view text);

// Reads the fields of one JSON object.
class ObjectReader {
  public:
    // ScriptError(code, where, ...) unless value is an object.
    ObjectReader(const nlohmann::json& value, std::string where, ErrorCode code);

    bool has(std::string_view key) const;
    // nullptr when absent; the field counts as read.
    const nlohmann::json* optional(std::string_view key);
    const nlohmann::json& required(std::string_view key);

    std::string string(std::string_view key);
    std::optional<std::string> optionalString(std::string_view key);
    // An unsigned integer in [min, max].
    std::uint64_t integer(std::string_view key, std::uint64_t min, std::uint64_t max);
    std::optional<std::uint64_t> optionalInteger(std::string_view key, std::uint64_t min,
                                                 std::uint64_t max);
    // Hex of exactly `size` bytes (0: any non-empty length).
    Bytes hex(std::string_view key, std::size_t size);

    // ScriptError naming the first field that was not read: unknown fields are refused.
    void finish() const;

    [[noreturn]] void fail(const std::string& message) const;
    const std::string& where() const { return where_; }
    ErrorCode code() const { return code_; }

  private:
    const nlohmann::json& object_;
    std::string where_;
    ErrorCode code_;
    std::set<std::string, std::less<>> read_;
};

// value as an unsigned integer in [min, max]; nullopt when it is not one (a float, a
// negative number, another type, out of range).
std::optional<std::uint64_t> unsignedValue(const nlohmann::json& value, std::uint64_t min,
                                           std::uint64_t max);

}  // namespace taplink::script
