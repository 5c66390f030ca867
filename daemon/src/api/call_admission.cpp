#include "api/call_admission.hpp"

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

std::shared_ptr<const void> WebCallLimit::take() {
    if (++taken_ > maxCalls_) {
        --taken_;
        return nullptr;
    }
    return {this, [](WebCallLimit* limit) { --limit->taken_; }};
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
    if (session->isWeb()) {
        webCallSlot = options_.webCalls->take();
        if (!webCallSlot) {
            refuse(*session, request.id, "too many web calls");
            return;
        }
    }
    const std::optional<nlohmann::json> id = request.id;
    // Registered now, on the I/O thread, so that the limit above and a disconnect see it
    // before the worker runs. Only the task owns it (moved, not copied), so the call is
    // unregistered exactly when the task lets go: after its reply, or at once if refused.
    auto context = std::make_shared<CallContext>(session);
    if (!workers_.trySubmit(
            task(session, std::move(context), std::move(webCallSlot), std::move(request)))) {
        refuse(*session, id, "too many calls in flight");
    }
}

std::function<void()> CallAdmission::task(std::shared_ptr<Session> session,
                                          std::shared_ptr<CallContext> context,
                                          std::shared_ptr<const void> webCallSlot,
                                          Request request) {
    return [this, session = std::move(session), context = std::move(context),
            webCallSlot = std::move(webCallSlot), request = std::move(request)]() mutable {
        run(*session, *context, request);
        webCallSlot.reset();
        context.reset();  // unregistered only after its reply is queued: see afterCall
        if (options_.afterCall) {
            options_.afterCall();
        }
    };
}

void CallAdmission::run(Session& session, CallContext& context, const Request& request) const {
    try {
        if (auto reply = dispatcher_.call(request, context)) {
            session.send(*reply);
        }
    } catch (const std::exception& error) {
        options_.log(log::Level::Warning, options_.logPrefix + "replying failed: " + error.what());
    }
}

}  // namespace taplink::api
