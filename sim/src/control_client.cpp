#include "control_client.hpp"

#include <unistd.h>

#include <stdexcept>
#include <system_error>
#include <thread>

namespace taplink::sim {

using nlohmann::json;

SimControl::SimControl(const std::string& socketPath, std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        try {
            fd_ = connectUnix(socketPath);
            return;
        } catch (const std::system_error& error) {
            if (std::chrono::steady_clock::now() >= deadline) {
                throw std::runtime_error("taplink-sim control socket not reachable: " +
                                         std::string(error.what()));
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

json SimControl::request(const json& request) {
    if (!writeAll(fd_.get(), request.dump() + "\n")) {
        throw std::runtime_error("taplink-sim went away");
    }
    std::size_t end;
    while ((end = buffer_.find('\n')) == std::string::npos) {
        char chunk[4096];
        const ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
        if (n <= 0) {
            throw std::runtime_error("taplink-sim closed the control connection");
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    json reply = json::parse(buffer_.substr(0, end));
    buffer_.erase(0, end + 1);
    if (!reply.value("ok", false)) {
        throw std::runtime_error("taplink-sim refused " + request.dump() + ": " +
                                 reply.value("error", std::string("no reason given")));
    }
    return reply;
}

void SimControl::insert(int slot, const std::string& profile) {
    request({{"cmd", "insert"}, {"slot", slot}, {"card", profile}});
}

void SimControl::insert(int slot, const std::string& profile, const json& options) {
    json command{{"cmd", "insert"}, {"slot", slot}, {"card", profile}};
    command.update(options);
    request(command);
}

void SimControl::reinsert(int slot) {
    request({{"cmd", "insert"}, {"slot", slot}});
}

void SimControl::remove(int slot) {
    request({{"cmd", "remove"}, {"slot", slot}});
}

void SimControl::pullAt(int slot, unsigned apdu, bool afterProcessing) {
    request({{"cmd", "fault"},
             {"slot", slot},
             {"pull_at", apdu},
             {"after_processing", afterProcessing}});
}

void SimControl::answerStatusWord(int slot, unsigned apdu, const std::string& statusWordHex) {
    request({{"cmd", "fault"}, {"slot", slot}, {"status_word", statusWordHex}, {"at", apdu}});
}

void SimControl::delay(int slot, unsigned apdu, std::chrono::milliseconds delay) {
    request({{"cmd", "fault"}, {"slot", slot}, {"delay_ms", delay.count()}, {"at", apdu}});
}

void SimControl::clearFaults(int slot) {
    request({{"cmd", "clear_faults"}, {"slot", slot}});
}

json SimControl::slotStatus(int slot) {
    return request({{"cmd", "status"}}).at("slots").at(static_cast<std::size_t>(slot));
}

void SimControl::shutdown() {
    request({{"cmd", "shutdown"}});
}

}  // namespace taplink::sim
