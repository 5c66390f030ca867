// The gate every call of a web page passes (api::Dispatcher::setCallerGate): its origin
// must be on the allow-list or approved by the user in the trusted UI, else the call, and
// every later one on the connection, is refused with origin_denied. The user is asked as
// OriginQuestions allows. docs/api.md, "Origins".
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "api/dispatcher.hpp"
#include "app/origin_questions.hpp"
#include "app/trusted_ui.hpp"
#include "app/web_settings.hpp"

namespace taplink::app {

class WebAccess {
  public:
    using SettingsSource = std::function<WebSettings()>;
    // Adds an origin the user approved with "remember" to the allow-list (and the config).
    using Remember = std::function<void(const std::string& origin)>;

    WebAccess(
        TrustedUi& ui, SettingsSource settings, Remember remember,
        OriginQuestions::Clock now = [] { return std::chrono::steady_clock::now(); });

    // The CallerGate: returns when the call may run, throws api::ApiError otherwise.
    void check(const api::Request& request, api::CallContext& call) const;

    // The OriginDecided: true unless a call of the session would have to ask the user.
    bool decided(const api::Session& session) const;

    // True when the origin, in any spelling canonicalOrigin() accepts, is on the allow-list.
    bool isListed(std::string_view origin) const;

  private:
    [[noreturn]] static void deny(const std::string& origin, const std::string& why);
    UiAnswer askUser(const std::string& origin, api::CallContext& call) const;

    TrustedUi& ui_;
    SettingsSource settings_;
    Remember remember_;
    mutable OriginQuestions questions_;  // thread-safe
};

}  // namespace taplink::app
