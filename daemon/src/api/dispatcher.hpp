// The method registry: runs a parsed request against its handler on the caller's session and
// turns whatever the handler throws into the right error reply. Transport-independent: the
// Unix socket (with taplink-nm's connections) and the WebSocket use the same one, through
// CallAdmission.
#pragma once

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "api/session.hpp"
#include "taplink/base/log.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::api {

// What a handler knows about the call it serves. Lives as long as the call.
class CallContext {
  public:
    // Registers the call with the session, so that a disconnect cancels it.
    explicit CallContext(std::shared_ptr<Session> session);
    CallContext(const CallContext&) = delete;
    CallContext& operator=(const CallContext&) = delete;
    ~CallContext();

    // Sends a notification to the caller's connection only (progress events). Dropped once
    // the caller is gone.
    void notify(std::string_view method, nlohmann::json params) const;

    // True once the caller disconnected, the server is stopping or cancel() was called.
    bool cancelled() const { return stop_.stop_requested(); }
    // For std::stop_callback (e.g. to cancel a PC/SC wait) and std::condition_variable_any.
    std::stop_token stopToken() const { return stop_.get_token(); }
    // Cancels this call (what tx.cancel does); a copy may be kept and used from elsewhere.
    std::stop_source stopSource() const { return stop_; }
    void cancel() { stop_.request_stop(); }

    const Peer& peer() const { return session_->peer(); }
    const std::string& transport() const { return session_->peer().transport; }
    Session& session() const { return *session_; }
    // For whoever must reach the connection after the call (the trusted UI's registry).
    std::shared_ptr<Session> sharedSession() const { return session_; }

  private:
    std::shared_ptr<Session> session_;
    std::stop_source stop_;
    std::uint64_t registration_;
};

// Runs one method. Returns the result; throws ApiError for an application error, or any
// other exception for the dispatcher's ErrorTranslator to map.
using Handler = std::function<nlohmann::json(const nlohmann::json& params, CallContext&)>;

// Who may call a method: Owner, only the user's own programs on the Unix socket; Web, web
// pages too (WebSocket, native messaging). A web caller never learns that an owner-only
// method exists: it gets "method not found".
enum class Access { Owner, Web };

// Runs before every call of a web caller, on the call's worker thread: throws ApiError to
// refuse it (origin not allowed, ...). Owner calls do not pass through it.
using CallerGate = std::function<void(const Request& request, CallContext& context)>;
// True when the gate can decide a web caller's calls at once, with no question to the user
// (its origin is allowed, or was approved or refused on the connection). CallAdmission keeps
// the other calls apart until the user answers. Must not block.
using OriginDecided = std::function<bool(const Session& session)>;

// Maps what a handler threw (anything but ApiError, which is sent as it is) to the error the
// caller gets; must not throw. taplinkd installs the one mapping of its service failures
// (app/failure_translation). An Internal result is logged and answered as -32603 "internal
// error": the message of an unexpected failure never reaches the client.
using ErrorTranslator = std::function<ApiError(const std::exception_ptr& failure)>;

class Dispatcher {
  public:
    // Registers the built-in methods: api.version, events.subscribe, events.unsubscribe.
    // `events` are the names events.subscribe accepts.
    // Failures it does not send to clients go to `log`.
    explicit Dispatcher(log::Sink log = log::processSink(),
                        std::span<const std::string_view> events = kEvents);

    // Registers a method; thread-safe. Throws std::invalid_argument for a name already taken.
    void add(std::string_view method, Handler handler, Access access = Access::Owner);

    // Sets the check every web caller's call passes first (app/web_access.hpp), and what
    // tells whether it can decide at once (none: it always can).
    void setCallerGate(CallerGate gate, OriginDecided decided = {});
    bool decidedAtOnce(const Session& session) const;
    // Sets how handler failures become errors; without one, every failure is internal.
    void setErrorTranslator(ErrorTranslator translator);

    // Every registered method the caller may call, sorted.
    std::vector<std::string> methods(Caller caller = Caller::Owner) const;
    bool isEvent(std::string_view name) const;

    // Runs the request. Returns the reply, or nothing for a notification (a request without
    // id: it runs, its result and errors are dropped). Never throws.
    std::optional<nlohmann::json> call(const Request& request, CallContext& context) const;

    // The error reply a web caller's call gets without running: a method it cannot reach, or
    // the gate's refusal (which may wait for the user's answer). Nothing when it may run.
    // Never throws.
    std::optional<nlohmann::json> refusal(const Request& request, CallContext& context) const;
    // call() for a request refusal() let through: the gate is not run again.
    std::optional<nlohmann::json> callAdmitted(const Request& request, CallContext& context) const;

    // session.hello, which taplink-nm sends as the first message of its connection to make it
    // a web caller's: {"transport":"native-messaging","origin","extensionId"}. The transport
    // runs it on its I/O thread before it dispatches anything else of the connection, and
    // refuses it anywhere but first. Returns the reply. Never throws.
    nlohmann::json hello(const Request& request, Session& session) const;

  private:
    struct Entry {
        Handler handler;
        Access access;
    };
    std::shared_ptr<const Entry> find(std::string_view method) const;
    nlohmann::json run(const Request& request, CallContext& context, bool admitted) const;
    void admitWebCall(const Request& request, CallContext& context) const;
    ApiError translate(const std::exception_ptr& failure) const;
    nlohmann::json failureReply(const nlohmann::json& id, std::string_view method,
                                const std::exception_ptr& failure) const;
    void addBuiltIns();

    log::Sink log_;
    std::vector<std::string> events_;
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::shared_ptr<const Entry>, std::less<>> handlers_;
    CallerGate gate_;
    OriginDecided decided_;
    ErrorTranslator translator_;
};

}  // namespace taplink::api
