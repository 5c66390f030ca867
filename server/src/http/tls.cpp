#include "http/tls.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <climits>
#include <utility>

namespace taplink::server::http {

namespace {

// Device CA -> device certificate: the device CA is the trust anchor itself.
constexpr int kVerifyDepth = 2;

constexpr const char* kBrowserTls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL";

// Drains OpenSSL's error queue into words.
std::string openSslReasons() {
    std::string reasons;
    for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) {
        std::array<char, 256> text{};
        ERR_error_string_n(code, text.data(), text.size());
        reasons += reasons.empty() ? "" : "; ";
        reasons += text.data();
    }
    return reasons.empty() ? "no reason given" : reasons;
}

void check(long result, const std::string& what) {
    if (result <= 0) {
        throw TlsSetupError(what + " failed: " + openSslReasons());
    }
}

// Trust only the device CA, although it is not self-signed (partial chain), and only for
// TLS client authentication.
void requireDeviceCertificates(SSL_CTX* context, const std::string& deviceCa) {
    check(SSL_CTX_load_verify_locations(context, deviceCa.c_str(), nullptr),
          "loading the device CA " + deviceCa);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(deviceCa.c_str());
    if (names == nullptr) {
        throw TlsSetupError("reading the device CA name from " + deviceCa + ": " +
                            openSslReasons());
    }
    SSL_CTX_set_client_CA_list(context, names);  // takes ownership
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(context);
    check(X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN),
          "setting the verification flags");
    check(X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT),
          "setting the client purpose");
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    SSL_CTX_set_verify_depth(context, kVerifyDepth);
}

// The server certificate chain and key, and the protocol versions from minimum to 1.3.
SslCtxPtr contextWithIdentity(const TlsFiles& files, int minimumVersion) {
    SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
    if (!context) {
        throw TlsSetupError("SSL_CTX_new failed: " + openSslReasons());
    }
    check(SSL_CTX_set_min_proto_version(context.get(), minimumVersion), "TLS minimum version");
    check(SSL_CTX_set_max_proto_version(context.get(), TLS1_3_VERSION), "TLS 1.3 maximum");
    check(SSL_CTX_use_certificate_chain_file(context.get(), files.certificateChain.c_str()),
          "loading the certificate chain " + files.certificateChain);
    check(SSL_CTX_use_PrivateKey_file(context.get(), files.privateKey.c_str(), SSL_FILETYPE_PEM),
          "loading the private key " + files.privateKey);
    check(SSL_CTX_check_private_key(context.get()),
          "matching " + files.privateKey + " to " + files.certificateChain);
    return context;
}

constexpr std::chrono::milliseconds kLingerAfterRefusal{1000};
constexpr int kLingerPollMs = 100;

// A refused handshake (e.g. an unknown client certificate): in TLS 1.3 the client has sent its
// request by the time our alert leaves. Closing with that request unread makes the kernel send
// a RST, which can destroy the alert before the client reads it, so the client would see only
// a broken connection. Stop writing, read and drop what still comes for a moment, then close
// (a lingering close, as web servers do).
void lingerBeforeClose(int fd) {
    ::shutdown(fd, SHUT_WR);
    std::array<char, 4096> sink{};
    const auto deadline = std::chrono::steady_clock::now() + kLingerAfterRefusal;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, kLingerPollMs) > 0 && ::read(fd, sink.data(), sink.size()) <= 0) {
            return;  // the client closed (or the connection is gone)
        }
    }
}

}  // namespace

SslCtxPtr makeServerContext(const TlsFiles& files) {
    SslCtxPtr context = contextWithIdentity(files, TLS1_3_VERSION);
    requireDeviceCertificates(context.get(), files.deviceCa);
    // No session tickets or resumption: every connection shows its certificate afresh.
    SSL_CTX_set_session_cache_mode(context.get(), SSL_SESS_CACHE_OFF);
    check(SSL_CTX_set_num_tickets(context.get(), 0), "disabling session tickets");
    SSL_CTX_set_options(context.get(), SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
    return context;
}

SslCtxPtr makeBrowserContext(const TlsFiles& files) {
    SslCtxPtr context = contextWithIdentity(files, TLS1_2_VERSION);
    // TLS 1.2: ECDHE key exchange and AEAD ciphers only (TLS 1.3's suites are all such).
    check(SSL_CTX_set_cipher_list(context.get(), kBrowserTls12Ciphers), "TLS 1.2 cipher list");
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_options(context.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    return context;
}

std::unique_ptr<TlsStream> TlsStream::accept(SSL_CTX* context, int fd, std::string& failure) {
    SslPtr ssl(SSL_new(context));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
        failure = "SSL_new: " + openSslReasons();
        return nullptr;
    }
    if (SSL_accept(ssl.get()) != 1) {
        const long verify = SSL_get_verify_result(ssl.get());
        failure = openSslReasons();
        if (verify != X509_V_OK) {
            failure +=
                " (client certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
        }
        lingerBeforeClose(fd);
        return nullptr;
    }
    ERR_clear_error();
    return std::make_unique<TlsStream>(std::move(ssl));
}

TlsStream::~TlsStream() {
    SSL_shutdown(ssl_.get());  // one close_notify; the peer's is not waited for
    ERR_clear_error();
}

std::size_t TlsStream::readSome(char* buffer, std::size_t size) {
    std::size_t read = 0;
    const int rc = SSL_read_ex(ssl_.get(), buffer, size, &read);
    if (rc != 1) {
        ERR_clear_error();
        return 0;
    }
    return read;
}

bool TlsStream::writeAll(std::string_view bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        std::size_t written = 0;
        if (SSL_write_ex(ssl_.get(), bytes.data() + sent, bytes.size() - sent, &written) != 1) {
            ERR_clear_error();
            return false;
        }
        sent += written;
    }
    return true;
}

X509* TlsStream::peerCertificate() const {
    return SSL_get0_peer_certificate(ssl_.get());
}

}  // namespace taplink::server::http
