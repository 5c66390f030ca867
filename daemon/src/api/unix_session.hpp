// The Unix-socket side of a Session: messages for the peer are queued here by any thread and
// written by the server's I/O thread, which a Waker (an eventfd) tells that there is work.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "api/session.hpp"
#include "taplink/base/unique_fd.hpp"

namespace taplink::api {

// Wakes the server's poll(). Shared with the sessions, so a late send is harmless.
class Waker {
  public:
    Waker();  // throws TransportError
    void wake() const;
    void drain() const;
    int fd() const { return fd_.get(); }

  private:
    UniqueFd fd_;
};

class UnixSession final : public Session {
  public:
    UnixSession(Peer peer, std::shared_ptr<const Waker> waker, std::size_t maxQueued)
        : Session(std::move(peer)), waker_(std::move(waker)), maxQueued_(maxQueued) {}

    void send(const nlohmann::json& message) override;

    // What is queued, for the I/O thread to write.
    std::string takeQueued();
    // True once the peer fell more than maxQueued bytes behind: it must be dropped.
    bool overflowed() const;
    // From now on messages are dropped.
    void close();

  private:
    std::shared_ptr<const Waker> waker_;
    std::size_t maxQueued_;
    mutable std::mutex mutex_;
    std::string queued_;
    bool overflowed_ = false;
    bool closed_ = false;
};

}  // namespace taplink::api
