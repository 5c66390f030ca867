// Reads HTTP/1.1 requests off a connection (RFC 9112), one after another (keep-alive), with
// hard limits: the request line and headers together at most 16 KiB, bodies only with
// Content-Length and at most 64 KiB. Chunked bodies are refused (411) rather than parsed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "http/byte_stream.hpp"
#include "http/http_message.hpp"

namespace taplink::server::http {

struct Limits {
    std::size_t maxHeaderBytes = std::size_t{16} * 1024;  // request line + headers + CRLFs
    std::size_t maxBodyBytes = std::size_t{64} * 1024;
};

class RequestReader {
  public:
    RequestReader(ByteStream& stream, Limits limits) : stream_(stream), limits_(limits) {}

    // The next request. nullopt when the connection ended (or timed out) before a request
    // began. HttpError for a malformed, oversize or unsupported request, or one cut short:
    // the caller answers it and closes the connection. Answers "Expect: 100-continue" itself.
    std::optional<Request> next();

  private:
    // Reads more into the buffer; false when nothing more comes.
    bool fill();
    void readBody(Request& request, std::size_t length);

    ByteStream& stream_;
    Limits limits_;
    std::string buffer_;
};

}  // namespace taplink::server::http
