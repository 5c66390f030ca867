// Failures of the Unix-socket transport itself (not of a method).
#pragma once

#include <stdexcept>
#include <string>

namespace taplink::api {

// The server could not set up its socket (already running, unsafe folder, ...), or a client's
// connection broke (the daemon went away mid-call, a malformed or oversized reply).
class TransportError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A client found no daemon at the socket path.
class DaemonUnavailable : public TransportError {
  public:
    enum class Reason {
        NoSocket,          // nothing at the path: taplinkd is not running
        Refused,           // a socket file nobody listens on (taplinkd died)
        PermissionDenied,  // the socket belongs to someone else
        Other,
    };

    DaemonUnavailable(Reason reason, std::string path, const std::string& what)
        : TransportError(what), reason_(reason), path_(std::move(path)) {}

    Reason reason() const { return reason_; }
    const std::string& path() const { return path_; }

  private:
    Reason reason_;
    std::string path_;
};

}  // namespace taplink::api
