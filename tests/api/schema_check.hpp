// A small JSON Schema checker for the keywords docs/api/taplink-api.schema.json uses (type,
// enum, const, properties, required, additionalProperties, items, oneOf, pattern, minimum,
// maximum, minLength, maxLength, local $ref), so the tests can hold canned daemon answers
// and real built-in replies against the published schema. Unknown keywords fail loudly.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace taplink::api::test {

class ApiSchema {
  public:
    // Loads docs/api/taplink-api.schema.json from the source tree.
    static ApiSchema load();

    const nlohmann::json& document() const { return document_; }

    // The problems of `value` against a schema (empty: valid). `where` names the schema,
    // e.g. "methods/card.info/result" or "$defs/Amount".
    std::vector<std::string> check(const nlohmann::json& value, const std::string& where) const;

  private:
    explicit ApiSchema(nlohmann::json document) : document_(std::move(document)) {}
    void checkAgainst(const nlohmann::json& value, const nlohmann::json& schema,
                      const std::string& path, std::vector<std::string>& problems) const;
    const nlohmann::json& resolve(const nlohmann::json& schema) const;

    nlohmann::json document_;
};

}  // namespace taplink::api::test
