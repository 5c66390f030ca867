// taplinkd's file descriptor budget (docs/daemon.md, "File descriptors"). The API servers get
// bounded shares of the process's limit so that peers that connect and never finish a
// handshake cannot take the descriptors PC/SC, SQLite, curl and the log need mid top-up.
#pragma once

#include <cstddef>
#include <cstdint>

namespace taplink::api {

// Kept free for everything but the API servers: PC/SC, SQLite, curl, logs, the chip.
inline constexpr std::uint64_t kReservedFds = 256;
// The Unix-socket server's share: its connection cap, its listener and its waker.
inline constexpr std::uint64_t kUnixServerFds = 32 + 4;
// What the WebSocket server holds besides its upgraded connections: two listeners, lws's
// wake-up pipe and spare slot, and connections still in their handshake.
inline constexpr std::uint64_t kWebSocketOverheadFds = 4;
inline constexpr std::size_t kPendingHandshakes = 16;

// Raises the soft RLIMIT_NOFILE to the hard one (at most kFileLimitCeiling) and returns the
// soft limit now in force.
std::uint64_t raiseFileLimit();
// The soft RLIMIT_NOFILE in force.
std::uint64_t fileLimit();
// Upgraded WebSocket connections allowed under `limit`: `wanted`, lowered so that the servers
// together leave kReservedFds free; at least 1.
std::size_t webSocketConnectionCap(std::uint64_t limit, std::size_t wanted);

// lws keeps a table sized by the limit; more than this is of no use to taplinkd.
inline constexpr std::uint64_t kFileLimitCeiling = std::uint64_t{1} << 16;

}  // namespace taplink::api
