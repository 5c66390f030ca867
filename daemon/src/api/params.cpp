#include "api/params.hpp"

#include "taplink/base/strict_json.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::api::params {

namespace {
ApiError invalidParam(std::string_view name, std::string_view problem) {
    return ApiError(ErrorCode::InvalidParams,
                    "invalid params: \"" + std::string(name) + "\" " + std::string(problem),
                    {{"param", name}});
}

[[noreturn]] void invalid(std::string_view name, std::string_view problem) {
    throw invalidParam(name, problem);
}

// A reader's problem in the words of the API: the member named, data.details.param set.
struct ParamError {
    ApiError operator()(const JsonProblem& problem) const {
        switch (problem.kind) {
            case JsonProblem::Kind::Missing:
                return invalidParam(problem.member, "is required");
            case JsonProblem::Kind::Unknown:
                return invalidParam(problem.member, "is not a parameter of this method");
            case JsonProblem::Kind::Invalid:
                return invalidParam(problem.member, problem.detail);
            case JsonProblem::Kind::NotObject:
                return invalidParam(problem.where, "must be an object");
            case JsonProblem::Kind::Other:
                break;
        }
        return invalidParam(problem.where, problem.detail);
    }
};

using Reader = JsonObjectReader<ParamError>;

// Handlers pass objects: the transport refuses params of another type (parseRequest).
Reader reader(const nlohmann::json& params) {
    return Reader(params, "params");
}

std::string nonEmptyString(const nlohmann::json& value, std::string_view name) {
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        invalid(name, "must be a non-empty string");
    }
    return value.get<std::string>();
}
}  // namespace

void allowOnly(const nlohmann::json& params, std::initializer_list<std::string_view> allowed) {
    reader(params).allowOnly(allowed);
}

std::string requiredString(const nlohmann::json& params, std::string_view name) {
    return nonEmptyString(reader(params).required(name), name);
}

std::optional<std::string> optionalString(const nlohmann::json& params, std::string_view name) {
    const auto* value = reader(params).optional(name);
    if (value == nullptr) {
        return std::nullopt;
    }
    return nonEmptyString(*value, name);
}

std::optional<std::int64_t> optionalInteger(const nlohmann::json& params, std::string_view name,
                                            std::int64_t min, std::int64_t max) {
    return reader(params).optionalSignedInteger(name, min, max);
}

std::vector<std::string> requiredStringArray(const nlohmann::json& params, std::string_view name) {
    const nlohmann::json& value = reader(params).required(name);
    if (!value.is_array()) {
        invalid(name, "must be an array of strings");
    }
    std::vector<std::string> strings;
    for (const auto& item : value) {
        strings.push_back(nonEmptyString(item, name));
    }
    return strings;
}

}  // namespace taplink::api::params
