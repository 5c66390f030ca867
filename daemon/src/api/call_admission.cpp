#include "api/call_admission.hpp"

#include "api/registrable_domain.hpp"

namespace taplink::api {

namespace {

// A notification gets no reply, not even an error.
void refuse(Session& session, const std::optional<nlohmann::json>& id, std::string_view why) {
    if (id) {
        session.send(busyReply(*id, why));
    }
}

// The caller's own limit unless the transports share one.
CallAdmissionOptions withWebCallLimit(CallAdmissionOptions options) {
    if (!options.webCalls) {
        options.webCalls = std::make_shared<WebCallLimit>();
    }
    return options;
}

}  // namespace

std::shared_ptr<const void> WebCallLimit::takeCall(const Peer& peer) {
    return calls_.take(peer.origin);
}

std::shared_ptr<const void> WebCallLimit::takeApprovalWait(const Peer& peer) {
    return awaitingApproval_.take(registrableDomain(peer.origin));
}

nlohmann::json busyReply(const nlohmann::json& id, std::string_view why) {
    return makeError(id, ApiError(ErrorCode::Busy, "taplinkd is busy: " + std::string(why)));
}

CallAdmission::CallAdmission(Dispatcher& dispatcher, CallAdmissionOptions options)
    : dispatcher_(dispatcher),
      options_(withWebCallLimit(std::move(options))),
      workers_(options_.maxWorkers) {}

void CallAdmission::admit(const std::shared_ptr<Session>& session, Request request) {
    if (session->callsInFlight() >= options_.maxCallsPerConnection) {
        refuse(*session, request.id, "too many calls in flight on this connection");
        return;
    }
    std::shared_ptr<const void> webCallSlot;
    bool awaitsApproval = false;
    if (session->isWeb()) {
        std::string why;
        webCallSlot = webSlot(*session, awaitsApproval, why);
        if (!webCallSlot) {
            refuse(*session, request.id, why);
            return;
        }
    }
    const std::optional<nlohmann::json> id = request.id;
    // Registered now, on the I/O thread, so that the limit above and a disconnect see it
    // before the worker runs. Only the task owns it (moved, not copied), so the call is
    // unregistered exactly when the task lets go: after its reply, or at once if refused.
    auto context = std::make_shared<CallContext>(session);
    if (!workers_.trySubmit(task(session, std::move(context), std::move(webCallSlot),
                                 awaitsApproval, std::move(request)))) {
        refuse(*session, id, "too many calls in flight");
    }
}

std::shared_ptr<const void> CallAdmission::webSlot(const Session& session, bool& awaitsApproval,
                                                   std::string& why) const {
    awaitsApproval = !dispatcher_.decidedAtOnce(session);
    if (awaitsApproval) {
        why = "too many calls of web pages wait for the user's approval";
        return options_.webCalls->takeApprovalWait(session.peer());
    }
    why = "too many web calls";
    return options_.webCalls->takeCall(session.peer());
}

bool CallAdmission::passApproval(Session& session, CallContext& context, const Request& request,
                                 std::shared_ptr<const void>& slot) const {
    try {
        if (auto refusal = dispatcher_.refusal(request, context)) {
            if (!request.isNotification()) {
                session.send(*refusal);
            }
            return false;
        }
        slot = options_.webCalls->takeCall(session.peer());  // the queue's place given back
        if (!slot) {
            refuse(session, request.id, "too many web calls");
        }
        return slot != nullptr;
    } catch (const std::exception& error) {
        options_.log(log::Level::Warning, options_.logPrefix + "replying failed: " + error.what());
        return false;
    }
}

std::function<void()> CallAdmission::task(std::shared_ptr<Session> session,
                                          std::shared_ptr<CallContext> context,
                                          std::shared_ptr<const void> webCallSlot,
                                          bool awaitsApproval, Request request) {
    return [this, session = std::move(session), context = std::move(context),
            webCallSlot = std::move(webCallSlot), awaitsApproval,
            request = std::move(request)]() mutable {
        if (!awaitsApproval) {
            run(*session, *context, request, false);
        } else if (passApproval(*session, *context, request, webCallSlot)) {
            run(*session, *context, request, true);
        }
        webCallSlot.reset();
        context.reset();  // unregistered only after its reply is queued: see afterCall
        if (options_.afterCall) {
            options_.afterCall();
        }
    };
}

void CallAdmission::run(Session& session, CallContext& context, const Request& request,
                        bool admitted) const {
    try {
        auto reply = admitted ? dispatcher_.callAdmitted(request, context)
                              : dispatcher_.call(request, context);
        if (reply) {
            session.send(*reply);
        }
    } catch (const std::exception& error) {
        options_.log(log::Level::Warning, options_.logPrefix + "replying failed: " + error.what());
    }
}

}  // namespace taplink::api
