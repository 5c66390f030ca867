#include "http_clients.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "taplink/base/unix_socket.hpp"

namespace taplink::servertest {

namespace {

struct CurlFree {
    void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
struct SlistFree {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlPtr = std::unique_ptr<CURL, CurlFree>;
using SlistPtr = std::unique_ptr<curl_slist, SlistFree>;

extern "C" size_t appendBody(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

// "Name: value\r\n" into the answer's headers, the name in lower case.
extern "C" size_t keepHeader(char* data, size_t size, size_t count, void* user) {
    const std::string line(data, size * count);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        const std::size_t first = line.find_first_not_of(' ', colon + 1);
        const std::size_t last = line.find_last_not_of("\r\n");
        std::string value =
            first == std::string::npos || last < first ? "" : line.substr(first, last - first + 1);
        static_cast<Answer*>(user)->headers.emplace_back(std::move(name), std::move(value));
    }
    return size * count;
}

constexpr long kTimeoutSeconds = 20;

SlistPtr headerList(const std::vector<std::string>& headers) {
    curl_slist* list = nullptr;
    for (const std::string& header : headers) {
        list = curl_slist_append(list, header.c_str());
    }
    return SlistPtr(list);
}

Answer run(CURL* curl, const std::string& method, const std::optional<std::string>& body,
           const std::vector<std::string>& headers) {
    Answer answer;
    const SlistPtr list = headerList(headers);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keepHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, kTimeoutSeconds);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    answer.code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    return answer;
}

void requireCurl(const CurlPtr& curl) {
    if (!curl) {
        throw std::runtime_error("curl_easy_init failed");
    }
}

}  // namespace

nlohmann::json Answer::json() const {
    return nlohmann::json::parse(body, nullptr, false);
}

std::optional<std::string> Answer::header(const std::string& lowerCaseName) const {
    for (const auto& [name, value] : headers) {
        if (name == lowerCaseName) {
            return value;
        }
    }
    return std::nullopt;
}

std::string Answer::errorCode() const {
    const nlohmann::json parsed = json();
    if (!parsed.is_object() || !parsed.contains("error") || !parsed["error"].is_object() ||
        !parsed["error"].contains("code") || !parsed["error"]["code"].is_string()) {
        return {};
    }
    return parsed["error"]["code"].get<std::string>();
}

DeviceClient::DeviceClient(std::string baseUrl, TlsClientOptions options)
    : baseUrl_(std::move(baseUrl)), options_(std::move(options)) {}

Answer DeviceClient::get(const std::string& path, const std::vector<std::string>& headers) const {
    return perform("GET", path, std::nullopt, headers);
}

Answer DeviceClient::post(const std::string& path, const std::string& body,
                          const std::vector<std::string>& headers) const {
    return perform("POST", path, body, headers);
}

Answer DeviceClient::perform(const std::string& method, const std::string& path,
                             const std::optional<std::string>& body,
                             const std::vector<std::string>& headers) const {
    const CurlPtr curl(curl_easy_init());
    requireCurl(curl);
    const std::string url = baseUrl_ + path;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, options_.caFile.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.certificateFile.empty()) {
        curl_easy_setopt(curl.get(), CURLOPT_SSLCERT, options_.certificateFile.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_SSLKEY, options_.keyFile.c_str());
    }
    curl_easy_setopt(curl.get(), CURLOPT_SSLVERSION,
                     options_.tls12Only ? static_cast<long>(CURL_SSLVERSION_TLSv1_2) |
                                              (static_cast<long>(CURL_SSLVERSION_TLSv1_2)
                                               << 16)  // CURL_SSLVERSION_MAX_TLSv1_2
                                        : static_cast<long>(CURL_SSLVERSION_TLSv1_3));
    return run(curl.get(), method, body, headers);
}

Answer adminRequest(const std::string& socketPath, const std::string& method,
                    const std::string& path, const nlohmann::json& body) {
    const CurlPtr curl(curl_easy_init());
    requireCurl(curl);
    const std::string url = "http://localhost" + path;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, socketPath.c_str());
    std::optional<std::string> content;
    std::vector<std::string> headers;
    if (!body.is_null()) {
        content = body.dump();
        headers.emplace_back("Content-Type: application/json");
    }
    return run(curl.get(), method, content, headers);
}

std::string rawUnixExchange(const std::string& socketPath, const std::string& bytes) {
    const UniqueFd fd = connectUnix(socketPath);
    writeAll(fd.get(), bytes);
    ::shutdown(fd.get(), SHUT_WR);
    std::string answer;
    std::array<char, 4096> chunk{};
    for (ssize_t n; (n = ::recv(fd.get(), chunk.data(), chunk.size(), 0)) > 0;) {
        answer.append(chunk.data(), static_cast<std::size_t>(n));
    }
    return answer;
}

std::string rawTlsExchange(std::uint16_t port, const TlsClientOptions& options,
                           const std::string& bytes) {
    using SslCtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
    using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;
    const SslCtxPtr context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
    SSL_CTX_set_min_proto_version(context.get(), TLS1_3_VERSION);
    SSL_CTX_load_verify_locations(context.get(), options.caFile.c_str(), nullptr);
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    SSL_CTX_use_certificate_file(context.get(), options.certificateFile.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(context.get(), options.keyFile.c_str(), SSL_FILETYPE_PEM);

    const UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{kTimeoutSeconds, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        return {};
    }
    const SslPtr ssl(SSL_new(context.get()), &SSL_free);
    SSL_set_fd(ssl.get(), fd.get());
    SSL_set_tlsext_host_name(ssl.get(), "localhost");
    std::string answer;
    if (SSL_connect(ssl.get()) == 1 &&
        SSL_write(ssl.get(), bytes.data(), static_cast<int>(bytes.size())) > 0) {
        std::array<char, 4096> chunk{};
        for (int n; (n = SSL_read(ssl.get(), chunk.data(), static_cast<int>(chunk.size()))) > 0;) {
            answer.append(chunk.data(), static_cast<std::size_t>(n));
        }
    }
    ERR_clear_error();
    return answer;
}

}  // namespace taplink::servertest
