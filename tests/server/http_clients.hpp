// Clients for the server tests: libcurl for the device API (mutual TLS, as the daemon talks
// to the server) and the admin API (plain HTTP over the Unix socket), and a raw TLS client
// for bytes that are not HTTP at all.
#pragma once

#include <curl/curl.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace taplink::servertest {

struct Answer {
    CURLcode code = CURLE_OK;  // not CURLE_OK: no HTTP answer (refused handshake, ...)
    long status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case

    nlohmann::json json() const;
    // The first header field of that lower-case name; nullopt when there is none.
    std::optional<std::string> header(const std::string& lowerCaseName) const;
    // The "error"."code" of an error body; empty when there is none.
    std::string errorCode() const;
};

struct TlsClientOptions {
    std::string caFile;           // trust anchor for the server certificate
    std::string certificateFile;  // the device certificate; empty: none
    std::string keyFile;
    bool tls12Only = false;  // offer only TLS 1.2
};

class DeviceClient {
  public:
    DeviceClient(std::string baseUrl, TlsClientOptions options);

    Answer get(const std::string& path, const std::vector<std::string>& headers = {}) const;
    Answer post(const std::string& path, const std::string& body,
                const std::vector<std::string>& headers = {"Content-Type: application/json"}) const;
    Answer postJson(const std::string& path, const nlohmann::json& body) const {
        return post(path, body.dump());
    }

  private:
    Answer perform(const std::string& method, const std::string& path,
                   const std::optional<std::string>& body,
                   const std::vector<std::string>& headers) const;

    std::string baseUrl_;
    TlsClientOptions options_;
};

// One request on the admin socket.
Answer adminRequest(const std::string& socketPath, const std::string& method,
                    const std::string& path, const nlohmann::json& body = nullptr);

// Sends raw bytes over the admin Unix socket and returns everything the server answers
// until it closes the connection.
std::string rawUnixExchange(const std::string& socketPath, const std::string& bytes);

// The same over TLS 1.3 with a device certificate; empty when the handshake fails.
std::string rawTlsExchange(std::uint16_t port, const TlsClientOptions& options,
                           const std::string& bytes);

}  // namespace taplink::servertest
