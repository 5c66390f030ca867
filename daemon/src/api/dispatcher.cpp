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

void Dispatcher::setCallerGate(CallerGate gate, OriginDecided decided) {
    const std::unique_lock lock(mutex_);
    gate_ = std::move(gate);
    decided_ = std::move(decided);
}

bool Dispatcher::decidedAtOnce(const Session& session) const {
    OriginDecided decided;
    {
        const std::shared_lock lock(mutex_);
        decided = decided_;
    }
    return !decided || decided(session);
}

void Dispatcher::setErrorTranslator(ErrorTranslator translator) {
    const std::unique_lock lock(mutex_);
    translator_ = std::move(translator);
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
    nlohmann::json reply = run(request, context, false);
    if (request.isNotification()) {
        return std::nullopt;
    }
    return reply;
}

std::optional<nlohmann::json> Dispatcher::callAdmitted(const Request& request,
                                                       CallContext& context) const {
    nlohmann::json reply = run(request, context, true);
    if (request.isNotification()) {
        return std::nullopt;
    }
    return reply;
}

namespace {

ApiError untranslated(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& error) {
        return ApiError(ErrorCode::Internal, error.what());
    } catch (...) {
        return ApiError(ErrorCode::Internal, "a non-standard exception");
    }
}

}  // namespace

std::optional<nlohmann::json> Dispatcher::refusal(const Request& request,
                                                  CallContext& context) const {
    const nlohmann::json id = request.id.value_or(nullptr);
    const auto entry = find(request.method);
    if (!entry || (context.session().isWeb() && entry->access != Access::Web)) {
        return makeError(id, RpcCode::MethodNotFound, "method not found: " + request.method);
    }
    if (!context.session().isWeb()) {
        return std::nullopt;
    }
    try {
        admitWebCall(request, context);
        return std::nullopt;
    } catch (...) {
        return failureReply(id, request.method, std::current_exception());
    }
}

nlohmann::json Dispatcher::run(const Request& request, CallContext& context, bool admitted) const {
    if (auto refused = admitted ? std::optional<nlohmann::json>() : refusal(request, context)) {
        return *refused;
    }
    const nlohmann::json id = request.id.value_or(nullptr);
    try {
        return makeResult(id, find(request.method)->handler(request.params, context));
    } catch (...) {
        return failureReply(id, request.method, std::current_exception());
    }
}

void Dispatcher::admitWebCall(const Request& request, CallContext& context) const {
    CallerGate gate;
    {
        const std::shared_lock lock(mutex_);
        gate = gate_;
    }
    if (!gate) {  // no policy installed: nothing is allowed
        throw ApiError(ErrorCode::OriginDenied, "web callers are not accepted");
    }
    gate(request, context);
}

ApiError Dispatcher::translate(const std::exception_ptr& failure) const {
    ErrorTranslator translator;
    {
        const std::shared_lock lock(mutex_);
        translator = translator_;
    }
    try {
        return translator ? translator(failure) : untranslated(failure);
    } catch (...) {
        return untranslated(std::current_exception());
    }
}

nlohmann::json Dispatcher::failureReply(const nlohmann::json& id, std::string_view method,
                                        const std::exception_ptr& failure) const {
    try {
        std::rethrow_exception(failure);
    } catch (const ApiError& error) {
        return makeError(id, error);  // a handler's own answer, sent as it is
    } catch (...) {
    }
    const ApiError error = translate(failure);
    if (error.code() != ErrorCode::Internal) {
        return makeError(id, error);
    }
    log_(log::Level::Warning, "method " + std::string(method) + " failed: " + error.what());
    return makeError(id, ApiError(ErrorCode::Internal, "internal error"));
}

namespace {
std::vector<std::string> knownEvents(const Dispatcher& dispatcher, const nlohmann::json& params) {
    auto events = params::requiredStringArray(params, "events");
    for (const auto& event : events) {
        if (!dispatcher.isEvent(event)) {
            throw ApiError(ErrorCode::InvalidParams,
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
            throw ApiError(ErrorCode::InvalidParams,
                           "invalid params: transport must be \"native-messaging\"",
                           {{"param", "transport"}});
        }
        std::string origin = params::requiredString(request.params, "origin");
        std::string extensionId = params::requiredString(request.params, "extensionId");
        if (origin.size() > kMaxOriginBytes || extensionId.size() > kMaxOriginBytes) {
            throw ApiError(ErrorCode::InvalidParams, "invalid params: too long",
                           {{"param", "origin"}});
        }
        session.becomeWebCaller(transport, std::move(origin), std::move(extensionId));
        return makeResult(id, {{"version", kApiVersion}, {"caller", "web"}});
    } catch (...) {
        return failureReply(id, request.method, std::current_exception());
    }
}

void Dispatcher::addBuiltIns() {
    add(
        method::kApiVersion,
        [this](const nlohmann::json& params, CallContext& context) {
            params::allowOnly(params, {});
            return nlohmann::json{{"version", kApiVersion},
                                  {"daemonVersion", TAPLINK_VERSION},
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
