#include "http/static_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <utility>

#include "taplink/base/unix_socket.hpp"

namespace taplink::server::http {

namespace {

constexpr std::size_t kMaxNameLength = 100;

// Longest suffix first: ".d.ts" before anything shorter could match.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kMediaTypes{{
    {".d.ts", "text/plain; charset=utf-8"},
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
}};

bool isNameCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

bool endsWith(std::string_view text, std::string_view suffix) {
    return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The whole file, or nullopt when it is not a regular file or too large.
std::optional<std::string> readRegularFile(const std::string& path) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    struct stat info {};
    if (!fd || ::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode) ||
        static_cast<std::size_t>(info.st_size) > kMaxStaticFileBytes) {
        return std::nullopt;
    }
    std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
        if (n <= 0) {
            return std::nullopt;  // an error, or the file shrank while being read
        }
        done += static_cast<std::size_t>(n);
    }
    return bytes;
}

}  // namespace

std::optional<std::string_view> mediaTypeFor(std::string_view name) {
    for (const auto& [extension, mediaType] : kMediaTypes) {
        if (endsWith(name, extension)) {
            return mediaType;
        }
    }
    return std::nullopt;
}

bool isServableName(std::string_view name) {
    return !name.empty() && name.size() <= kMaxNameLength && name.front() != '.' &&
           std::all_of(name.begin(), name.end(), isNameCharacter) && mediaTypeFor(name).has_value();
}

std::optional<Response> staticFile(const std::string& folder, std::string_view name) {
    if (!isServableName(name)) {
        return std::nullopt;
    }
    auto bytes = readRegularFile(folder + "/" + std::string(name));
    if (!bytes) {
        return std::nullopt;
    }
    Response response;
    response.body = std::move(*bytes);
    response.contentType = std::string(*mediaTypeFor(name));
    return response;
}

}  // namespace taplink::server::http
