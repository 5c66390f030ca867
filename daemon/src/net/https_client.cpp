#include "net/https_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <thread>
#include <utility>

namespace taplink::net {

namespace {

constexpr std::size_t kMaxResponseBytes = 1U << 20U;  // no server answer of ours comes close
constexpr const char* kUserAgent = "taplinkd/0.1";

std::string_view describe(NetErrorKind kind) {
    switch (kind) {
        case NetErrorKind::Unreachable:
            return "the server cannot be reached";
        case NetErrorKind::Timeout:
            return "the server did not answer in time";
        case NetErrorKind::ConnectionLost:
            return "the connection to the server broke";
        case NetErrorKind::TlsHandshake:
            return "the TLS handshake failed";
        case NetErrorKind::ServerNotTrusted:
            return "the server's certificate is not trusted";
        case NetErrorKind::PinMismatch:
            return "the server's key is not the pinned one";
        case NetErrorKind::ServerError:
            return "the server failed";
        case NetErrorKind::Protocol:
            return "the server's answer is not usable";
        case NetErrorKind::AnswerNotSigned:
            return "the server's answer is not signed by its pinned allowance key";
        case NetErrorKind::Configuration:
            return "the HTTPS client is misconfigured";
    }
    return "network error";
}

// The one mapping from libcurl's result codes to NetErrorKind. A TLS alert from the server
// (it refused our certificate) arrives in TLS 1.3 on the first read, after the handshake
// looked complete to us: curl then reports a receive error whose text names the alert.
NetErrorKind classify(CURLcode code, std::string_view detail) {
    switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return NetErrorKind::Unreachable;
        case CURLE_OPERATION_TIMEDOUT:
            return NetErrorKind::Timeout;
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return NetErrorKind::PinMismatch;
        case CURLE_PEER_FAILED_VERIFICATION:
            return NetErrorKind::ServerNotTrusted;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ENGINE_INITFAILED:
            return NetErrorKind::TlsHandshake;
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_BAD_FUNCTION_ARGUMENT:
            return NetErrorKind::Configuration;
        case CURLE_WRITE_ERROR:
        case CURLE_WEIRD_SERVER_REPLY:
            return NetErrorKind::Protocol;
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
            return detail.find("alert") != std::string_view::npos ? NetErrorKind::TlsHandshake
                                                                  : NetErrorKind::ConnectionLost;
        default:
            return NetErrorKind::ConnectionLost;
    }
}

constexpr std::size_t kMaxTapLinkHeaders = 8;
constexpr std::string_view kTapLinkHeaderPrefix = "taplink-";

// One header line of the answer into HttpResponse::headers when it is a TapLink-* field. An
// interim answer's fields (a proxy's CONNECT, 100 Continue) go with its status line.
size_t keepTapLinkHeader(char* data, size_t size, size_t count, void* userdata) noexcept {
    auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(userdata);
    const size_t bytes = size * count;
    try {
        const std::string_view line(data, bytes);
        if (line.rfind("HTTP/", 0) == 0) {
            headers->clear();
            return bytes;
        }
        const std::size_t colon = line.find(':');
        std::string name(line.substr(0, colon == std::string_view::npos ? 0 : colon));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (name.rfind(kTapLinkHeaderPrefix, 0) != 0) {
            return bytes;
        }
        if (headers->size() >= kMaxTapLinkHeaders) {
            return 0;  // libcurl stops with CURLE_WRITE_ERROR
        }
        std::string_view value = line.substr(colon + 1);
        const std::size_t first = value.find_first_not_of(" \t");
        const std::size_t last = value.find_last_not_of(" \t\r\n");
        value = first == std::string_view::npos ? std::string_view()
                                                : value.substr(first, last - first + 1);
        headers->emplace_back(std::move(name), std::string(value));
    } catch (...) {
        return 0;
    }
    return bytes;
}

size_t appendBody(char* data, size_t size, size_t count, void* userdata) noexcept {
    auto* body = static_cast<std::string*>(userdata);
    const size_t bytes = size * count;
    if (body->size() + bytes > kMaxResponseBytes) {
        return 0;  // libcurl stops with CURLE_WRITE_ERROR
    }
    try {
        body->append(data, bytes);
    } catch (...) {
        return 0;
    }
    return bytes;
}

// Puts the device certificate, its chain and the (chip-backed) key into the SSL_CTX libcurl
// made for this connection. A C callback: nothing may be thrown out of it.
CURLcode installIdentity(CURL* /*curl*/, void* sslCtx, void* userdata) noexcept {
    const auto* identity = static_cast<const ClientIdentity*>(userdata);
    auto* ctx = static_cast<SSL_CTX*>(sslCtx);
    if (SSL_CTX_use_certificate(ctx, identity->certificate.get()) != 1) {
        return CURLE_SSL_CERTPROBLEM;
    }
    for (const auto& certificate : identity->chain) {
        if (SSL_CTX_add1_chain_cert(ctx, certificate.get()) != 1) {
            return CURLE_SSL_CERTPROBLEM;
        }
    }
    if (SSL_CTX_use_PrivateKey(ctx, identity->key.get()) != 1) {
        return CURLE_SSL_CERTPROBLEM;
    }
    return CURLE_OK;
}

void setOption(CURLcode result, const char* option) {
    if (result != CURLE_OK) {
        throw NetError(NetErrorKind::Configuration, std::string("libcurl: cannot set ") + option +
                                                        ": " + curl_easy_strerror(result));
    }
}

void sleepFor(std::chrono::milliseconds duration) {
    std::this_thread::sleep_for(duration);
}

}  // namespace

std::string_view toString(NetErrorKind kind) {
    switch (kind) {
        case NetErrorKind::Unreachable:
            return "unreachable";
        case NetErrorKind::Timeout:
            return "timeout";
        case NetErrorKind::ConnectionLost:
            return "connection_lost";
        case NetErrorKind::TlsHandshake:
            return "tls_handshake";
        case NetErrorKind::ServerNotTrusted:
            return "server_not_trusted";
        case NetErrorKind::PinMismatch:
            return "pin_mismatch";
        case NetErrorKind::ServerError:
            return "server_error";
        case NetErrorKind::Protocol:
            return "protocol";
        case NetErrorKind::AnswerNotSigned:
            return "answer_not_signed";
        case NetErrorKind::Configuration:
            return "configuration";
    }
    return "unknown";
}

bool isRetriable(NetErrorKind kind) {
    return kind == NetErrorKind::Unreachable || kind == NetErrorKind::Timeout ||
           kind == NetErrorKind::ConnectionLost || kind == NetErrorKind::ServerError;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    const auto sameName = [name](const std::string& kept) {
        return std::equal(
            kept.begin(), kept.end(), name.begin(), name.end(),
            [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
    };
    for (const auto& [kept, value] : headers) {
        if (sameName(kept)) {
            return value;
        }
    }
    return std::nullopt;
}

HttpsClient::HttpsClient(HttpsSettings settings, std::shared_ptr<const ClientIdentity> identity)
    : settings_(std::move(settings)), identity_(std::move(identity)), sleeper_(sleepFor) {
    if (settings_.baseUrl.rfind("https://", 0) != 0) {
        throw NetError(NetErrorKind::Configuration,
                       "server URL must start with https://: '" + settings_.baseUrl + "'");
    }
    if (settings_.caFile.empty() || settings_.pinnedSpkiSha256.empty()) {
        throw NetError(NetErrorKind::Configuration,
                       "the server's CA file and SPKI SHA-256 pin are both required");
    }
    if (!identity_ || !identity_->certificate || !identity_->key) {
        throw NetError(NetErrorKind::Configuration, "no device certificate and key for mutual TLS");
    }
    curl_ = makeCurl();
}

HttpsClient::~HttpsClient() = default;

void HttpsClient::setSleeper(std::function<void(std::chrono::milliseconds)> sleeper) {
    sleeper_ = std::move(sleeper);
}

HttpResponse HttpsClient::get(const std::string& path) {
    return perform(path, nullptr);
}

HttpResponse HttpsClient::postJson(const std::string& path, const std::string& body) {
    return perform(path, &body);
}

HttpResponse HttpsClient::perform(const std::string& path, const std::string* postBody) {
    const std::lock_guard lock(mutex_);
    const int attempts = std::max(1, settings_.retry.maxAttempts);
    for (int attempt = 1;; ++attempt) {
        try {
            HttpResponse response = this->attempt(path, postBody);
            if (response.status >= 500) {
                throw NetError(NetErrorKind::ServerError,
                               settings_.baseUrl + path + ": the server failed (HTTP " +
                                   std::to_string(response.status) + ")",
                               response.status);
            }
            return response;
        } catch (const NetError& error) {
            if (!error.retriable() || attempt >= attempts) {
                throw;
            }
        }
        sleeper_(settings_.retry.backoffBefore(attempt + 1));
    }
}

HttpResponse HttpsClient::attempt(const std::string& path, const std::string* postBody) {
    HttpResponse response;
    std::array<char, CURL_ERROR_SIZE> errorBuffer{};
    CurlSlistPtr headers;
    appendHeader(headers, "Accept: application/json");
    if (postBody != nullptr) {
        appendHeader(headers, "Content-Type: application/json");
    }
    configureHandle(path, postBody, response, errorBuffer.data());
    setOption(curl_easy_setopt(curl_.get(), CURLOPT_HTTPHEADER, headers.get()), "HTTPHEADER");

    const CURLcode result = curl_easy_perform(curl_.get());
    if (result != CURLE_OK) {
        const std::string detail =
            errorBuffer[0] != '\0' ? errorBuffer.data() : curl_easy_strerror(result);
        const NetErrorKind kind = classify(result, detail);
        throw NetError(kind, settings_.baseUrl + path + ": " + std::string(describe(kind)) + " (" +
                                 detail + ")");
    }
    curl_easy_getinfo(curl_.get(), CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

void HttpsClient::configureHandle(const std::string& path, const std::string* postBody,
                                  HttpResponse& response, char* errorBuffer) {
    CURL* curl = curl_.get();
    curl_easy_reset(curl);  // keeps the open connection and the TLS session cache
    const std::string url = settings_.baseUrl + path;
    setOption(curl_easy_setopt(curl, CURLOPT_URL, url.c_str()), "URL");
    setOption(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https"), "PROTOCOLS_STR");
    setOption(curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L), "FOLLOWLOCATION");
    setOption(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L), "NOSIGNAL");
    setOption(curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER");
    setOption(curl_easy_setopt(curl, CURLOPT_USERAGENT, kUserAgent), "USERAGENT");
    setOption(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody), "WRITEFUNCTION");
    setOption(curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body), "WRITEDATA");
    setOption(curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keepTapLinkHeader), "HEADERFUNCTION");
    setOption(curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers), "HEADERDATA");
    setOption(curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                               static_cast<long>(settings_.connectTimeout.count())),
              "CONNECTTIMEOUT_MS");
    setOption(curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                               static_cast<long>(settings_.requestTimeout.count())),
              "TIMEOUT_MS");

    // Trust: TLS 1.3 only, the chain against our CA file alone (not the system store), the
    // host name, and the pinned key on top.
    setOption(
        curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_3)),
        "SSLVERSION");
    setOption(curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.caFile.c_str()), "CAINFO");
    setOption(curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr), "CAPATH");
    setOption(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L), "SSL_VERIFYPEER");
    setOption(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L), "SSL_VERIFYHOST");
    const std::string pin = "sha256//" + settings_.pinnedSpkiSha256;
    setOption(curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, pin.c_str()), "PINNEDPUBLICKEY");
    setOption(curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, installIdentity),
              "SSL_CTX_FUNCTION");
    setOption(curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA,
                               const_cast<ClientIdentity*>(identity_.get())),  // NOLINT
              "SSL_CTX_DATA");

    switch (settings_.proxy.mode) {
        case ProxySettings::Mode::Environment:
            break;  // libcurl reads https_proxy, all_proxy and no_proxy itself
        case ProxySettings::Mode::Direct:
            setOption(curl_easy_setopt(curl, CURLOPT_PROXY, ""), "PROXY");
            break;
        case ProxySettings::Mode::Explicit:
            setOption(curl_easy_setopt(curl, CURLOPT_PROXY, settings_.proxy.url.c_str()), "PROXY");
            setOption(curl_easy_setopt(curl, CURLOPT_NOPROXY, settings_.proxy.noProxy.c_str()),
                      "NOPROXY");
            break;
    }

    if (postBody != nullptr) {
        setOption(curl_easy_setopt(curl, CURLOPT_POSTFIELDS, postBody->data()), "POSTFIELDS");
        setOption(curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                                   static_cast<curl_off_t>(postBody->size())),
                  "POSTFIELDSIZE");
    }
}

}  // namespace taplink::net
