#include "net/curl_handles.hpp"

#include <mutex>

#include "net/net_error.hpp"

namespace taplink::net {

void initCurlOnce() {
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (result != CURLE_OK) {
        throw NetError(NetErrorKind::Configuration,
                       std::string("libcurl initialisation failed: ") + curl_easy_strerror(result));
    }
}

CurlPtr makeCurl() {
    initCurlOnce();
    CurlPtr handle(curl_easy_init());
    if (!handle) {
        throw NetError(NetErrorKind::Configuration, "libcurl: curl_easy_init failed");
    }
    return handle;
}

void appendHeader(CurlSlistPtr& list, const char* line) {
    curl_slist* extended = curl_slist_append(list.get(), line);
    if (extended == nullptr) {
        throw NetError(NetErrorKind::Configuration, "libcurl: out of memory for a header");
    }
    static_cast<void>(list.release());  // now owned by `extended`
    list.reset(extended);
}

}  // namespace taplink::net
