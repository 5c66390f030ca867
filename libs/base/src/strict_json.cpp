#include "taplink/base/strict_json.hpp"

#include <algorithm>
#include <limits>

namespace taplink {

using nlohmann::json;

std::string describe(const JsonProblem& problem) {
    const std::string where(problem.where);
    const std::string member(problem.member);
    switch (problem.kind) {
        case JsonProblem::Kind::NotObject:
            return where + " must be a JSON object";
        case JsonProblem::Kind::Missing:
            return where + " lacks \"" + member + "\"";
        case JsonProblem::Kind::Unknown:
            return where + " has an unknown field \"" + member + "\"";
        case JsonProblem::Kind::Invalid:
            return where + "." + member + " " + std::string(problem.detail);
        case JsonProblem::Kind::Other:
            break;
    }
    return where + " " + std::string(problem.detail);
}

std::optional<std::uint64_t> unsignedJsonInteger(const json& value, std::uint64_t min,
                                                 std::uint64_t max) {
    std::uint64_t number = 0;
    if (value.is_number_unsigned()) {
        number = value.get<std::uint64_t>();
    } else if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
        number = static_cast<std::uint64_t>(value.get<std::int64_t>());
    } else {
        return std::nullopt;
    }
    if (number < min || number > max) {
        return std::nullopt;
    }
    return number;
}

std::optional<std::int64_t> signedJsonInteger(const json& value, std::int64_t min,
                                              std::int64_t max) {
    // An unsigned value above INT64_MAX is out of range whatever max is.
    if (!value.is_number_integer() ||
        (value.is_number_unsigned() &&
         value.get<std::uint64_t>() >
             static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
        return std::nullopt;
    }
    const auto number = value.get<std::int64_t>();
    if (number < min || number > max) {
        return std::nullopt;
    }
    return number;
}

namespace detail {

std::string integerRule(std::uint64_t min, std::uint64_t max) {
    return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string integerRule(std::int64_t min, std::int64_t max) {
    return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::optional<std::string> firstUnknown(const json& object, const KeySet& known) {
    for (const auto& item : object.items()) {
        if (known.count(item.key()) == 0) {
            return item.key();
        }
    }
    return std::nullopt;
}

std::optional<std::string> firstUnknown(const json& object,
                                        std::initializer_list<std::string_view> known) {
    for (const auto& item : object.items()) {
        if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
            return item.key();
        }
    }
    return std::nullopt;
}

}  // namespace detail

}  // namespace taplink
