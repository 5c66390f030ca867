// What every taplink command works with: the parsed options, where taplinkd is, the output
// streams and the interrupt pipe.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "options.hpp"
#include "taplink/rpc/client.hpp"

namespace taplink::cli {

struct CommandContext {
    const Options& options;
    std::string socketPath;
    std::ostream& out;
    std::ostream& err;
    int interruptFd = -1;  // readable once the user pressed Ctrl-C

    api::Client connect() const { return api::Client::connect(socketPath); }

    // Interruptible by Ctrl-C (the call then fails as "cancelled").
    api::CallOptions callOptions() const {
        api::CallOptions interruptible;
        interruptible.interruptFd = interruptFd;
        return interruptible;
    }

    // --json: the result as one line of JSON; otherwise what `human` makes of it.
    template <class Format>
    void print(const nlohmann::json& result, Format human) const {
        if (options.json) {
            out << jsonLine(result);
        } else {
            out << human(result);
        }
        out.flush();
    }

    static std::string jsonLine(const nlohmann::json& value) {
        return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
};

// The commands that take more than one call (checks.cpp).
int runStatus(const CommandContext& context);
int runDoctor(const CommandContext& context);

}  // namespace taplink::cli
