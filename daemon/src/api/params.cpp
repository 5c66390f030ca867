#include "api/params.hpp"

#include <algorithm>

#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::api::params {

namespace {
[[noreturn]] void invalid(std::string_view name, std::string_view problem) {
    throw ApiError(std::string(errc::kInvalidParams),
                   "invalid params: \"" + std::string(name) + "\" " + std::string(problem),
                   {{"param", name}});
}

const nlohmann::json* member(const nlohmann::json& params, std::string_view name) {
    const auto it = params.find(name);
    return it == params.end() ? nullptr : &*it;
}

std::string nonEmptyString(const nlohmann::json& value, std::string_view name) {
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        invalid(name, "must be a non-empty string");
    }
    return value.get<std::string>();
}
}  // namespace

void allowOnly(const nlohmann::json& params, std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : params.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            invalid(key, "is not a parameter of this method");
        }
    }
}

std::string requiredString(const nlohmann::json& params, std::string_view name) {
    const auto* value = member(params, name);
    if (value == nullptr) {
        invalid(name, "is required");
    }
    return nonEmptyString(*value, name);
}

std::optional<std::string> optionalString(const nlohmann::json& params, std::string_view name) {
    const auto* value = member(params, name);
    if (value == nullptr) {
        return std::nullopt;
    }
    return nonEmptyString(*value, name);
}

std::optional<std::int64_t> optionalInteger(const nlohmann::json& params, std::string_view name,
                                            std::int64_t min, std::int64_t max) {
    const auto* value = member(params, name);
    if (value == nullptr) {
        return std::nullopt;
    }
    // Unsigned values above INT64_MAX are out of range whatever max is.
    if (!value->is_number_integer() ||
        (value->is_number_unsigned() &&
         value->get<std::uint64_t>() > static_cast<std::uint64_t>(max))) {
        invalid(name,
                "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    const auto number = value->get<std::int64_t>();
    if (number < min || number > max) {
        invalid(name,
                "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return number;
}

std::vector<std::string> requiredStringArray(const nlohmann::json& params, std::string_view name) {
    const auto* value = member(params, name);
    if (value == nullptr) {
        invalid(name, "is required");
    }
    if (!value->is_array()) {
        invalid(name, "must be an array of strings");
    }
    std::vector<std::string> strings;
    for (const auto& item : *value) {
        strings.push_back(nonEmptyString(item, name));
    }
    return strings;
}

}  // namespace taplink::api::params
