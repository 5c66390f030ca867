// taplinkd's descriptor budget (api/file_limit.hpp, docs/daemon.md "File descriptors").
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>

#include "api/file_limit.hpp"

namespace taplink::api {
namespace {

TEST(FileLimit, TheWebSocketKeepsItsCapWhenTheLimitLeavesTheReserve) {
    EXPECT_EQ(webSocketConnectionCap(1024, 64), 64U);
    EXPECT_EQ(webSocketConnectionCap(65536, 64), 64U);
}

TEST(FileLimit, ASmallLimitLowersTheWebSocketCapToKeepTheReserve) {
    // 320 - 256 reserved - 36 Unix server - 4 lws - 16 handshakes = 8.
    EXPECT_EQ(webSocketConnectionCap(320, 64), 8U);
    EXPECT_EQ(webSocketConnectionCap(256, 64), 1U);  // never below one
    EXPECT_EQ(webSocketConnectionCap(0, 64), 1U);
}

TEST(FileLimit, RaisingTakesTheSoftLimitToTheHardOne) {
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    if (saved.rlim_max < 128) {
        GTEST_SKIP() << "hard limit too small to lower the soft one";
    }
    rlimit lowered = saved;
    lowered.rlim_cur = 64;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    const auto expected = saved.rlim_max == RLIM_INFINITY
                              ? kFileLimitCeiling
                              : std::min<std::uint64_t>(saved.rlim_max, kFileLimitCeiling);
    EXPECT_EQ(raiseFileLimit(), expected);
    EXPECT_EQ(fileLimit(), expected);
    ::setrlimit(RLIMIT_NOFILE, &saved);
}

}  // namespace
}  // namespace taplink::api
