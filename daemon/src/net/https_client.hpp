// The daemon's HTTPS client for the top-up server: TLS 1.3 only, the server's chain
// verified against the configured CA *and* its key pinned (SPKI SHA-256), the client
// authenticated with the device certificate whose private key is the secure chip's (an
// EVP_PKEY whose signing goes to the chip, chip/device_key.hpp). Proxy settings are
// honoured; every request has connect and total time limits; retriable failures are retried
// with backoff (every request the daemon makes is idempotent at the server).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/curl_handles.hpp"
#include "net/net_error.hpp"
#include "net/retry_policy.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::net {

// Who we are to the server: the device certificate (and any intermediate CAs to send) and
// the key that signs for it. The key may be backed by the chip.
struct ClientIdentity {
    crypto::X509Ptr certificate;
    std::vector<crypto::X509Ptr> chain;
    crypto::PkeyPtr key;
};

struct ProxySettings {
    enum class Mode { Environment, Direct, Explicit };
    Mode mode = Mode::Environment;  // Environment: libcurl reads https_proxy / no_proxy
    std::string url;                // Explicit: e.g. http://proxy.example:3128
    std::string noProxy;            // Explicit: hosts that bypass it (libcurl syntax)
};

struct HttpsSettings {
    std::string baseUrl;           // https://host:port, no trailing slash
    std::string caFile;            // PEM trust anchors for the server's chain
    std::string pinnedSpkiSha256;  // base64 SHA-256 of the server key's SubjectPublicKeyInfo
    ProxySettings proxy;
    std::chrono::milliseconds connectTimeout{5000};
    std::chrono::milliseconds requestTimeout{20000};
    RetryPolicy retry;
};

struct HttpResponse {
    long status = 0;
    std::string body;
    // The server's own header fields (TapLink-*, wire/signed_answer.hpp), names in lower case;
    // no other header is kept.
    std::vector<std::pair<std::string, std::string>> headers;

    // The first field of that name, in any case; nullopt when there is none.
    std::optional<std::string> header(std::string_view name) const;
};

class HttpsClient {
  public:
    // NetError(Configuration) for an https-less URL, a missing CA file or pin, or an
    // identity without certificate or key.
    HttpsClient(HttpsSettings settings, std::shared_ptr<const ClientIdentity> identity);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    // A request to baseUrl + path. Answers with any status below 500 are returned as they
    // are (the caller reads the error body of a 4xx); 5xx and transport failures are retried
    // by the policy and then thrown as NetError. `sleep` waits between attempts (tests
    // inject one that records; the default really sleeps).
    HttpResponse get(const std::string& path);
    HttpResponse postJson(const std::string& path, const std::string& body);

    // Waits between attempts; replaced by tests.
    void setSleeper(std::function<void(std::chrono::milliseconds)> sleeper);

    const HttpsSettings& settings() const { return settings_; }

  private:
    HttpResponse perform(const std::string& path, const std::string* postBody);
    HttpResponse attempt(const std::string& path, const std::string* postBody);
    void configureHandle(const std::string& path, const std::string* postBody,
                         HttpResponse& response, char* errorBuffer);

    HttpsSettings settings_;
    std::shared_ptr<const ClientIdentity> identity_;
    std::function<void(std::chrono::milliseconds)> sleeper_;
    std::mutex mutex_;  // one request at a time on the kept-alive connection
    CurlPtr curl_;
};

}  // namespace taplink::net
