// Call admission, the same on every transport: a request runs when its connection, the
// server and (a web caller's) the web-call limit have room for it, registered with its session (so
// that a disconnect cancels it) and run on a worker thread; otherwise it is answered "busy" at
// once. The transports keep only what is theirs: framing, the WebSocket's rate limit, the Unix
// socket's session.hello.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/dispatcher.hpp"
#include "api/share_limit.hpp"
#include "api/worker_pool.hpp"

namespace taplink::api {

// The error "busy" every transport answers with: "taplinkd is busy: <why>".
nlohmann::json busyReply(const nlohmann::json& id, std::string_view why);

// Web callers' calls, all connections of every transport together. Their calls can wait long
// (the user's answer, a card), and the owner's programs (the GUI answering those questions)
// must always find a worker, so they have shares of their own:
// - a call whose origin the user must still approve waits in a small queue of its own, so
//   that pages nobody approved cannot take the slots of the allowed ones; each registrable
//   domain has a share of it (api/registrable_domain.hpp);
// - the other calls take a web-call slot, each origin at most its share of them.
// More are answered busy.
class WebCallLimit {
  public:
    static constexpr std::size_t kMaxWebCalls = 16;
    static constexpr std::size_t kMaxWebCallsPerOrigin = 8;
    static constexpr std::size_t kMaxAwaitingApproval = 16;
    static constexpr std::size_t kMaxAwaitingApprovalPerDomain = 4;

    explicit WebCallLimit(std::size_t maxCalls = kMaxWebCalls,
                          std::size_t maxCallsPerOrigin = kMaxWebCallsPerOrigin)
        : calls_(maxCalls, maxCallsPerOrigin),
          awaitingApproval_(kMaxAwaitingApproval, kMaxAwaitingApprovalPerDomain) {}

    // A slot, given back when its last copy is let go; null when none is left for the
    // caller. The limit must outlive its slots.
    std::shared_ptr<const void> takeCall(const Peer& peer);
    std::shared_ptr<const void> takeApprovalWait(const Peer& peer);

  private:
    ShareLimit calls_;
    ShareLimit awaitingApproval_;
};

struct CallAdmissionOptions {
    std::size_t maxCallsPerConnection = 8;  // more at once on one connection: busy
    std::size_t maxWorkers = 64;            // calls in flight, all connections: more are busy
    std::string logPrefix;                  // put before every line logged ("WebSocket: ")
    log::Sink log = log::processSink();     // replies that could not be sent
    // Shared by the transports of one taplinkd; none: a limit of this admission's own.
    std::shared_ptr<WebCallLimit> webCalls;
    // Runs on the worker after the call unregistered, i.e. after its reply was queued (the
    // Unix server wakes its I/O thread, which may be waiting for a connection's last call).
    // Must not throw.
    std::function<void()> afterCall;
};

class CallAdmission {
  public:
    // The dispatcher must outlive this.
    CallAdmission(Dispatcher& dispatcher, CallAdmissionOptions options);

    // Runs the request on a worker, or answers busy when the session already has
    // maxCallsPerConnection calls in flight, a web caller's finds no room in its share of
    // the web-call limit, or every worker is taken; a refused notification is dropped without
    // a reply. A web caller whose origin is not yet decided (Dispatcher::decidedAtOnce) waits
    // for the user's answer in the approval queue and takes its web-call slot only then. Only the
    // session's I/O thread may call it, so that the check of the session's limit and the
    // registration of the call cannot interleave. Throws only what the session's send() throws.
    void admit(const std::shared_ptr<Session>& session, Request request);

    // Lets the calls running finish and joins their threads; from then on every call is
    // answered busy. Idempotent.
    void shutdown() { workers_.shutdown(); }

  private:
    std::function<void()> task(std::shared_ptr<Session> session,
                               std::shared_ptr<CallContext> context,
                               std::shared_ptr<const void> webCallSlot, bool awaitsApproval,
                               Request request);
    // A web caller's slot at admission: a web-call slot, or, while its origin is undecided, a
    // place in the approval queue (awaitsApproval); null with `why` set when there is none.
    std::shared_ptr<const void> webSlot(const Session& session, bool& awaitsApproval,
                                        std::string& why) const;
    // After the user approved the origin: the web-call slot for the call; false (the caller
    // answered) when the gate refused the call or no slot is left.
    bool passApproval(Session& session, CallContext& context, const Request& request,
                      std::shared_ptr<const void>& slot) const;
    // Runs the call (the gate already passed when admitted) and sends its reply.
    void run(Session& session, CallContext& context, const Request& request, bool admitted) const;

    Dispatcher& dispatcher_;
    CallAdmissionOptions options_;
    WorkerPool workers_;  // last, so its threads, which use the members above, end first
};

}  // namespace taplink::api
