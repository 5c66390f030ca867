#include "http/request_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace taplink::server::http {

namespace {

constexpr std::string_view kEndOfHead = "\r\n\r\n";
constexpr std::size_t kMaxMethod = 16;
constexpr std::size_t kMaxContentLengthDigits = 10;

[[noreturn]] void malformed(const std::string& why) {
    throw HttpError(400, "malformed_request", why);
}

std::string lowerCase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// RFC 9110 5.6.2 token characters.
bool isTokenChar(char c) {
    static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || kSpecials.find(c) != std::string_view::npos;
}

std::string_view trimBlanks(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// Visible ASCII only: no blanks or controls in a request target.
bool isVisibleAscii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// Field values: visible characters, blanks and obs-text; no controls but HTAB.
bool isFieldValue(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u == '\t' || (u >= 0x20 && u != 0x7F);
    });
}

void parseRequestLine(std::string_view line, Request& request) {
    const auto firstSpace = line.find(' ');
    const auto secondSpace =
        firstSpace == std::string_view::npos ? firstSpace : line.find(' ', firstSpace + 1);
    if (secondSpace == std::string_view::npos ||
        line.find(' ', secondSpace + 1) != std::string_view::npos) {
        malformed("the request line is not METHOD SP TARGET SP VERSION");
    }
    request.method = std::string(line.substr(0, firstSpace));
    request.target = std::string(line.substr(firstSpace + 1, secondSpace - firstSpace - 1));
    request.version = std::string(line.substr(secondSpace + 1));
    if (request.method.empty() || request.method.size() > kMaxMethod ||
        !std::all_of(request.method.begin(), request.method.end(),
                     [](char c) { return c >= 'A' && c <= 'Z'; })) {
        malformed("the method is not a token of capital letters");
    }
    if (request.target.empty() || request.target[0] != '/' || !isVisibleAscii(request.target)) {
        malformed("the request target is not an absolute path");
    }
    if (request.version != "HTTP/1.1" && request.version != "HTTP/1.0") {
        if (request.version.rfind("HTTP/", 0) == 0) {
            throw HttpError(505, "http_version_not_supported", "only HTTP/1.1 and HTTP/1.0");
        }
        malformed("the request line does not end in an HTTP version");
    }
    request.path = request.target.substr(0, request.target.find('?'));
}

void parseHeaderLine(std::string_view line, Request& request) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
        malformed("folded header lines are not accepted");
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                     isTokenChar)) {
        malformed("a header line is not NAME: VALUE");
    }
    const std::string_view value = trimBlanks(line.substr(colon + 1));
    if (!isFieldValue(value)) {
        malformed("a header value holds control characters");
    }
    request.headers.emplace_back(lowerCase(line.substr(0, colon)), std::string(value));
}

bool hasConnectionOption(const Request& request, std::string_view option) {
    for (const auto& [name, value] : request.headers) {
        if (name != "connection") {
            continue;
        }
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            if (lowerCase(trimBlanks(rest.substr(0, comma))) == option) {
                return true;
            }
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    return false;
}

// The body length the headers announce: 0 without Content-Length; all copies must agree.
std::size_t contentLength(const Request& request, const Limits& limits) {
    if (request.header("transfer-encoding")) {
        throw HttpError(411, "length_required",
                        "bodies must come with Content-Length; Transfer-Encoding is not accepted");
    }
    std::optional<std::string> announced;
    for (const auto& [name, value] : request.headers) {
        if (name != "content-length") {
            continue;
        }
        if (value.empty() || value.size() > kMaxContentLengthDigits ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            malformed("Content-Length is not a number");
        }
        if (announced && *announced != value) {
            malformed("Content-Length is given twice with different values");
        }
        announced = value;
    }
    const std::size_t length = announced ? std::stoull(*announced) : 0;
    if (length > limits.maxBodyBytes) {
        throw HttpError(
            413, "body_too_large",
            "the body is larger than " + std::to_string(limits.maxBodyBytes) + " bytes");
    }
    return length;
}

}  // namespace

bool RequestReader::fill() {
    std::array<char, 8192> chunk{};
    const std::size_t n = stream_.readSome(chunk.data(), chunk.size());
    buffer_.append(chunk.data(), n);
    return n > 0;
}

void RequestReader::readBody(Request& request, std::size_t length) {
    while (buffer_.size() < length) {
        if (!fill()) {
            malformed("the connection ended inside the body");
        }
    }
    request.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
}

std::optional<Request> RequestReader::next() {
    std::size_t end = std::string::npos;
    while ((end = buffer_.find(kEndOfHead)) == std::string::npos) {
        if (buffer_.size() > limits_.maxHeaderBytes) {
            throw HttpError(431, "headers_too_large",
                            "the request line and headers exceed " +
                                std::to_string(limits_.maxHeaderBytes) + " bytes");
        }
        if (!fill()) {
            if (buffer_.empty()) {
                return std::nullopt;
            }
            malformed("the connection ended inside the request head");
        }
    }
    if (end + kEndOfHead.size() > limits_.maxHeaderBytes) {
        throw HttpError(431, "headers_too_large",
                        "the request line and headers exceed " +
                            std::to_string(limits_.maxHeaderBytes) + " bytes");
    }
    const std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + kEndOfHead.size());

    Request request;
    std::string_view rest = head;
    bool first = true;
    while (true) {
        const auto lineEnd = rest.find("\r\n");
        const std::string_view line = rest.substr(0, lineEnd);
        if (line.find_first_of("\r\n") != std::string_view::npos ||
            line.find('\0') != std::string_view::npos) {
            malformed("bare CR, LF or NUL in the request head");
        }
        if (first) {
            parseRequestLine(line, request);
            first = false;
        } else {
            parseHeaderLine(line, request);
        }
        if (lineEnd == std::string_view::npos) {
            break;
        }
        rest = rest.substr(lineEnd + 2);
    }
    request.keepAlive = request.version == "HTTP/1.1" ? !hasConnectionOption(request, "close")
                                                      : hasConnectionOption(request, "keep-alive");
    const std::size_t length = contentLength(request, limits_);
    if (const auto expect = request.header("expect")) {
        if (lowerCase(*expect) != "100-continue") {
            throw HttpError(417, "expectation_failed", "only Expect: 100-continue is understood");
        }
        if (length > buffer_.size() && !stream_.writeAll("HTTP/1.1 100 Continue\r\n\r\n")) {
            malformed("the connection ended before the body");
        }
    }
    readBody(request, length);
    return request;
}

}  // namespace taplink::server::http
