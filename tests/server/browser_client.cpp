#include "browser_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

namespace taplink::servertest {

namespace {

struct CurlFree {
    void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
struct SlistFree {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

constexpr long kTimeoutSeconds = 20;

extern "C" size_t collectBody(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

// The TLS version the connection negotiated, from the OpenSSL session libcurl uses (only
// to be had while the transfer runs).
std::string negotiatedTls(CURL* curl) {
    curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == nullptr ||
        info->backend != CURLSSLBACKEND_OPENSSL || info->internals == nullptr) {
        return {};
    }
    return SSL_get_version(static_cast<SSL*>(info->internals));
}

struct HeaderSink {
    CURL* curl;
    PageAnswer* answer;
};

// One header line "Name: value\r\n" into the map (the status line and the blank line have no
// colon and are skipped); the TLS version on the first line.
extern "C" size_t collectHeader(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<HeaderSink*>(user);
    if (sink->answer->tlsName.empty()) {
        sink->answer->tlsName = negotiatedTls(sink->curl);
    }
    const std::string line(data, size * count);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t\r\n") + 1);
        sink->answer->headers[name] = value;
    }
    return size * count;
}

}  // namespace

std::string PageAnswer::header(const std::string& lowerCaseName) const {
    const auto found = headers.find(lowerCaseName);
    return found == headers.end() ? std::string() : found->second;
}

nlohmann::json PageAnswer::json() const {
    return nlohmann::json::parse(body, nullptr, false);
}

std::string PageAnswer::errorCode() const {
    const nlohmann::json parsed = json();
    if (!parsed.is_object() || !parsed.contains("error") || !parsed["error"].is_object()) {
        return {};
    }
    return parsed["error"].value("code", "");
}

BrowserClient::BrowserClient(std::string baseUrl, std::string caFile, bool tls12Only)
    : baseUrl_(std::move(baseUrl)), caFile_(std::move(caFile)), tls12Only_(tls12Only) {}

PageAnswer BrowserClient::send(const PageRequest& request) const {
    const std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) {
        throw std::runtime_error("curl_easy_init failed");
    }
    curl_slist* list = nullptr;
    for (const std::string& header : request.headers) {
        list = curl_slist_append(list, header.c_str());
    }
    const std::unique_ptr<curl_slist, SlistFree> headerList(list);
    PageAnswer answer;
    const std::string url = baseUrl_ + request.path;
    CURL* handle = curl.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(handle, CURLOPT_CAINFO, caFile_.c_str());
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(handle, CURLOPT_SSLVERSION,
                     tls12Only_ ? static_cast<long>(CURL_SSLVERSION_TLSv1_2) |
                                      (static_cast<long>(CURL_SSLVERSION_TLSv1_2)
                                       << 16)  // CURL_SSLVERSION_MAX_TLSv1_2
                                : static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.body) {
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body->data());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body->size()));
    }
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headerList.get());
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, collectBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, collectHeader);
    HeaderSink sink{handle, &answer};
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, kTimeoutSeconds);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    answer.code = curl_easy_perform(handle);
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &answer.status);
    return answer;
}

}  // namespace taplink::servertest
