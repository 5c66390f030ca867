#include "script/json_reader.hpp"

#include <limits>
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

std::optional<std::uint64_t> unsignedValue(const json& value, std::uint64_t min,
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

ObjectReader::ObjectReader(const json& value, std::string where, ErrorCode code)
    : object_(value), where_(std::move(where)), code_(code) {
    if (!value.is_object()) {
        fail(std::string("expected an object, found ") + value.type_name());
    }
}

void ObjectReader::fail(const std::string& message) const {
    throw ScriptError(code_, where_, message);
}

bool ObjectReader::has(std::string_view key) const {
    return object_.contains(key);
}

const json* ObjectReader::optional(std::string_view key) {
    const auto found = object_.find(key);
    if (found == object_.end()) {
        return nullptr;
    }
    read_.emplace(key);
    return &*found;
}

const json& ObjectReader::required(std::string_view key) {
    const json* value = optional(key);
    if (value == nullptr) {
        fail("field \"" + std::string(key) + "\" is missing");
    }
    return *value;
}

std::string ObjectReader::string(std::string_view key) {
    const json& value = required(key);
    if (!value.is_string()) {
        fail("field \"" + std::string(key) + "\" must be a string");
    }
    return value.get<std::string>();
}

std::optional<std::string> ObjectReader::optionalString(std::string_view key) {
    if (!has(key)) {
        return std::nullopt;
    }
    return string(key);
}

std::uint64_t ObjectReader::integer(std::string_view key, std::uint64_t min, std::uint64_t max) {
    const auto number = unsignedValue(required(key), min, max);
    if (!number) {
        fail("field \"" + std::string(key) + "\" must be an integer from " + std::to_string(min) +
             " to " + std::to_string(max));
    }
    return *number;
}

std::optional<std::uint64_t> ObjectReader::optionalInteger(std::string_view key, std::uint64_t min,
                                                           std::uint64_t max) {
    if (!has(key)) {
        return std::nullopt;
    }
    return integer(key, min, max);
}

Bytes ObjectReader::hex(std::string_view key, std::size_t size) {
    const std::string text = string(key);
    auto bytes = strictHex(text);
    if (!bytes || bytes->empty()) {
        fail("field \"" + std::string(key) + "\" is not hex: \"" + text + "\"");
    }
    if (size != 0 && bytes->size() != size) {
        fail("field \"" + std::string(key) + "\" must be " + std::to_string(size) + " byte(s)");
    }
    return std::move(*bytes);
}

void ObjectReader::finish() const {
    for (const auto& item : object_.items()) {
        if (read_.find(item.key()) == read_.end()) {
            fail("unknown field \"" + item.key() + "\"");
        }
    }
}

}  // namespace taplink::script
