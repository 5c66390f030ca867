#include "ws_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "taplink/base/base64.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"

namespace taplink::api::test {

namespace {

using Clock = std::chrono::steady_clock;

// RFC 6455 section 1.3: the GUID the server appends to the key before hashing.
constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t kKeyBytes = 16;
constexpr std::size_t kMaskBytes = 4;
constexpr std::size_t kMaxHttpResponse = std::size_t{16} * 1024;

std::string randomBytes(std::size_t count) {
    std::string bytes(count, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return bytes;
}

ByteView bytesOf(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string textOf(ByteView bytes) {
    return {bytes.begin(), bytes.end()};
}

std::string base64(std::string_view bytes) {
    return base64Encode(bytesOf(bytes));
}

// Sec-WebSocket-Accept for a key (RFC 6455 section 4.2.2, item 5.4).
std::string acceptFor(const std::string& key) {
    const std::string input = key + std::string(kAcceptGuid);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1) {
        throw std::runtime_error("SHA-1 failed");
    }
    return base64({reinterpret_cast<const char*>(digest.data()), length});
}

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string trim(std::string_view text) {
    const auto begin = text.find_first_not_of(" \t");
    const auto end = text.find_last_not_of(" \t\r");
    return begin == std::string_view::npos ? std::string()
                                           : std::string(text.substr(begin, end - begin + 1));
}

WsHandshakeResponse parseResponse(std::string_view head) {
    WsHandshakeResponse response;
    std::size_t lineEnd = head.find("\r\n");
    const std::string_view statusLine = head.substr(0, lineEnd);
    // "HTTP/1.1 101 Switching Protocols"
    const auto space = statusLine.find(' ');
    if (space == std::string_view::npos) {
        throw std::runtime_error("malformed status line");
    }
    response.status = std::stoi(std::string(statusLine.substr(space + 1, 3)));
    while (lineEnd != std::string_view::npos && lineEnd + 2 < head.size()) {
        const std::size_t start = lineEnd + 2;
        lineEnd = head.find("\r\n", start);
        const std::string_view line = head.substr(start, lineEnd - start);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            response.headers[lowercase(std::string(line.substr(0, colon)))] =
                trim(line.substr(colon + 1));
        }
    }
    return response;
}

}  // namespace

WsClient::WsClient(const std::string& address, std::uint16_t port,
                   std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {
    sockaddr_storage storage{};
    socklen_t size = 0;
    auto* ipv4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* ipv6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (::inet_pton(AF_INET, address.c_str(), &ipv4->sin_addr) == 1) {
        ipv4->sin_family = AF_INET;
        ipv4->sin_port = htons(port);
        size = sizeof *ipv4;
    } else if (::inet_pton(AF_INET6, address.c_str(), &ipv6->sin6_addr) == 1) {
        ipv6->sin6_family = AF_INET6;
        ipv6->sin6_port = htons(port);
        size = sizeof *ipv6;
    } else {
        throw std::invalid_argument("not a numeric address: " + address);
    }
    fd_ = UniqueFd(::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd_ || ::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&storage), size) != 0) {
        throw std::system_error(errno, std::generic_category(),
                                "connect " + address + ":" + std::to_string(port));
    }
    const int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

WsHandshakeResponse WsClient::handshake(const WsHandshake& request) {
    const std::string key = base64(randomBytes(kKeyBytes));
    std::string text = "GET " + request.path + " HTTP/1.1\r\n";
    const std::string host = request.host.value_or("127.0.0.1:" + std::to_string(port_));
    if (!host.empty()) {  // "": no Host header at all
        text += "Host: " + host + "\r\n";
    }
    text += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
    text += "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n";
    if (request.origin) {
        text += "Origin: " + *request.origin + "\r\n";
    }
    if (request.subprotocol) {
        text += "Sec-WebSocket-Protocol: " + *request.subprotocol + "\r\n";
    }
    text += "\r\n";
    sendRaw(text);
    auto response = readHttpResponse();
    if (response.status == 101 && response.headers["sec-websocket-accept"] != acceptFor(key)) {
        throw std::runtime_error("wrong Sec-WebSocket-Accept");
    }
    return response;
}

WsHandshakeResponse WsClient::readHttpResponse() {
    std::size_t end = std::string::npos;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (buffer_.size() > kMaxHttpResponse || !fill()) {
            throw std::runtime_error("no complete HTTP response");
        }
    }
    auto response = parseResponse(std::string_view(buffer_).substr(0, end + 2));
    buffer_.erase(0, end + 4);
    return response;
}

void WsClient::open(const std::string& origin) {
    const auto response = handshake({.origin = origin});
    if (response.status != 101) {
        throw std::runtime_error("handshake refused with HTTP " + std::to_string(response.status));
    }
}

void WsClient::sendFrame(WsOpcode opcode, std::string_view payload, bool fin) {
    std::string frame;
    frame += static_cast<char>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode));
    constexpr std::uint8_t kMasked = 0x80;
    if (payload.size() < 126) {
        frame += static_cast<char>(kMasked | payload.size());
    } else if (payload.size() <= 0xFFFF) {
        frame += static_cast<char>(kMasked | 126);
        frame += textOf(ByteWriter().u16(static_cast<std::uint16_t>(payload.size())).take());
    } else {
        frame += static_cast<char>(kMasked | 127);
        frame += textOf(ByteWriter().u64(payload.size()).take());
    }
    const std::string mask = randomBytes(kMaskBytes);
    frame += mask;
    for (std::size_t i = 0; i < payload.size(); ++i) {
        frame += static_cast<char>(payload[i] ^ mask[i % kMaskBytes]);
    }
    sendRaw(frame);
}

void WsClient::sendRaw(std::string_view bytes) {
    if (!writeAll(fd_.get(), bytes)) {
        throw std::system_error(errno, std::generic_category(), "send");
    }
}

bool WsClient::fill() {
    const auto deadline = Clock::now() + timeout_;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd fd{fd_.get(), POLLIN, 0};
        if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) == 0) {
            throw WsTimeout("nothing from the server within the timeout");
        }
        char chunk[65536];
        const ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }
}

// RFC 6455 section 5.2; server frames are not masked.
std::optional<WsFrame> WsClient::parseFrame() {
    if (buffer_.size() < 2) {
        return std::nullopt;
    }
    const auto byte = [this](std::size_t i) { return static_cast<std::uint8_t>(buffer_[i]); };
    WsFrame frame;
    frame.fin = (byte(0) & 0x80) != 0;
    frame.opcode = static_cast<WsOpcode>(byte(0) & 0x0F);
    std::uint64_t length = byte(1) & 0x7F;
    std::size_t header = 2;
    if (length == 126 || length == 127) {
        const std::size_t bytes = length == 126 ? 2 : 8;
        if (buffer_.size() < header + bytes) {
            return std::nullopt;
        }
        length = bigEndian(bytesOf(std::string_view(buffer_).substr(header, bytes)));
        header += bytes;
    }
    if ((byte(1) & 0x80) != 0) {
        throw std::runtime_error("the server masked a frame");
    }
    if (buffer_.size() < header + length) {
        return std::nullopt;
    }
    frame.payload = buffer_.substr(header, length);
    buffer_.erase(0, header + length);
    return frame;
}

WsFrame WsClient::readFrame() {
    for (;;) {
        if (auto frame = parseFrame()) {
            if (frame->opcode == WsOpcode::Ping) {
                ++pingsSeen;
            }
            return *frame;
        }
        if (!fill()) {
            throw std::runtime_error("the server closed the connection");
        }
    }
}

std::string WsClient::readText() {
    std::string message;
    for (;;) {
        const WsFrame frame = readFrame();
        switch (frame.opcode) {
            case WsOpcode::Ping:
                if (answerPings) {
                    sendFrame(WsOpcode::Pong, frame.payload);
                }
                continue;
            case WsOpcode::Pong:
                continue;
            case WsOpcode::Close:
                throw std::runtime_error("the server sent a close frame");
            case WsOpcode::Text:
            case WsOpcode::Binary:
            case WsOpcode::Continuation:
                message += frame.payload;
                if (frame.fin) {
                    return message;
                }
        }
    }
}

std::optional<int> WsClient::readClose(std::vector<std::string>* textBefore) {
    try {
        for (;;) {
            const WsFrame frame = readFrame();
            if (frame.opcode == WsOpcode::Close) {
                if (frame.payload.size() < 2) {
                    return std::nullopt;
                }
                return (static_cast<std::uint8_t>(frame.payload[0]) << 8) |
                       static_cast<std::uint8_t>(frame.payload[1]);
            }
            if (frame.opcode == WsOpcode::Ping && answerPings) {
                sendFrame(WsOpcode::Pong, frame.payload);
            } else if (frame.opcode == WsOpcode::Text && textBefore != nullptr) {
                textBefore->push_back(frame.payload);
            }
        }
    } catch (const WsTimeout&) {
        throw;
    } catch (const std::runtime_error&) {
        // EOF without a close frame, or a pong into a connection the server already closed.
        return std::nullopt;
    }
}

bool WsClient::waitForEof() {
    try {
        for (;;) {
            if (!fill()) {
                return true;
            }
            buffer_.clear();
        }
    } catch (const WsTimeout&) {
        return false;
    }
}

}  // namespace taplink::api::test
