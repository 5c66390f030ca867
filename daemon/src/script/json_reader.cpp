#include "script/json_reader.hpp"

#include <limits>
#include <set>
#include <utility>
#include <vector>

namespace taplink::script {

namespace {

using nlohmann::json;

int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

// Refuses duplicate keys (two readers could each see "their" value) and deep nesting.
class StrictnessCheck {
  public:
    bool operator()(int depth, json::parse_event_t event, const json& parsed) {
        if (depth > kMaxJsonDepth) {
            throw std::length_error("nested deeper than " + std::to_string(kMaxJsonDepth));
        }
        switch (event) {
            case json::parse_event_t::object_start:
                keys_.emplace_back();
                break;
            case json::parse_event_t::object_end:
                keys_.pop_back();
                break;
            case json::parse_event_t::key:
                if (!keys_.back().insert(parsed.get<std::string>()).second) {
                    throw std::invalid_argument("duplicate key \"" + parsed.get<std::string>() +
                                                "\"");
                }
                break;
            default:
                break;
        }
        return true;
    }

  private:
    std::vector<std::set<std::string>> keys_;
};

}  // namespace

json parseStrictJson(std::string_view text, ErrorCode code, const std::string& where) {
    try {
        StrictnessCheck check;
        return json::parse(
            text.begin(), text.end(),
            [&check](int depth, json::parse_event_t event, json& parsed) {
                return check(depth, event, parsed);
            },
            true, false);
    } catch (const json::exception& error) {
        throw ScriptError(code, where, std::string("not valid JSON: ") + error.what());
    } catch (const std::logic_error& error) {
        throw ScriptError(code, where, std::string("not accepted JSON: ") + error.what());
    }
}

std::optional<Bytes> strictHex(std::string_view text) {
    if (text.size() % 2 != 0) {
        return std::nullopt;
    }
    Bytes out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int high = hexDigit(text[i]);
        const int low = hexDigit(text[i + 1]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        out.push_back(static_cast<std::uint8_t>((high << 4) | low));
    }
    return out;
}

namespace {

// The engine's words for a reader's problem.
std::string wording(const JsonProblem& problem) {
    const std::string member(problem.member);
    switch (problem.kind) {
        case JsonProblem::Kind::NotObject:
            return "expected an object, found " + std::string(problem.detail);
        case JsonProblem::Kind::Missing:
            return "field \"" + member + "\" is missing";
        case JsonProblem::Kind::Unknown:
            return "unknown field \"" + member + "\"";
        case JsonProblem::Kind::Invalid:
            return "field \"" + member + "\" " + std::string(problem.detail);
        case JsonProblem::Kind::Other:
            break;
    }
    return std::string(problem.detail);
}

}  // namespace

ScriptError ScriptJsonError::operator()(const JsonProblem& problem) const {
    return ScriptError(code, std::string(problem.where), wording(problem));
}

Bytes ObjectReader::hex(std::string_view key, std::size_t size) {
    const std::string text = string(key);
    auto bytes = strictHex(text);
    if (!bytes || bytes->empty()) {
        failMember(key, "is not hex: \"" + text + "\"");
    }
    if (size != 0 && bytes->size() != size) {
        failMember(key, "must be " + std::to_string(size) + " byte(s)");
    }
    return std::move(*bytes);
}

}  // namespace taplink::script
