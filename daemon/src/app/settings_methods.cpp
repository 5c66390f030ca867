// settings.get and settings.set: what the GUI's settings page shows and changes.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "app/method_families.hpp"
#include "taplink/base/base64.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

[[noreturn]] void invalid(const std::string& param, const std::string& why) {
    throw api::ApiError(api::ErrorCode::InvalidParams, "invalid params: " + why,
                        {{"param", param}});
}

const json& objectMember(const json& params, const char* name) {
    const json& member = params.at(name);
    if (!member.is_object()) {
        invalid(name, std::string(name) + " must be an object");
    }
    return member;
}

// Canonical base64 of a SHA-256 digest (32 bytes).
bool isBase64Sha256(const std::string& text) {
    constexpr std::size_t kSha256Size = 32;
    const auto digest = base64Decode(text);
    return digest && digest->size() == kSha256Size;
}

json serverChange(const json& server) {
    api::params::allowOnly(server, {"url", "pinSha256"});
    json change = json::object();
    if (const auto url = api::params::optionalString(server, "url")) {
        if (url->rfind("https://", 0) != 0 || url->size() > 2048) {
            invalid("server.url", "the server URL must be an https:// URL");
        }
        change["url"] = *url;
    }
    if (const auto pin = api::params::optionalString(server, "pinSha256")) {
        if (!isBase64Sha256(*pin)) {
            invalid("server.pinSha256", "the pin is the base64 SHA-256 of the server's SPKI");
        }
        change["pinSha256"] = *pin;
    }
    return change;
}

std::vector<std::string> allowedOriginsChange(const json& web) {
    std::vector<std::string> origins;
    for (const auto& given : api::params::requiredStringArray(web, "allowedOrigins")) {
        const auto origin = canonicalOrigin(given);
        if (!origin) {
            invalid("web.allowedOrigins", "'" + given + "' is not an origin TapLink accepts");
        }
        if (std::find(origins.begin(), origins.end(), *origin) == origins.end()) {
            origins.push_back(*origin);
        }
    }
    return origins;
}

// One of web's words (confirmation, cardInfo) into `change`, when given and one `accepts`.
template <typename Parse>
void wordChange(const json& web, const char* name, Parse accepts, const char* why, json& change) {
    if (const auto word = api::params::optionalString(web, name)) {
        if (!accepts(*word)) {
            invalid(std::string("web.") + name, why);
        }
        change[name] = *word;
    }
}

json webChange(const json& web) {
    api::params::allowOnly(web, {"allowedOrigins", "confirmation", "cardInfo"});
    json change = json::object();
    if (web.contains("allowedOrigins")) {
        change["allowedOrigins"] = allowedOriginsChange(web);
    }
    wordChange(web, "confirmation", confirmationFrom, "confirmation is \"ask\" or \"auto\"",
               change);
    wordChange(web, "cardInfo", cardInfoAccessFrom, "cardInfo is \"ask\", \"allow\" or \"deny\"",
               change);
    return change;
}

}  // namespace

void registerSettingsMethods(api::Dispatcher& dispatcher, LiveSettings& settings) {
    dispatcher.add(api::method::kSettingsGet, [&settings](const json& params, api::CallContext&) {
        api::params::allowOnly(params, {});
        return settings.json();
    });

    dispatcher.add(api::method::kSettingsSet, [&settings](const json& params, api::CallContext&) {
        api::params::allowOnly(params, {"server", "web"});
        json change = json::object();
        if (params.contains("server")) {
            change["server"] = serverChange(objectMember(params, "server"));
        }
        if (params.contains("web")) {
            change["web"] = webChange(objectMember(params, "web"));
        }
        return settings.change(change);
    });
}

}  // namespace taplink::app
