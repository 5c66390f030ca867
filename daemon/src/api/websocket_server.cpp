#include "api/websocket_server.hpp"

#include <libwebsockets.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "api/call_admission.hpp"
#include "api/event_fanout.hpp"
#include "api/file_limit.hpp"
#include "api/peer_uid.hpp"
#include "api/websocket_checks.hpp"
#include "api/websocket_context.hpp"
#include "api/websocket_rate_limiter.hpp"
#include "api/websocket_session.hpp"
#include "taplink/base/log_folding.hpp"
#include "taplink/rpc/transport_error.hpp"

namespace taplink::api {

namespace {

using Clock = std::chrono::steady_clock;

// The close codes taplinkd sends (RFC 6455 section 7.4.1).
enum class CloseCode : std::uint16_t {
    GoingAway = 1001,        // taplinkd stops
    UnsupportedData = 1003,  // a binary frame
    PolicyViolation = 1008,  // kept flooding past the rate limit
    MessageTooBig = 1009,    // a message over maxMessageBytes
};

// How long a connection being closed gets to read what is still queued for it.
constexpr int kCloseGraceSeconds = 5;
// How long stop() lets the connections take their last replies and close frames.
constexpr auto kStopGrace = std::chrono::seconds(2);
// A peer is dropped once it had this many bursts' worth of messages refused in a row.
constexpr std::size_t kRefusedBurstsBeforeClose = 3;
// The longest Host header considered; a loopback name with a port is far shorter.
constexpr std::size_t kMaxHostBytes = 256;
// How much of a refused Host or Origin goes into the log.
constexpr std::size_t kMaxLoggedBytes = 80;

struct Closing {
    CloseCode code;
    std::string reason;
};

// One established connection; the service thread's alone.
struct Connection {
    Connection(lws* socket, std::shared_ptr<WebSocketSession> peerSession,
               MessageRateLimiter rateLimiter)
        : wsi(socket), session(std::move(peerSession)), limiter(rateLimiter) {}

    lws* wsi;
    std::shared_ptr<WebSocketSession> session;
    MessageRateLimiter limiter;
    std::string message;             // the text message being reassembled from its frames
    std::optional<Closing> closing;  // close with this once what is queued is written
    bool closeHandedOver = false;    // lws sends the close frame and awaits the peer's
};

// A header of the handshake; nothing when absent or longer than maxBytes.
std::optional<std::string> headerOf(lws* wsi, lws_token_indexes token, std::size_t maxBytes) {
    const int length = lws_hdr_total_length(wsi, token);
    if (length <= 0 || static_cast<std::size_t>(length) > maxBytes) {
        return std::nullopt;
    }
    std::string value(static_cast<std::size_t>(length) + 1, '\0');
    const int copied = lws_hdr_copy(wsi, value.data(), length + 1, token);
    if (copied < 0) {
        return std::nullopt;
    }
    value.resize(static_cast<std::size_t>(copied));
    return value;
}

// What a peer sent, made safe to log: printable ASCII, truncated.
std::string printable(std::string_view text) {
    std::string safe;
    for (const char c : text.substr(0, kMaxLoggedBytes)) {
        safe += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return text.size() > kMaxLoggedBytes ? safe + "..." : safe;
}

CallAdmissionOptions admissionOptions(const WebSocketServerOptions& options) {
    CallAdmissionOptions admission;
    admission.maxCallsPerConnection = options.maxCallsPerConnection;
    admission.maxWorkers = options.maxWorkers;
    admission.logPrefix = "WebSocket: ";
    admission.log = options.log;
    admission.webCalls = options.webCalls;
    return admission;
}

void checkOptions(const WebSocketServerOptions& options) {
    const auto fail = [](const std::string& why) {
        throw TransportError("invalid WebSocket options: " + why);
    };
    if (options.maxMessageBytes == 0 || options.maxConnections == 0 ||
        options.maxCallsPerConnection == 0 || options.maxWorkers == 0) {
        fail("limits must be at least 1");
    }
    if (!(options.messagesPerSecond > 0) || options.burst == 0) {
        fail("messagesPerSecond must be positive and burst at least 1");
    }
    if (options.pingInterval.count() < 1 || options.idleTimeout <= options.pingInterval) {
        fail("pingInterval must be at least 1 s and idleTimeout longer than it");
    }
    if (!options.log) {
        fail("no log sink");
    }
}

}  // namespace

class WebSocketServer::Impl {
  public:
    Impl(Dispatcher& dispatcher, WebSocketServerOptions options);
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() { stop(); }

    void stop();
    void broadcast(std::string_view event, const nlohmann::json& params);
    std::uint16_t port() const { return port_; }
    bool listensOnIpv6() const { return ipv6_; }
    std::size_t connectionCount() const;
    std::vector<std::string> openOrigins() const;  // of the upgraded connections

  private:
    // The lws callback: no exception may cross into C.
    static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                        std::size_t len) noexcept;
    int handle(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
    void logQuietly(const std::string& line) const noexcept;

    int admitPeer(int fd);
    int confirmUpgrade(lws* wsi, std::string_view upgrade);
    int refuseHandshake(lws* wsi, unsigned status, const std::string& why);
    int establish(lws* wsi, std::uint64_t& slot);
    Connection* find(const void* user);
    void receive(Connection& connection, std::string_view data);
    void handleMessage(Connection& connection, std::string_view text);
    int writeNext(Connection& connection);
    void beginClose(Connection& connection, CloseCode code, std::string reason);
    void forget(const void* user);
    void serviceWakeUps();
    void run();

    WebSocketServerOptions options_;
    log::Sink refusalLog_ = log::foldRepeats(options_.log);  // a refused peer may retry in a loop
    std::shared_ptr<ServiceWaker> waker_ = std::make_shared<ServiceWaker>();
    CallAdmission calls_;
    std::array<lws_protocols, 2> protocols_{};
    std::unique_ptr<LwsContext> context_;
    std::uint16_t port_ = 0;
    bool ipv6_ = false;

    // The service thread's alone (and stop()'s, once that thread has ended).
    std::map<std::uint64_t, Connection> connections_;
    std::uint64_t nextConnection_ = 1;  // 0: a slot with no connection
    bool finishHandled_ = false;

    mutable std::mutex sessionsMutex_;
    std::condition_variable allClosed_;                        // sessions_ became empty
    std::vector<std::shared_ptr<WebSocketSession>> sessions_;  // for broadcast() and stop()
    std::atomic<bool> stopping_{false};   // calls are being cancelled: take no new ones
    std::atomic<bool> finishing_{false};  // handlers are done: close every connection
    std::atomic<bool> exit_{false};       // leave the service loop
    std::once_flag stopOnce_;
    std::thread thread_;
};

WebSocketServer::Impl::Impl(Dispatcher& dispatcher, WebSocketServerOptions options)
    : options_((checkOptions(options), std::move(options))),
      calls_(dispatcher, admissionOptions(options_)) {
    protocols_[0].name = kWebSocketSubprotocol.data();  // also taken when none is offered
    protocols_[0].callback = &Impl::callback;
    protocols_[0].per_session_data_size = sizeof(std::uint64_t);  // the connection's number
    LwsContextOptions contextOptions;
    contextOptions.port = options_.port;
    contextOptions.protocols = protocols_.data();
    contextOptions.user = this;
    contextOptions.pingInterval = options_.pingInterval;
    contextOptions.idleTimeout = options_.idleTimeout;
    // Room for handshakes that are refused with 503 once maxConnections are upgraded.
    contextOptions.maxSockets = options_.maxConnections + kPendingHandshakes;
    contextOptions.log = options_.log;
    context_ = std::make_unique<LwsContext>(contextOptions);
    port_ = context_->port();
    ipv6_ = context_->listensOnIpv6();
    waker_->attach(context_->get());
    thread_ = std::thread([this] { run(); });
}

void WebSocketServer::Impl::stop() {
    std::call_once(stopOnce_, [this] {
        std::vector<std::shared_ptr<WebSocketSession>> sessions;
        {
            const std::lock_guard lock(sessionsMutex_);
            stopping_ = true;
            sessions = sessions_;
        }
        // Outside the lock: stop callbacks run here and may broadcast.
        for (const auto& session : sessions) {
            session->cancelCalls();
        }
        calls_.shutdown();  // the service thread keeps writing replies meanwhile
        finishing_ = true;
        waker_->interrupt();
        {
            std::unique_lock lock(sessionsMutex_);
            allClosed_.wait_for(lock, kStopGrace, [this] { return sessions_.empty(); });
        }
        exit_ = true;
        waker_->interrupt();
        thread_.join();
        waker_->detach();
        context_.reset();  // drops whatever did not close in time (its CLOSED runs here)
    });
}

void WebSocketServer::Impl::broadcast(std::string_view event, const nlohmann::json& params) {
    sendToSubscribers(sessionsMutex_, sessions_, event, params);
}

std::size_t WebSocketServer::Impl::connectionCount() const {
    const std::lock_guard lock(sessionsMutex_);
    return sessions_.size();
}

void WebSocketServer::Impl::run() {
    while (!exit_) {
        if (lws_service(context_->get(), 0) < 0) {
            options_.log(log::Level::Warning,
                         "WebSocket: the service loop failed; no more connections are served");
            break;
        }
    }
}

int WebSocketServer::Impl::callback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                                    std::size_t len) noexcept {
    lws_context* const context = wsi != nullptr ? lws_get_context(wsi) : nullptr;
    auto* const self = context != nullptr ? static_cast<Impl*>(lws_context_user(context)) : nullptr;
    if (self == nullptr) {
        return wsi != nullptr ? lws_callback_http_dummy(wsi, reason, user, in, len) : 0;
    }
    try {
        return self->handle(wsi, reason, user, in, len);
    } catch (const std::exception& error) {
        self->logQuietly(std::string("WebSocket: dropped a connection: ") + error.what());
    } catch (...) {
        self->logQuietly("WebSocket: dropped a connection: non-standard exception");
    }
    return -1;  // lws closes the connection
}

void WebSocketServer::Impl::logQuietly(const std::string& line) const noexcept {
    try {
        options_.log(log::Level::Warning, line);
    } catch (...) {  // nothing may leave the lws callback, not even from the log sink
    }
}

int WebSocketServer::Impl::handle(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                                  std::size_t len) {
    switch (reason) {
        case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
            // Just accepted, nothing read yet (lws passes the descriptor in `in`).
            return admitPeer(static_cast<int>(reinterpret_cast<std::intptr_t>(in)));
        case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
            return confirmUpgrade(wsi, in != nullptr ? static_cast<const char*>(in) : "");
        case LWS_CALLBACK_HTTP:
            // A plain HTTP request: there is nothing here but the WebSocket.
            return refuseHandshake(wsi, HTTP_STATUS_BAD_REQUEST, "WebSocket only");
        case LWS_CALLBACK_ESTABLISHED:
            return user != nullptr ? establish(wsi, *static_cast<std::uint64_t*>(user)) : -1;
        case LWS_CALLBACK_RECEIVE:
            if (auto* connection = find(user)) {
                receive(*connection, {static_cast<const char*>(in), len});
            }
            return 0;
        case LWS_CALLBACK_SERVER_WRITEABLE: {
            auto* connection = find(user);
            return connection != nullptr ? writeNext(*connection) : 0;
        }
        case LWS_CALLBACK_CLOSED:
            forget(user);
            return 0;
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            serviceWakeUps();
            return 0;
        default:
            return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

int WebSocketServer::Impl::refuseHandshake(lws* wsi, unsigned status, const std::string& why) {
    // Only a status line, headers and a short text: nothing a page could use.
    if (lws_return_http_status(wsi, status, ("taplinkd: " + why).c_str()) != 0) {
        return -1;
    }
    return 1;  // answered: lws completes the transaction and closes
}

int WebSocketServer::Impl::admitPeer(int fd) {
    // The Origin header is whatever the client writes, so only the browser of the user
    // taplinkd serves may connect: any other user's process could claim any shop's origin.
    const auto uid = loopbackPeerUid(fd);
    if (uid == options_.allowedUid) {
        return 0;
    }
    refusalLog_(log::Level::Warning,
                "WebSocket: refused a connection from " +
                    (uid ? "uid " + std::to_string(*uid) : std::string("an unknown uid")) +
                    ": only uid " + std::to_string(options_.allowedUid) + " may connect");
    return -1;  // lws closes the socket before reading the handshake
}

int WebSocketServer::Impl::confirmUpgrade(lws* wsi, std::string_view upgrade) {
    if (upgrade != "websocket") {
        return refuseHandshake(wsi, HTTP_STATUS_BAD_REQUEST, "WebSocket only");
    }
    if (stopping_) {
        return refuseHandshake(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "taplinkd is stopping");
    }
    if (connectionCount() >= options_.maxConnections) {
        options_.log(log::Level::Warning, "WebSocket: refused a connection: too many connections");
        return refuseHandshake(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "too many connections");
    }
    const auto host = headerOf(wsi, WSI_TOKEN_HOST, kMaxHostBytes);
    if (!host || !isLoopbackHost(*host)) {
        options_.log(log::Level::Warning, "WebSocket: refused a handshake for Host \"" +
                                              printable(host.value_or("")) +
                                              "\": not a loopback name");
        return refuseHandshake(wsi, HTTP_STATUS_FORBIDDEN, "Host must be a loopback name");
    }
    const auto origin = headerOf(wsi, WSI_TOKEN_ORIGIN, kMaxOriginBytes);
    if (!origin || !isWellFormedOrigin(*origin)) {
        options_.log(log::Level::Warning, "WebSocket: refused a handshake with Origin \"" +
                                              printable(origin.value_or("")) +
                                              "\": missing or malformed");
        return refuseHandshake(wsi, HTTP_STATUS_FORBIDDEN, "a web origin is required");
    }
    if (const auto why = exceededShare(options_.shares, openOrigins(), *origin)) {
        refusalLog_(log::Level::Warning, "WebSocket: refused a connection: " + *why);
        return refuseHandshake(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, *why);
    }
    return 0;
}

std::vector<std::string> WebSocketServer::Impl::openOrigins() const {
    const std::lock_guard lock(sessionsMutex_);
    std::vector<std::string> origins;
    origins.reserve(sessions_.size());
    for (const auto& session : sessions_) {
        origins.push_back(session->peer().origin);
    }
    return origins;
}

int WebSocketServer::Impl::establish(lws* wsi, std::uint64_t& slot) {
    // Checked by confirmUpgrade(); read again because lws keeps no state of ours between.
    const auto origin = headerOf(wsi, WSI_TOKEN_ORIGIN, kMaxOriginBytes);
    if (!origin || !isWellFormedOrigin(*origin) || stopping_) {
        return -1;
    }
    Peer peer{std::string(kWebSocketTransport)};
    peer.caller = Caller::Web;
    peer.origin = *origin;
    const std::uint64_t id = nextConnection_++;
    auto session =
        std::make_shared<WebSocketSession>(std::move(peer), id, waker_, options_.maxQueuedBytes);
    const MessageRateLimiter limiter(options_.messagesPerSecond, options_.burst,
                                     kRefusedBurstsBeforeClose * options_.burst, Clock::now());
    {
        const std::lock_guard lock(sessionsMutex_);
        sessions_.push_back(session);
    }
    connections_.emplace(std::piecewise_construct, std::forward_as_tuple(id),
                         std::forward_as_tuple(wsi, std::move(session), limiter));
    slot = id;
    return 0;
}

Connection* WebSocketServer::Impl::find(const void* user) {
    if (user == nullptr) {
        return nullptr;
    }
    const auto it = connections_.find(*static_cast<const std::uint64_t*>(user));
    return it == connections_.end() ? nullptr : &it->second;
}

void WebSocketServer::Impl::receive(Connection& connection, std::string_view data) {
    if (connection.closing || stopping_) {
        return;  // what arrives after the decision to close, or at stop, is not answered
    }
    if (lws_frame_is_binary(connection.wsi) != 0) {
        beginClose(connection, CloseCode::UnsupportedData, "binary frames are not supported");
        return;
    }
    const std::size_t rest = lws_remaining_packet_payload(connection.wsi);
    if (connection.message.size() + data.size() + rest > options_.maxMessageBytes) {
        connection.message.clear();
        beginClose(connection, CloseCode::MessageTooBig,
                   "message over " + std::to_string(options_.maxMessageBytes) + " bytes");
        return;
    }
    connection.message.append(data);
    if (lws_is_final_fragment(connection.wsi) == 0 || rest > 0) {
        return;  // more frames, or more of this one, to come
    }
    const std::string text = std::exchange(connection.message, {});
    handleMessage(connection, text);
}

void WebSocketServer::Impl::handleMessage(Connection& connection, std::string_view text) {
    const auto verdict = connection.limiter.admit(Clock::now());
    if (verdict == MessageRateLimiter::Verdict::Close) {
        options_.log(log::Level::Warning,
                     "WebSocket: closed a connection that kept sending over its rate limit");
        beginClose(connection, CloseCode::PolicyViolation, "rate limit exceeded");
        return;
    }
    auto parsed = parseRequest(text);
    auto* request = std::get_if<Request>(&parsed);
    if (verdict == MessageRateLimiter::Verdict::Refuse) {
        if (request == nullptr || !request->isNotification()) {
            connection.session->send(makeError(
                request != nullptr ? *request->id : nlohmann::json(),
                ApiError(ErrorCode::RateLimited, "rate limited: too many messages; slow down",
                         {{"messagesPerSecond", options_.messagesPerSecond},
                          {"burst", options_.burst}})));
        }
        return;
    }
    if (request == nullptr) {
        connection.session->send(std::get<nlohmann::json>(parsed));  // -32700, -32600, -32602
        return;
    }
    calls_.admit(connection.session, std::move(*request));
}

int WebSocketServer::Impl::writeNext(Connection& connection) {
    auto& session = *connection.session;
    if (session.overflowed()) {
        options_.log(log::Level::Warning,
                     "WebSocket: dropped a connection that stopped reading its replies");
        return -1;
    }
    if (auto text = session.takeNext()) {
        // lws writes its frame header into the LWS_PRE bytes before the payload.
        std::vector<unsigned char> frame(LWS_PRE + text->size());
        std::memcpy(frame.data() + LWS_PRE, text->data(), text->size());
        if (lws_write(connection.wsi, frame.data() + LWS_PRE, text->size(), LWS_WRITE_TEXT) < 0) {
            return -1;
        }
        if (session.hasQueued() || connection.closing) {  // more to write, or the close
            lws_callback_on_writable(connection.wsi);
        }
        return 0;
    }
    if (connection.closing && !connection.closeHandedOver) {
        // lws sends the close frame, reads (and drops) what the peer still sends until its
        // close frame comes back, then closes the socket. Returning -1 again meanwhile
        // would cut that short: a socket closed with unread input is reset, and the peer
        // may lose the close frame and the last replies.
        connection.closeHandedOver = true;
        auto& reason = connection.closing->reason;
        lws_close_reason(connection.wsi, static_cast<lws_close_status>(connection.closing->code),
                         reinterpret_cast<unsigned char*>(reason.data()), reason.size());
        return -1;
    }
    return 0;
}

void WebSocketServer::Impl::beginClose(Connection& connection, CloseCode code, std::string reason) {
    if (connection.closing) {
        return;
    }
    connection.closing = Closing{code, std::move(reason)};
    connection.session->seal();  // what is queued still goes out, then the close frame
    connection.session->cancelCalls();
    // Input is still read (and dropped, see receive()): a socket closed with unread input
    // is reset, and the peer might then lose the close frame and the replies before it.
    // A peer that takes no more of what is queued is dropped after this grace.
    lws_set_timeout(connection.wsi, PENDING_TIMEOUT_USER_OK, kCloseGraceSeconds);
    lws_callback_on_writable(connection.wsi);
}

void WebSocketServer::Impl::forget(const void* user) {
    auto* connection = find(user);
    if (connection == nullptr) {
        return;
    }
    const auto session = connection->session;
    session->cancelCalls();
    session->close();
    connections_.erase(*static_cast<const std::uint64_t*>(user));
    {
        const std::lock_guard lock(sessionsMutex_);
        std::erase(sessions_, session);
    }
    allClosed_.notify_all();
}

void WebSocketServer::Impl::serviceWakeUps() {
    if (finishing_ && !finishHandled_) {
        finishHandled_ = true;
        for (auto& [id, connection] : connections_) {
            beginClose(connection, CloseCode::GoingAway, "taplinkd is stopping");
        }
    }
    for (const auto id : waker_->takeWoken()) {
        if (const auto it = connections_.find(id); it != connections_.end()) {
            lws_callback_on_writable(it->second.wsi);
        }
    }
}

WebSocketServer::WebSocketServer(Dispatcher& dispatcher, WebSocketServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {}

WebSocketServer::~WebSocketServer() = default;

void WebSocketServer::stop() {
    impl_->stop();
}

void WebSocketServer::broadcast(std::string_view event, const nlohmann::json& params) {
    impl_->broadcast(event, params);
}

std::uint16_t WebSocketServer::port() const {
    return impl_->port();
}

bool WebSocketServer::listensOnIpv6() const {
    return impl_->listensOnIpv6();
}

std::size_t WebSocketServer::connectionCount() const {
    return impl_->connectionCount();
}

}  // namespace taplink::api
