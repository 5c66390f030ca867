// taplink's entry point, minus the process set-up main() does.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace taplink::cli {

// Runs taplink with the arguments after the program name and returns the exit code
// (exit_status.hpp). interruptFd becomes readable when the user interrupts (Ctrl-C).
int run(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err,
        int interruptFd = -1);

}  // namespace taplink::cli
