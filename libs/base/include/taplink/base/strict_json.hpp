// Reading a JSON object strictly, member by member: required and optional members of exact
// types, integers within a range, and unknown members refused (those nobody read, finish(),
// or those not in a list, allowOnly()). What went wrong is a JsonProblem; the reader's
// MakeError turns it into the caller's own exception in the caller's own words, so each
// reader keeps its error type:
//   struct ConfigErrors { ConfigError operator()(const JsonProblem& problem) const; };
//   JsonObjectReader<ConfigErrors> in(document, "configuration");
//   JsonObjectReader<DescribedAs<WireFormatError>> in(body, "order");  // describe()'s words
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace taplink {

struct JsonProblem {
    enum class Kind {
        NotObject,  // the value is not an object; detail is its JSON type ("array")
        Missing,    // a required member is absent
        Unknown,    // a member nobody read (finish()) or not in the list (allowOnly())
        Invalid,    // a member breaks the rule in detail ("must be a string")
        Other,      // about the object as a whole, detail in the caller's words (fail())
    };
    Kind kind;
    std::string_view where;   // the object, as the reader was told ("configuration.tls")
    std::string_view member;  // empty for NotObject and Other
    std::string_view detail;  // empty for Missing and Unknown
};

// The default words: "<where> must be a JSON object", "<where> lacks \"<member>\"",
// "<where> has an unknown field \"<member>\"", "<where>.<member> <detail>", "<where> <detail>".
std::string describe(const JsonProblem& problem);

// A MakeError for callers content with describe(): Error(describe(problem)).
template <class Error>
struct DescribedAs {
    Error operator()(const JsonProblem& problem) const { return Error(describe(problem)); }
};

// value as an integer in [min, max]; nullopt for anything else (a float, a string of digits,
// another type, out of range).
std::optional<std::uint64_t> unsignedJsonInteger(const nlohmann::json& value, std::uint64_t min,
                                                 std::uint64_t max);
std::optional<std::int64_t> signedJsonInteger(const nlohmann::json& value, std::int64_t min,
                                              std::int64_t max);

namespace detail {
using KeySet = std::set<std::string, std::less<>>;
std::string integerRule(std::uint64_t min, std::uint64_t max);  // "must be an integer from .."
std::string integerRule(std::int64_t min, std::int64_t max);
// The first member of object (in key order) that is not known.
std::optional<std::string> firstUnknown(const nlohmann::json& object, const KeySet& known);
std::optional<std::string> firstUnknown(const nlohmann::json& object,
                                        std::initializer_list<std::string_view> known);
}  // namespace detail

// MakeError: a callable JsonProblem -> exception object, which the reader throws.
// The JSON value must outlive the reader.
template <class MakeError>
class JsonObjectReader {
  public:
    using Kind = JsonProblem::Kind;

    // where names the object in messages.
    JsonObjectReader(const nlohmann::json& value, std::string where, MakeError makeError = {})
        : object_(&value), where_(std::move(where)), makeError_(std::move(makeError)) {
        if (!value.is_object()) {
            raise(Kind::NotObject, {}, value.type_name());
        }
    }

    const std::string& where() const { return where_; }
    bool has(std::string_view name) const { return object_->contains(name); }

    // nullptr when absent; a member found counts as read.
    const nlohmann::json* optional(std::string_view name) {
        const auto found = object_->find(name);
        if (found == object_->end()) {
            return nullptr;
        }
        read_.emplace(name);
        return &*found;
    }
    const nlohmann::json& required(std::string_view name) {
        const nlohmann::json* value = optional(name);
        if (value == nullptr) {
            raise(Kind::Missing, name, {});
        }
        return *value;
    }

    std::string string(std::string_view name) { return stringOf(required(name), name); }
    std::optional<std::string> optionalString(std::string_view name) {
        const nlohmann::json* value = optional(name);
        return value == nullptr ? std::nullopt : std::optional(stringOf(*value, name));
    }

    // A JSON integer (not a float, not a string of digits) in [min, max].
    std::uint64_t integer(std::string_view name, std::uint64_t min, std::uint64_t max) {
        return unsignedOf(required(name), name, min, max);
    }
    std::optional<std::uint64_t> optionalInteger(std::string_view name, std::uint64_t min,
                                                 std::uint64_t max) {
        const nlohmann::json* value = optional(name);
        return value == nullptr ? std::nullopt : std::optional(unsignedOf(*value, name, min, max));
    }
    std::int64_t signedInteger(std::string_view name, std::int64_t min, std::int64_t max) {
        return signedOf(required(name), name, min, max);
    }
    std::optional<std::int64_t> optionalSignedInteger(std::string_view name, std::int64_t min,
                                                      std::int64_t max) {
        const nlohmann::json* value = optional(name);
        return value == nullptr ? std::nullopt : std::optional(signedOf(*value, name, min, max));
    }

    bool boolean(std::string_view name) { return booleanOf(required(name), name); }
    std::optional<bool> optionalBoolean(std::string_view name) {
        const nlohmann::json* value = optional(name);
        return value == nullptr ? std::nullopt : std::optional(booleanOf(*value, name));
    }

    // A member that is an object, read by a reader of its own named "<where>.<name>".
    JsonObjectReader object(std::string_view name) {
        return JsonObjectReader(required(name), where_ + "." + std::string(name), makeError_);
    }

    // Refuses any member not named here, read or not.
    void allowOnly(std::initializer_list<std::string_view> names) const {
        if (const auto unknown = detail::firstUnknown(*object_, names)) {
            raise(Kind::Unknown, *unknown, {});
        }
    }
    // Call after reading every member: refuses any member nobody read.
    void finish() const {
        if (const auto unknown = detail::firstUnknown(*object_, read_)) {
            raise(Kind::Unknown, *unknown, {});
        }
    }

    // For the caller's own rules.
    [[noreturn]] void fail(std::string_view why) const { raise(Kind::Other, {}, why); }
    [[noreturn]] void failMember(std::string_view name, std::string_view why) const {
        raise(Kind::Invalid, name, why);
    }

  private:
    std::string stringOf(const nlohmann::json& value, std::string_view name) const {
        if (!value.is_string()) {
            failMember(name, "must be a string");
        }
        return value.get<std::string>();
    }
    std::uint64_t unsignedOf(const nlohmann::json& value, std::string_view name, std::uint64_t min,
                             std::uint64_t max) const {
        const auto number = unsignedJsonInteger(value, min, max);
        if (!number) {
            failMember(name, detail::integerRule(min, max));
        }
        return *number;
    }
    std::int64_t signedOf(const nlohmann::json& value, std::string_view name, std::int64_t min,
                          std::int64_t max) const {
        const auto number = signedJsonInteger(value, min, max);
        if (!number) {
            failMember(name, detail::integerRule(min, max));
        }
        return *number;
    }
    bool booleanOf(const nlohmann::json& value, std::string_view name) const {
        if (!value.is_boolean()) {
            failMember(name, "must be true or false");
        }
        return value.get<bool>();
    }

    [[noreturn]] void raise(Kind kind, std::string_view member, std::string_view why) const {
        throw makeError_(JsonProblem{kind, where_, member, why});
    }

    const nlohmann::json* object_;
    std::string where_;
    MakeError makeError_;
    detail::KeySet read_;
};

}  // namespace taplink
