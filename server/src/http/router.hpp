// Maps METHOD + path to a handler. Patterns are literal segments and "{}" placeholders, each
// matching one non-empty segment, e.g. "/v1/orders/{}/authorize".
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_message.hpp"

namespace taplink::server::http {

// The placeholder values of a matched path, in order.
using PathParams = std::vector<std::string>;

template <class Context>
class Router {
  public:
    using Route = std::function<Response(const Request&, Context&, const PathParams&)>;

    void add(std::string method, std::string_view pattern, Route route) {
        entries_.push_back(Entry{std::move(method), split(pattern), std::move(route)});
    }

    // 404 not_found when no pattern matches the path, 405 method_not_allowed when one does
    // but not for this method.
    Response dispatch(const Request& request, Context& context) const {
        const std::vector<std::string> segments = split(request.path);
        bool pathKnown = false;
        for (const Entry& entry : entries_) {
            PathParams params;
            if (!matches(entry.pattern, segments, params)) {
                continue;
            }
            pathKnown = true;
            if (entry.method == request.method) {
                return entry.route(request, context, params);
            }
        }
        return pathKnown ? errorResponse(405, "method_not_allowed",
                                         request.method + " is not allowed on " + request.path)
                         : errorResponse(404, "not_found", "no such resource: " + request.path);
    }

  private:
    struct Entry {
        std::string method;
        std::vector<std::string> pattern;
        Route route;
    };

    static std::vector<std::string> split(std::string_view path) {
        std::vector<std::string> segments;
        std::size_t start = path.empty() || path[0] != '/' ? 0 : 1;
        while (start <= path.size()) {
            const std::size_t end = std::min(path.find('/', start), path.size());
            segments.emplace_back(path.substr(start, end - start));
            start = end + 1;
        }
        return segments;
    }

    static bool matches(const std::vector<std::string>& pattern,
                        const std::vector<std::string>& segments, PathParams& params) {
        if (pattern.size() != segments.size()) {
            return false;
        }
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            if (pattern[i] == "{}") {
                if (segments[i].empty()) {
                    return false;
                }
                params.push_back(segments[i]);
            } else if (pattern[i] != segments[i]) {
                return false;
            }
        }
        return true;
    }

    std::vector<Entry> entries_;
};

}  // namespace taplink::server::http
