// The gate every call of a web page passes (api::Dispatcher::setCallerGate): its origin
// must be on the allow-list or approved by the user in the trusted UI, else the call, and
// every later one on the connection, is refused with origin_denied. docs/api.md, "Origins".
#pragma once

#include <functional>
#include <string>

#include "api/dispatcher.hpp"
#include "app/trusted_ui.hpp"
#include "app/web_settings.hpp"

namespace taplink::app {

class WebAccess {
  public:
    using SettingsSource = std::function<WebSettings()>;
    // Adds an origin the user approved with "remember" to the allow-list (and the config).
    using Remember = std::function<void(const std::string& origin)>;

    WebAccess(TrustedUi& ui, SettingsSource settings, Remember remember);

    // The CallerGate: returns when the call may run, throws api::ApiError otherwise.
    void check(const api::Request& request, api::CallContext& call) const;

  private:
    [[noreturn]] static void deny(const std::string& origin, const std::string& why);

    TrustedUi& ui_;
    SettingsSource settings_;
    Remember remember_;
};

}  // namespace taplink::app
