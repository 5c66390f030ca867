#include "api/dispatcher.hpp"

#include <algorithm>
#include <stdexcept>

#include "api/params.hpp"
#include "taplink/base/log.hpp"

namespace taplink::api {

CallContext::CallContext(std::shared_ptr<Session> session)
    : session_(std::move(session)), registration_(session_->registerCall(stop_)) {}

CallContext::~CallContext() {
    session_->unregisterCall(registration_);
}

void CallContext::notify(std::string_view method, nlohmann::json params) const {
    session_->send(makeNotification(method, std::move(params)));
}

Dispatcher::Dispatcher(log::Sink log, std::span<const std::string_view> events)
    : log_(std::move(log)), events_(events.begin(), events.end()) {
    addBuiltIns();
}

void Dispatcher::add(std::string_view method, Handler handler, Access access) {
    const std::unique_lock lock(mutex_);
    const auto [it, added] = handlers_.try_emplace(
        std::string(method), std::make_shared<const Entry>(Entry{std::move(handler), access}));
    if (!added) {
        throw std::invalid_argument("method " + std::string(method) + " is already registered");
    }
}

void Dispatcher::setCallerGate(CallerGate gate) {
    const std::unique_lock lock(mutex_);
    gate_ = std::move(gate);
}

std::vector<std::string> Dispatcher::methods(Caller caller) const {
    const std::shared_lock lock(mutex_);
    std::vector<std::string> names;
    for (const auto& [name, entry] : handlers_) {
        if (caller == Caller::Owner || entry->access == Access::Web) {
            names.push_back(name);
        }
    }
    return names;  // the map keeps them sorted
}

bool Dispatcher::isEvent(std::string_view name) const {
    return std::find(events_.begin(), events_.end(), name) != events_.end();
}

std::shared_ptr<const Dispatcher::Entry> Dispatcher::find(std::string_view method) const {
    const std::shared_lock lock(mutex_);
    const auto it = handlers_.find(method);
    return it == handlers_.end() ? nullptr : it->second;
}

std::optional<nlohmann::json> Dispatcher::call(const Request& request, CallContext& context) const {
    nlohmann::json reply = run(request, context);
    if (request.isNotification()) {
        return std::nullopt;
    }
    return reply;
}

nlohmann::json Dispatcher::run(const Request& request, CallContext& context) const {
    const nlohmann::json id = request.id.value_or(nullptr);
    const auto entry = find(request.method);
    const bool web = context.session().isWeb();
    if (!entry || (web && entry->access != Access::Web)) {
        return makeError(id, RpcCode::MethodNotFound, "method not found: " + request.method);
    }
    struct WebCallSlot {
        std::atomic<std::size_t>* count = nullptr;
        ~WebCallSlot() {
            if (count != nullptr) {
                --*count;
            }
        }
    } slot;
    try {
        if (web) {
            if (++webCalls_ > kMaxWebCalls) {
                --webCalls_;
                throw ApiError(std::string(errc::kBusy), "taplinkd is busy: too many web calls");
            }
            slot.count = &webCalls_;
            CallerGate gate;
            {
                const std::shared_lock lock(mutex_);
                gate = gate_;
            }
            if (!gate) {  // no policy installed: nothing is allowed
                throw ApiError(std::string(errc::kOriginDenied), "web callers are not accepted");
            }
            gate(request, context);
        }
        return makeResult(id, entry->handler(request.params, context));
    } catch (const ApiError& error) {
        return makeError(id, error);
    } catch (const std::exception& error) {
        log_(log::Level::Warning, "method " + request.method + " failed: " + error.what());
    } catch (...) {
        log_(log::Level::Warning,
             "method " + request.method + " failed with a non-standard exception");
    }
    return makeError(id, RpcCode::InternalError, "internal error", {{"code", errc::kInternal}});
}

namespace {
std::vector<std::string> knownEvents(const Dispatcher& dispatcher, const nlohmann::json& params) {
    auto events = params::requiredStringArray(params, "events");
    for (const auto& event : events) {
        if (!dispatcher.isEvent(event)) {
            throw ApiError(std::string(errc::kInvalidParams),
                           "invalid params: unknown event \"" + event + "\"",
                           {{"param", "events"}, {"event", event}});
        }
    }
    return events;
}
}  // namespace

nlohmann::json Dispatcher::hello(const Request& request, Session& session) const {
    const nlohmann::json id = request.id.value_or(nullptr);
    try {
        params::allowOnly(request.params, {"transport", "origin", "extensionId"});
        const std::string transport = params::requiredString(request.params, "transport");
        if (transport != kNativeMessagingTransport) {
            throw ApiError(std::string(errc::kInvalidParams),
                           "invalid params: transport must be \"native-messaging\"",
                           {{"param", "transport"}});
        }
        std::string origin = params::requiredString(request.params, "origin");
        std::string extensionId = params::requiredString(request.params, "extensionId");
        if (origin.size() > kMaxOriginBytes || extensionId.size() > kMaxOriginBytes) {
            throw ApiError(std::string(errc::kInvalidParams), "invalid params: too long",
                           {{"param", "origin"}});
        }
        session.becomeWebCaller(transport, std::move(origin), std::move(extensionId));
        return makeResult(id, {{"version", kApiVersion}, {"caller", "web"}});
    } catch (const ApiError& error) {
        return makeError(id, error);
    } catch (const std::exception& error) {
        log_(log::Level::Warning, std::string("session.hello failed: ") + error.what());
    } catch (...) {
        log_(log::Level::Warning, "session.hello failed with a non-standard exception");
    }
    return makeError(id, RpcCode::InternalError, "internal error", {{"code", errc::kInternal}});
}

void Dispatcher::addBuiltIns() {
    add(
        method::kApiVersion,
        [this](const nlohmann::json& params, CallContext& context) {
            params::allowOnly(params, {});
            return nlohmann::json{{"version", kApiVersion},
                                  {"methods", methods(context.peer().caller)}};
        },
        Access::Web);
    add(
        method::kEventsSubscribe,
        [this](const nlohmann::json& params, CallContext& context) {
            params::allowOnly(params, {"events"});
            return nlohmann::json{
                {"events", context.session().subscribe(knownEvents(*this, params))}};
        },
        Access::Web);
    add(
        method::kEventsUnsubscribe,
        [this](const nlohmann::json& params, CallContext& context) {
            params::allowOnly(params, {"events"});
            if (!params.contains("events")) {
                return nlohmann::json{{"events", context.session().unsubscribeAll()}};
            }
            return nlohmann::json{
                {"events", context.session().unsubscribe(knownEvents(*this, params))}};
        },
        Access::Web);
}

}  // namespace taplink::api
