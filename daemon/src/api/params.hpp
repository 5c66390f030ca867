// Reading a method's params (always a JSON object). Each function throws
// ApiError(invalid_params) that names the offending member, so handlers stay short.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace taplink::api::params {

// Refuses members other than `allowed` (a misspelt optional member must not go unnoticed).
void allowOnly(const nlohmann::json& params, std::initializer_list<std::string_view> allowed);

// A non-empty string.
std::string requiredString(const nlohmann::json& params, std::string_view name);
std::optional<std::string> optionalString(const nlohmann::json& params, std::string_view name);

// An integer within [min, max].
std::optional<std::int64_t> optionalInteger(const nlohmann::json& params, std::string_view name,
                                            std::int64_t min, std::int64_t max);

// An array of non-empty strings.
std::vector<std::string> requiredStringArray(const nlohmann::json& params, std::string_view name);

}  // namespace taplink::api::params
