#include "host_process.hpp"

#include <cstring>
#include <stdexcept>

namespace taplink::nm::test {

namespace {

constexpr std::size_t kHeaderBytes = sizeof(std::uint32_t);

testsupport::SpawnOptions hostOptions(const HostCommand& command) {
    testsupport::SpawnOptions options;
    options.in = testsupport::Stream::pipe();
    options.out = testsupport::Stream::pipe();
    options.err = testsupport::Stream::pipe();
    options.unsetEnv = {"TAPLINK_SOCKET", "XDG_RUNTIME_DIR"};
    options.setEnv = command.environment;
    return options;
}

std::vector<std::string> hostArgv(const HostCommand& command) {
    std::vector<std::string> argv{command.program};
    argv.insert(argv.end(), command.arguments.begin(), command.arguments.end());
    return argv;
}

}  // namespace

std::string headerOf(std::uint32_t length) {
    std::string header(sizeof length, '\0');
    std::memcpy(header.data(), &length, sizeof length);  // native byte order
    return header;
}

std::string frameOf(std::string_view message) {
    return headerOf(static_cast<std::uint32_t>(message.size())) + std::string(message);
}

std::string frameOf(const nlohmann::json& message) {
    return frameOf(std::string_view(message.dump()));
}

HostProcess::HostProcess(const std::string& socketPath, std::vector<std::string> arguments)
    : HostProcess(
          HostCommand{TAPLINK_NM_PATH, std::move(arguments), {{"TAPLINK_SOCKET", socketPath}}}) {}

HostProcess::HostProcess(const HostCommand& command)
    : process_(hostArgv(command), hostOptions(command)) {}

std::optional<std::string> HostProcess::readFrame() {
    if (!process_.waitForOutput(kHeaderBytes, kHostGuard)) {
        if (!process_.output().empty()) {
            throw std::runtime_error("taplink-nm wrote a truncated frame header");
        }
        return std::nullopt;
    }
    std::uint32_t length = 0;
    std::memcpy(&length, process_.output().data(), sizeof length);
    if (!process_.waitForOutput(kHeaderBytes + length, kHostGuard)) {
        throw std::runtime_error("taplink-nm wrote a truncated frame");
    }
    return process_.takeOutput(kHeaderBytes + length).substr(kHeaderBytes);
}

nlohmann::json HostProcess::readJson() {
    const auto frame = readFrame();
    if (!frame) {
        throw std::runtime_error("taplink-nm closed stdout; stderr:\n" + errors());
    }
    return nlohmann::json::parse(*frame);
}

nlohmann::json HostProcess::hello(std::string_view origin) {
    writeFrame({{"type", "hello"}, {"origin", origin}});
    return readJson();
}

nlohmann::json HostProcess::call(int id, std::string_view method, const nlohmann::json& params,
                                 std::vector<nlohmann::json>* notifications) {
    writeFrame({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
    for (;;) {
        nlohmann::json message = readJson();
        if (message.contains("id") && message["id"] == id) {
            return message;
        }
        if (notifications != nullptr) {
            notifications->push_back(std::move(message));
        }
    }
}

bool HostProcess::readsEof() {
    return !readFrame().has_value();
}

int HostProcess::waitExit() {
    const auto status = process_.wait(kHostGuard);
    if (!status) {
        throw std::runtime_error("taplink-nm did not exit; stderr:\n" + errors());
    }
    return testsupport::exitCodeOf(*status);
}

}  // namespace taplink::nm::test
