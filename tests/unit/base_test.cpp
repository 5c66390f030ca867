// The shared utilities of libs/base: the logging sink, writeAll, atomic private files.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "taplink/base/log.hpp"
#include "taplink/base/private_file.hpp"
#include "taplink/base/unique_fd.hpp"
#include "temp_dir.hpp"

namespace taplink {
namespace {

namespace fs = std::filesystem;

struct CapturedLog {
    std::vector<std::pair<log::Level, std::string>> lines;
    log::Sink previous;
    CapturedLog() {
        previous = log::setSink(
            [this](log::Level level, std::string_view line) { lines.emplace_back(level, line); });
    }
    CapturedLog(const CapturedLog&) = delete;
    CapturedLog& operator=(const CapturedLog&) = delete;
    ~CapturedLog() {
        log::setSink(std::move(previous));
        log::setMinimumLevel(log::Level::Info);
    }
};

TEST(Log, EveryLayerWritesToTheOneSinkAtOrAboveTheMinimumLevel) {
    const CapturedLog captured;
    log::debug("not shown by default");
    log::warning("a warning");
    log::processSink()(log::Level::Error, "through a component's sink");
    log::setMinimumLevel(log::Level::Debug);
    log::debug("now shown");
    ASSERT_EQ(captured.lines.size(), 3U);
    EXPECT_EQ(captured.lines[0], std::make_pair(log::Level::Warning, std::string("a warning")));
    EXPECT_EQ(captured.lines[1].first, log::Level::Error);
    EXPECT_EQ(captured.lines[2].second, "now shown");
    EXPECT_EQ(log::levelName(log::Level::Warning), "warning");
}

TEST(WriteAll, WritesEverythingToAPipeAndReportsAPeerThatLeftWithoutSigpipe) {
    int pipeEnds[2];
    ASSERT_EQ(::pipe(pipeEnds), 0);
    const UniqueFd readEnd(pipeEnds[0]);
    const UniqueFd writeEnd(pipeEnds[1]);
    ASSERT_TRUE(writeAll(writeEnd.get(), std::string_view("hello")));
    char buffer[8] = {};
    EXPECT_EQ(::read(readEnd.get(), buffer, sizeof buffer), 5);
    EXPECT_EQ(std::string(buffer, 5), "hello");

    int sockets[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sockets), 0);
    const UniqueFd own(sockets[0]);
    UniqueFd peer(sockets[1]);
    peer.reset();
    EXPECT_FALSE(writeAll(own.get(), std::string_view("nobody listens")));
    EXPECT_EQ(errno, EPIPE);
}

class PrivateFileTest : public ::testing::Test {
  protected:
    // A folder createPrivateDirectory makes, inside one the test owns.
    void SetUp() override {
        createPrivateDirectory(folder_.string());
        path_ = (folder_ / "state.json").string();
    }

    static std::string read(const std::string& path) {
        std::ifstream in(path);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    testsupport::TempDir temp_{"taplink-private-file"};
    fs::path folder_ = temp_.file("private");
    std::string path_;
};

TEST_F(PrivateFileTest, ANewFileIsOwnerOnlyAndReplacesTheOldOneWhole) {
    writeFileAtomically(path_, "old");
    writeFileAtomically(path_, "new");
    EXPECT_EQ(read(path_), "new");
    struct stat status {};
    ASSERT_EQ(::stat(path_.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777U, 0600U);
    EXPECT_EQ(fs::status(folder_).permissions(), fs::perms::owner_all);
    EXPECT_FALSE(fs::exists(path_ + ".new"));
}

TEST_F(PrivateFileTest, AStagedFileThatIsNotCommittedLeavesTheOldOneAndNothingElse) {
    writeFileAtomically(path_, "old");
    {
        const StagedPrivateFile staged(path_, "rejected");
        EXPECT_EQ(read(staged.stagedPath()), "rejected");
        EXPECT_EQ(read(path_), "old");
    }
    EXPECT_EQ(read(path_), "old");
    EXPECT_FALSE(fs::exists(path_ + ".new"));
}

TEST_F(PrivateFileTest, AFolderThatIsNotThereIsAClearError) {
    EXPECT_THROW(writeFileAtomically((folder_ / "missing" / "state.json").string(), "x"),
                 std::system_error);
}

}  // namespace
}  // namespace taplink
