// A program run with a pseudo-terminal as its controlling terminal (docs/architecture.md,
// "Test support"): what it opens as /dev/tty, and its stdin, is the pty's slave, so a test can
// answer a prompt the program reads from the terminal (a PIN, with echo off) the way a user
// types it, and see everything the program wrote or echoed there. stdout and stderr are
// captured apart (ChildProcess), so the terminal's bytes are only what went to the terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "child_process.hpp"
#include "taplink/base/unique_fd.hpp"

namespace taplink::testsupport {

class PtyProcess {
  public:
    // Starts argv in a new session whose controlling terminal is a new pty. Throws
    // std::system_error when there is no pty or no process.
    explicit PtyProcess(const std::vector<std::string>& argv);

    // Reads the terminal until `text` has appeared in it (true), the program has closed its
    // terminal or the timeout passed (false).
    bool waitForTerminal(std::string_view text, Milliseconds timeout);
    // Whether the terminal echoes what is typed (termios ECHO, as the slave has it now).
    bool echoes() const;
    // Waits until the program has turned the terminal's echo off; false after the timeout.
    bool waitForEchoOff(Milliseconds timeout);
    // Types the bytes on the terminal's keyboard.
    void type(std::string_view keys);
    // Everything the terminal showed so far (the program's output and the echo).
    const std::string& terminal() const { return terminal_; }

    // Waits for the end and reads the terminal to its end: the exit code and stdout, stderr.
    ProcessResult finish(Milliseconds timeout);
    ChildProcess& process() { return child_; }

  private:
    // Reads what the terminal has now, waiting at most `wait`; false once it is closed.
    bool readTerminal(Milliseconds wait);

    std::string slaveName_;  // before master_: openMaster() writes it
    UniqueFd master_;
    std::string terminal_;
    ChildProcess child_;
};

}  // namespace taplink::testsupport
