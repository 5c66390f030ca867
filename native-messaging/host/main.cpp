// taplink-nm: the browser's native-messaging host for TapLink. The browser starts one per
// extension port; it relays that port to taplinkd's Unix socket (docs/native-messaging.md).
#include <csignal>
#include <string_view>
#include <variant>
#include <vector>

#include "byte_stream.hpp"
#include "command_line.hpp"
#include "relay.hpp"
#include "taplink/base/log.hpp"
#include "taplink/rpc/socket_path.hpp"

int main(int argc, char** argv) {
    taplink::log::setProgramName("taplink-nm");
    using namespace taplink::nm;
    const std::vector<std::string_view> arguments(argv + 1, argv + argc);
    const auto caller = parseCommandLine(arguments);
    if (const auto* usage = std::get_if<UsageError>(&caller)) {
        taplink::log::warning(usage->message);
        taplink::log::warning(usageText());
        return kExitUsage;
    }
    // A peer that goes away must show up as a failed write, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    makeNonBlocking(0);
    makeNonBlocking(1);
    try {
        RelayOptions options;
        options.socketPath = taplink::api::socketPathFromEnvironment();
        options.extensionId = std::get<Caller>(caller).extensionId;
        return Relay(std::move(options)).run();
    } catch (const std::exception& error) {  // out of memory, say: never a crash
        taplink::log::warning(error.what());
        return kExitSessionEnded;
    }
}
