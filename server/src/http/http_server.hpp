// A small HTTP/1.1 server: one thread per connection (up to a cap), keep-alive, read and
// write timeouts per connection. The same code serves the device API over TLS and the admin
// API over a Unix socket; a SessionFactory turns an accepted socket into a stream and says
// who is on the other end.
#pragma once

#include <openssl/x509.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "http/byte_stream.hpp"
#include "http/http_message.hpp"
#include "http/listeners.hpp"
#include "http/request_reader.hpp"

namespace taplink::server::http {

// Who sent a request.
struct Peer {
    X509* certificate = nullptr;  // the verified TLS client certificate (TLS only)
    std::optional<uid_t> uid;     // the peer process's user (Unix socket only)
};

struct Session {
    std::unique_ptr<ByteStream> stream;
    Peer peer;
};

// Must not throw (an exception becomes a 500 answer).
using Handler = std::function<Response(const Request&, const Peer&)>;
// nullopt refuses the connection (it is closed without an answer).
using SessionFactory = std::function<std::optional<Session>(int fd)>;

struct ServerOptions {
    Limits limits;
    std::size_t maxConnections = 64;     // more are closed at once
    std::chrono::seconds ioTimeout{10};  // per read and per write on a connection
    HeaderList headers;  // added to every answer, refusals included (security headers)
};

class HttpServer {
  public:
    HttpServer(UniqueFd listener, SessionFactory sessions, Handler handler,
               ServerOptions options = {});
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;
    ~HttpServer();

    // Serves until stopFd becomes readable, then ends every open connection and returns
    // when their threads have finished.
    void run(int stopFd);

  private:
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };

    void accept();
    void serve(UniqueFd fd) noexcept;
    void converse(Session& session);
    Response respond(const Request& request, const Peer& peer) noexcept;
    // The answer on the wire, with the server's own headers added.
    std::string wireForm(Response response, bool keepAlive) const;
    void reapFinished();
    void stopAll();

    UniqueFd listener_;
    SessionFactory sessions_;
    Handler handler_;
    ServerOptions options_;
    std::mutex mutex_;
    std::set<int> open_;  // sockets of live connections, to shut down on stop
    std::list<Worker> workers_;
};

// Sessions for the admin socket: plain HTTP, only for peers running as this user.
SessionFactory ownerOnlySessions();

}  // namespace taplink::server::http
