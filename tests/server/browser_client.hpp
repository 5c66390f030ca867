// What a browser does on the merchant listener, done with libcurl: HTTPS that verifies the
// server against the PKI's root CA and shows no client certificate, with the path sent
// exactly as given (no "../" folding, no re-encoding), and the answer's headers kept.
#pragma once

#include <curl/curl.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace taplink::servertest {

struct PageAnswer {
    CURLcode code = CURLE_OK;  // not CURLE_OK: no HTTP answer (refused handshake, ...)
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // names in lower case, the last of each
    std::string tlsName;                         // the negotiated protocol: "TLSv1.3", "TLSv1.2"

    std::string header(const std::string& lowerCaseName) const;
    nlohmann::json json() const;
    std::string errorCode() const;
};

struct PageRequest {
    std::string method = "GET";
    std::string path = "/";  // sent as it is
    std::optional<std::string> body;
    std::vector<std::string> headers;
};

class BrowserClient {
  public:
    // baseUrl: "https://localhost:PORT". tls12Only offers TLS 1.2 and nothing else.
    BrowserClient(std::string baseUrl, std::string caFile, bool tls12Only = false);

    PageAnswer send(const PageRequest& request) const;
    PageAnswer get(const std::string& path) const { return send(PageRequest{"GET", path, {}, {}}); }
    PageAnswer postJson(const std::string& path, const std::string& body) const {
        return send(PageRequest{"POST", path, body, {"Content-Type: application/json"}});
    }

  private:
    std::string baseUrl_;
    std::string caFile_;
    bool tls12Only_;
};

}  // namespace taplink::servertest
