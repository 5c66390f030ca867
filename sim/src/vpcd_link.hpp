// The card side of the vsmartcard vpcd protocol: a TCP connection to the port pcscd's vpcd
// driver listens on. Every message is a 2-byte big-endian length and its bytes; a 1-byte
// message is a control code (00 power off, 01 power on, 02 reset, 04 get ATR), anything
// longer is a command APDU. Answers (ATR or response APDU) use the same framing.
#pragma once

#include <cstdint>
#include <optional>

#include <utility>

#include "taplink/base/bytes.hpp"
#include "taplink/base/unix_socket.hpp"

namespace taplink::sim {

namespace vpcd {
inline constexpr std::uint8_t kPowerOff = 0x00;
inline constexpr std::uint8_t kPowerOn = 0x01;
inline constexpr std::uint8_t kReset = 0x02;
inline constexpr std::uint8_t kGetAtr = 0x04;
}  // namespace vpcd

class VpcdLink {
  public:
    // Connects to 127.0.0.1:port; nullopt when nothing listens there (yet).
    static std::optional<VpcdLink> connect(std::uint16_t port);

    // The next message; nullopt when the reader side closed the connection.
    std::optional<Bytes> receive();
    // False when the connection is gone.
    bool send(ByteView message);
    // Breaks a blocked receive() from another thread (the card is being pulled).
    void interrupt() noexcept;

  private:
    explicit VpcdLink(UniqueFd fd) : fd_(std::move(fd)) {}
    bool readExactly(std::uint8_t* buffer, std::size_t length);

    UniqueFd fd_;
};

}  // namespace taplink::sim
