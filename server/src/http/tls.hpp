// The server's TLS. Devices: TLS 1.3 only, the server certificate chain, and client
// certificates required and verified against the device CA (the only trust anchor) for TLS
// client use. Browsers (the merchant listener): the same certificate, TLS 1.2 or 1.3 with
// forward-secret AEAD suites only, no client certificate.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "http/byte_stream.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::server::http {

using SslCtxPtr = crypto::OpenSslPtr<SSL_CTX, &SSL_CTX_free>;
using SslPtr = crypto::OpenSslPtr<SSL, &SSL_free>;

// A TLS file that cannot be used, or an OpenSSL failure setting up the context.
class TlsSetupError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct TlsFiles {
    std::string certificateChain;  // PEM: the server certificate, then its CA
    std::string privateKey;        // PEM
    std::string deviceCa;          // PEM: the CA that issues device certificates
};

// Throws TlsSetupError naming the file and OpenSSL's reason.
SslCtxPtr makeServerContext(const TlsFiles& files);
// For browsers: deviceCa is not used. Throws TlsSetupError.
SslCtxPtr makeBrowserContext(const TlsFiles& files);

// A TLS session on an accepted socket, after a completed handshake. Does not own the socket.
class TlsStream : public ByteStream {
  public:
    // The handshake, with the socket's own timeouts. nullptr when it fails (wrong protocol
    // version, no or an unverifiable client certificate, the peer gone); failure says why.
    static std::unique_ptr<TlsStream> accept(SSL_CTX* context, int fd, std::string& failure);

    explicit TlsStream(SslPtr ssl) : ssl_(std::move(ssl)) {}
    ~TlsStream() override;
    std::size_t readSome(char* buffer, std::size_t size) override;
    bool writeAll(std::string_view bytes) override;

    // The verified client certificate (owned by the session).
    X509* peerCertificate() const;

  private:
    SslPtr ssl_;
};

}  // namespace taplink::server::http
