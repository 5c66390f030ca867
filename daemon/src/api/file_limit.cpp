#include "api/file_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace taplink::api {

std::uint64_t fileLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return 0;
    }
    return limit.rlim_cur == RLIM_INFINITY ? kFileLimitCeiling : limit.rlim_cur;
}

std::uint64_t raiseFileLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return 0;
    }
    const rlim_t target = std::min<rlim_t>(limit.rlim_max, kFileLimitCeiling);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
        limit.rlim_cur = target;
        ::setrlimit(RLIMIT_NOFILE, &limit);  // best effort: fileLimit() tells what holds
    }
    return fileLimit();
}

std::size_t webSocketConnectionCap(std::uint64_t limit, std::size_t wanted) {
    const std::uint64_t taken =
        kReservedFds + kUnixServerFds + kWebSocketOverheadFds + kPendingHandshakes;
    const std::uint64_t room = limit > taken ? limit - taken : 0;
    return static_cast<std::size_t>(
        std::max<std::uint64_t>(1, std::min<std::uint64_t>(room, wanted)));
}

}  // namespace taplink::api
