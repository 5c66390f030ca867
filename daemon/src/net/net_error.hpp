// Typed errors of the HTTPS client. libcurl's CURLcode values are mapped to a NetErrorKind
// in one place (https_client.cpp) and nowhere else.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace taplink::net {

enum class NetErrorKind {
    Unreachable,       // no connection: refused, no route, name not resolved, proxy down
    Timeout,           // connect or whole-request time limit
    ConnectionLost,    // the connection broke after it was made (reset, empty reply)
    TlsHandshake,      // TLS failed: protocol version, our client key or certificate
    ServerNotTrusted,  // the server's chain does not verify, or its name does not match
    PinMismatch,       // the server's key is not the pinned one
    ServerError,       // the server answered 5xx
    Protocol,          // a malformed answer, or a request we could not build
    AnswerNotSigned,   // a money answer without a valid signature by a pinned allowance key
    Configuration,     // a missing CA file, pin or certificate, a bad URL or proxy
};

std::string_view toString(NetErrorKind kind);

// Retriable: the same request may work a moment later (network, 5xx). Fatal: trust and
// configuration problems, which retrying cannot fix and must not paper over.
bool isRetriable(NetErrorKind kind);

class NetError : public std::runtime_error {
  public:
    NetError(NetErrorKind kind, const std::string& message, long httpStatus = 0)
        : std::runtime_error(message), kind_(kind), httpStatus_(httpStatus) {}

    NetErrorKind kind() const { return kind_; }
    bool retriable() const { return isRetriable(kind_); }
    long httpStatus() const { return httpStatus_; }  // for ServerError, else 0

  private:
    NetErrorKind kind_;
    long httpStatus_;
};

}  // namespace taplink::net
