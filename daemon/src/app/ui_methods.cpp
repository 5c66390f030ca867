// ui.attach, ui.detach and ui.respond: the trusted UI (taplink-gui) on the owner's socket.
#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "app/method_families.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

// The answer's choice; a PIN is wiped when the call is done with it.
struct ChoiceText {
    std::string text;
    ChoiceText() = default;
    ChoiceText(const ChoiceText&) = delete;
    ChoiceText& operator=(const ChoiceText&) = delete;
    ~ChoiceText() { OPENSSL_cleanse(text.data(), text.size()); }
};

}  // namespace

void registerUiMethods(api::Dispatcher& dispatcher, TrustedUi& trustedUi) {
    dispatcher.add(
        api::method::kUiAttach, [&trustedUi](const json& params, api::CallContext& call) {
            api::params::allowOnly(params, {});
            return json{{"attached", true}, {"pending", trustedUi.attach(call.sharedSession())}};
        });

    dispatcher.add(api::method::kUiDetach,
                   [&trustedUi](const json& params, api::CallContext& call) {
                       api::params::allowOnly(params, {});
                       trustedUi.detach(call.session());
                       return json{{"attached", false}};
                   });

    dispatcher.add(api::method::kUiRespond, [&trustedUi](const json& params, api::CallContext&) {
        api::params::allowOnly(params, {"id", "decision", "remember", "choice"});
        const std::string id = api::params::requiredString(params, "id");
        const std::string decision = api::params::requiredString(params, "decision");
        if (decision != "allow" && decision != "deny") {
            throw api::ApiError(api::ErrorCode::InvalidParams,
                                "invalid params: decision is \"allow\" or \"deny\"",
                                {{"param", "decision"}});
        }
        bool remember = false;
        if (params.contains("remember")) {
            if (!params["remember"].is_boolean()) {
                throw api::ApiError(api::ErrorCode::InvalidParams,
                                    "invalid params: remember is true or false",
                                    {{"param", "remember"}});
            }
            remember = params["remember"].get<bool>();
        }
        // kind "application": the AID chosen among the candidates (hex); "pin": the PIN,
        // never echoed in an error, a log line or ui.request.closed.
        ChoiceText choice;
        choice.text = api::params::optionalString(params, "choice").value_or("");
        if (decision == "allow" && trustedUi.kindOf(id) == "pin" &&
            !chip::pay::isValidPin(choice.text)) {
            throw api::ApiError(api::ErrorCode::InvalidParams,
                                "invalid params: a PIN is 4 to 12 digits", {{"param", "choice"}});
        }
        if (!trustedUi.respond(id, decision == "allow", remember, choice.text)) {
            throw api::ApiError(api::ErrorCode::NotFound,
                                "no open request " + id + " (answered, timed out or withdrawn)");
        }
        return json{{"id", id}, {"accepted", true}};
    });
}

}  // namespace taplink::app
