#include "app/web_access.hpp"

#include <algorithm>

#include "taplink/base/log.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::app {

WebAccess::WebAccess(TrustedUi& ui, SettingsSource settings, Remember remember,
                     OriginQuestions::Clock now)
    : ui_(ui),
      settings_(std::move(settings)),
      remember_(std::move(remember)),
      questions_(std::move(now)) {}

bool WebAccess::isListed(std::string_view origin) const {
    const auto canonical = canonicalOrigin(origin);
    if (!canonical) {
        return false;
    }
    const auto allowed = settings_().allowedOrigins;
    return std::find(allowed.begin(), allowed.end(), *canonical) != allowed.end();
}

bool WebAccess::decided(const api::Session& session) const {
    if (session.originVerdict() != api::OriginVerdict::Undecided) {
        return true;
    }
    const auto& origin = session.peer().origin;
    return !canonicalOrigin(origin) || isListed(origin);  // one not accepted: refused at once
}

UiAnswer WebAccess::askUser(const std::string& origin, api::CallContext& call) const {
    if (!ui_.attached()) {
        return UiAnswer::NoUi;  // no dialog: nothing to count against the page
    }
    const api::Peer& peer = call.peer();
    const auto turn = questions_.turn(origin);
    const UiQuestion question{"origin", origin, peer.transport, peer.extensionId, std::nullopt};
    const UiAnswer answer = ui_.ask(question, [&call] { return call.cancelled(); });
    questions_.answered(origin, answer);
    return answer;
}

void WebAccess::deny(const std::string& origin, const std::string& why) {
    throw api::ApiError(api::ErrorCode::OriginDenied, "the web page's origin " + origin + " " + why,
                        {{"origin", origin}});
}

void WebAccess::check(const api::Request& /*request*/, api::CallContext& call) const {
    const api::Peer& peer = call.peer();
    const auto origin = canonicalOrigin(peer.origin);
    if (!origin) {
        deny(peer.origin, "is not one TapLink accepts (https only, http for localhost)");
    }
    api::Session& session = call.session();
    const api::OriginVerdict verdict = session.originVerdict();
    if (verdict == api::OriginVerdict::Denied) {
        deny(*origin, "was refused on this connection");
    }
    if (verdict == api::OriginVerdict::Approved || isListed(*origin)) {
        return;
    }
    const UiAnswer answer = askUser(*origin, call);
    switch (answer) {
        case UiAnswer::AllowAndRemember:
        case UiAnswer::Allow:
            break;
        case UiAnswer::Cancelled:
            throw api::ApiError(api::ErrorCode::Cancelled, "the call was cancelled");
        case UiAnswer::NoUi:
            session.setOriginVerdict(api::OriginVerdict::Denied);
            deny(*origin, "is not allowed, and no TapLink app is running to ask the user");
        case UiAnswer::Timeout:
            session.setOriginVerdict(api::OriginVerdict::Denied);
            deny(*origin, "was not approved in time");
        case UiAnswer::Deny:
            session.setOriginVerdict(api::OriginVerdict::Denied);
            deny(*origin, "was refused by the user");
    }
    if (session.setOriginVerdict(api::OriginVerdict::Approved) != api::OriginVerdict::Approved) {
        deny(*origin, "was refused on this connection");  // by another call's answer
    }
    if (answer == UiAnswer::AllowAndRemember) {
        try {
            remember_(*origin);
        } catch (const std::exception& error) {
            // The user's Allow holds for this connection; only "always" could not be saved.
            log::warning("could not remember origin " + *origin + ": " + error.what());
        }
    }
}

}  // namespace taplink::app
