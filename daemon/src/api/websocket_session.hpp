// The WebSocket side of a Session: any thread queues messages for the peer; the lws service
// thread writes them, one text frame each, when lws says the socket is writeable. The only
// lws call another thread may make is lws_cancel_service(), which ServiceWaker wraps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/session.hpp"

struct lws_context;

namespace taplink::api {

// Tells the service thread which connections have something to write. Shared with the
// sessions, so that a message sent after the server stopped is harmless.
class ServiceWaker {
  public:
    // The service thread's context; from then on wake() interrupts its wait.
    void attach(lws_context* context);
    // Before the context is destroyed: wake() only records from then on.
    void detach();

    // Marks the connection and interrupts the service thread's wait. Any thread.
    void wake(std::uint64_t connection);
    // Interrupts the wait without marking anything (stop()).
    void interrupt();
    // The service thread: the connections woken since last time.
    std::vector<std::uint64_t> takeWoken();

  private:
    // Two locks: the service thread takes only wokenMutex_, so a wake-up blocked inside
    // lws_cancel_service() can never wait for it.
    std::mutex contextMutex_;
    lws_context* context_ = nullptr;
    std::mutex wokenMutex_;
    std::vector<std::uint64_t> woken_;
};

class WebSocketSession final : public Session {
  public:
    WebSocketSession(Peer peer, std::uint64_t connection, std::shared_ptr<ServiceWaker> waker,
                     std::size_t maxQueuedBytes)
        : Session(std::move(peer)),
          connection_(connection),
          waker_(std::move(waker)),
          maxQueuedBytes_(maxQueuedBytes) {}

    // Queues the message as one text frame's payload (compact JSON).
    void send(const nlohmann::json& message) override;

    // The service thread: the next message to write, if any.
    std::optional<std::string> takeNext();
    bool hasQueued() const;
    // True once the peer fell more than maxQueuedBytes behind: it must be dropped.
    bool overflowed() const;
    // Takes no more messages, but keeps the queued ones for writing (closing after a
    // protocol violation or at stop: what was answered so far still goes out).
    void seal();
    // Drops the queued messages and takes no more (the connection is gone).
    void close();

  private:
    std::uint64_t connection_;
    std::shared_ptr<ServiceWaker> waker_;
    std::size_t maxQueuedBytes_;
    mutable std::mutex mutex_;
    std::deque<std::string> queue_;
    std::size_t queuedBytes_ = 0;
    bool overflowed_ = false;
    bool sealed_ = false;
};

}  // namespace taplink::api
