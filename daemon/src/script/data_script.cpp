#include "script/data_script.hpp"

#include "script/json_reader.hpp"
#include "script/script.hpp"

namespace taplink::script {

DataScript parseDataScript(const nlohmann::json& value, Target target, std::string_view scheme,
                           const std::string& step) {
    ObjectReader reader(value, step, ErrorCode::DataScriptInvalid);
    const auto fail = [&reader](const std::string& message) {
        reader.fail("data script: " + message);
    };
    if (reader.string("format") != kFormat) {
        fail("format is not " + std::string(kFormat));
    }
    if (reader.string("kind") != "data") {
        fail("kind is not \"data\"");
    }
    const std::string targetName = reader.string("target");
    if (targetFromName(targetName) != target) {
        fail("target is \"" + targetName + "\", expected \"" +
             std::string(script::targetName(target)) + "\"");
    }
    DataScript out;
    out.target = target;
    out.scheme = reader.string("scheme");
    if (out.scheme != scheme) {
        fail("scheme is \"" + out.scheme + "\", expected \"" + std::string(scheme) + "\"");
    }
    const nlohmann::json& items = reader.required("items");
    if (!items.is_object() || items.empty() || items.size() > kMaxDataItems) {
        fail("items must be an object of 1 to " + std::to_string(kMaxDataItems) + " hex strings");
    }
    for (const auto& item : items.items()) {
        const auto bytes =
            item.value().is_string() ? strictHex(item.value().get<std::string>()) : std::nullopt;
        if (!bytes || bytes->empty() || bytes->size() > kMaxDataItemBytes) {
            fail("item \"" + item.key() + "\" is not hex of 1 to " +
                 std::to_string(kMaxDataItemBytes) + " bytes");
        }
        out.items.emplace(item.key(), *bytes);
    }
    reader.finish();
    return out;
}

}  // namespace taplink::script
