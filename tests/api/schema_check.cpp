#include "schema_check.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <regex>
#include <stdexcept>

namespace taplink::api::test {

namespace {

constexpr std::array<std::string_view, 15> kKnownKeywords{
    "$ref",       "type",  "enum",    "const",   "properties", "required",  "additionalProperties",
    "items",      "oneOf", "pattern", "minimum", "maximum",    "minLength", "maxLength",
    "description"};

bool hasType(const nlohmann::json& value, const std::string& type) {
    if (type == "object") {
        return value.is_object();
    }
    if (type == "array") {
        return value.is_array();
    }
    if (type == "string") {
        return value.is_string();
    }
    if (type == "integer") {
        return value.is_number_integer();
    }
    if (type == "number") {
        return value.is_number();
    }
    if (type == "boolean") {
        return value.is_boolean();
    }
    if (type == "null") {
        return value.is_null();
    }
    throw std::invalid_argument("unknown schema type " + type);
}

}  // namespace

ApiSchema ApiSchema::load() {
    std::ifstream file(std::string(TAPLINK_SOURCE_DIR) + "/docs/api/taplink-api.schema.json");
    if (!file) {
        throw std::runtime_error("cannot open docs/api/taplink-api.schema.json");
    }
    return ApiSchema(nlohmann::json::parse(file));
}

std::vector<std::string> ApiSchema::check(const nlohmann::json& value,
                                          const std::string& where) const {
    std::vector<std::string> problems;
    checkAgainst(value, document_.at(nlohmann::json::json_pointer("/" + where)), "", problems);
    return problems;
}

const nlohmann::json& ApiSchema::resolve(const nlohmann::json& schema) const {
    const auto ref = schema.find("$ref");
    if (ref == schema.end()) {
        return schema;
    }
    const std::string target = ref->get<std::string>();
    if (target.rfind("#/", 0) != 0) {
        throw std::invalid_argument("only local $ref is supported: " + target);
    }
    return resolve(document_.at(nlohmann::json::json_pointer(target.substr(1))));
}

void ApiSchema::checkAgainst(const nlohmann::json& value, const nlohmann::json& unresolved,
                             const std::string& path, std::vector<std::string>& problems) const {
    const auto& schema = resolve(unresolved);
    for (const auto& [keyword, argument] : schema.items()) {
        if (std::find(kKnownKeywords.begin(), kKnownKeywords.end(), keyword) ==
            kKnownKeywords.end()) {
            throw std::invalid_argument("unsupported schema keyword " + keyword);
        }
    }
    const auto problem = [&](const std::string& what) {
        problems.push_back((path.empty() ? "/" : path) + ": " + what + " (" + value.dump() + ")");
    };
    if (schema.contains("type") && !hasType(value, schema["type"].get<std::string>())) {
        problem("is not of type " + schema["type"].get<std::string>());
        return;
    }
    if (schema.contains("const") && value != schema["const"]) {
        problem("is not " + schema["const"].dump());
    }
    if (schema.contains("enum")) {
        const auto& options = schema["enum"];
        if (std::find(options.begin(), options.end(), value) == options.end()) {
            problem("is not one of " + options.dump());
        }
    }
    if (schema.contains("oneOf")) {
        int matches = 0;
        for (const auto& option : schema["oneOf"]) {
            std::vector<std::string> ignored;
            checkAgainst(value, option, path, ignored);
            matches += ignored.empty() ? 1 : 0;
        }
        if (matches != 1) {
            problem("matches " + std::to_string(matches) + " of the oneOf schemas, not 1");
        }
    }
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (schema.contains("pattern") &&
            !std::regex_search(text, std::regex(schema["pattern"].get<std::string>()))) {
            problem("does not match " + schema["pattern"].get<std::string>());
        }
        if (schema.contains("minLength") && text.size() < schema["minLength"].get<std::size_t>()) {
            problem("is too short");
        }
        if (schema.contains("maxLength") && text.size() > schema["maxLength"].get<std::size_t>()) {
            problem("is too long");
        }
    }
    if (value.is_number()) {
        if (schema.contains("minimum") && value < schema["minimum"]) {
            problem("is below " + schema["minimum"].dump());
        }
        if (schema.contains("maximum") && value > schema["maximum"]) {
            problem("is above " + schema["maximum"].dump());
        }
    }
    if (value.is_array() && schema.contains("items")) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            checkAgainst(value[i], schema["items"], path + "/" + std::to_string(i), problems);
        }
    }
    if (value.is_object()) {
        const auto properties = schema.value("properties", nlohmann::json::object());
        for (const auto& name : schema.value("required", nlohmann::json::array())) {
            if (!value.contains(name.get<std::string>())) {
                problem("lacks required member " + name.get<std::string>());
            }
        }
        for (const auto& [name, member] : value.items()) {
            if (properties.contains(name)) {
                std::string memberPath = path;
                memberPath += '/';
                memberPath += name;
                checkAgainst(member, properties[name], memberPath, problems);
            } else if (schema.value("additionalProperties", true) == false) {
                problem("has a member the schema does not allow: " + name);
            }
        }
    }
}

}  // namespace taplink::api::test
