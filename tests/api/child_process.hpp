// Runs a program (the built `taplink`) as a child with its stdout and stderr captured.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "taplink/base/unique_fd.hpp"

namespace taplink::api::test {

struct ProcessResult {
    int exitCode = -1;  // 128 + signal when killed by one
    std::string out;
    std::string err;
};

class ChildProcess {
  public:
    // `environment` is added to ours; TAPLINK_SOCKET and XDG_RUNTIME_DIR are dropped unless
    // given, so the test decides where the child looks for taplinkd.
    ChildProcess(const std::vector<std::string>& command,
                 const std::map<std::string, std::string>& environment = {});
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();  // kills the child if it still runs

    // The next stdout line; nothing at EOF. Throws after the guard time.
    std::optional<std::string> readOutLine();
    void signal(int signal) const;
    // Reads everything left and waits for the exit (guarded).
    ProcessResult finish();

  private:
    bool pump(bool untilOutLine);

    pid_t pid_ = -1;
    UniqueFd out_;
    UniqueFd err_;
    std::string outBuffer_;
    ProcessResult result_;
};

// Runs `taplink ARGS...` to completion.
ProcessResult runTaplink(const std::vector<std::string>& arguments,
                         const std::map<std::string, std::string>& environment = {});

}  // namespace taplink::api::test
