// RAII owners of libcurl handles, and libcurl's one-time global initialisation.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace taplink::net {

struct CurlEasyFree {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct CurlSlistFree {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

using CurlPtr = std::unique_ptr<CURL, CurlEasyFree>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistFree>;

// curl_global_init, once per process and thread-safe; NetError(Configuration) on failure.
void initCurlOnce();

// A new easy handle (after initCurlOnce); NetError(Configuration) when libcurl has none.
CurlPtr makeCurl();

// Appends a header line; NetError(Configuration) when libcurl runs out of memory.
void appendHeader(CurlSlistPtr& list, const char* line);

}  // namespace taplink::net
