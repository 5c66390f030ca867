// taplink: the kiosk command line, a thin client of taplinkd's Unix socket.
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "interrupt.hpp"

int main(int argc, char** argv) {
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    try {
        const taplink::cli::InterruptPipe interrupts;
        return taplink::cli::run(arguments, std::cout, std::cerr, interrupts.readFd());
    } catch (const std::exception& error) {
        std::cerr << "taplink: " << error.what() << "\n";
        return 1;
    }
}
