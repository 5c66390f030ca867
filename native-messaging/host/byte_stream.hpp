// Reading and writing stdin, stdout and the daemon socket without ever blocking the relay:
// each is non-blocking where the kernel allows it (pipes and sockets, which is what the
// browser and taplinkd give us) and written from a queue (taplink::OutputQueue) as far as it
// takes.
#pragma once

#include <cstddef>
#include <string>

namespace taplink::nm {

// Puts a pipe or socket into non-blocking mode; leaves a terminal or file alone (started by
// hand, where blocking now and then does no harm). True when it is non-blocking now.
bool makeNonBlocking(int fd);

enum class ReadStatus { Data, Again, Eof, Failed };

// One read(2) into `into` (appended), retried on EINTR.
ReadStatus readSome(int fd, std::string& into, std::size_t chunk);

}  // namespace taplink::nm
