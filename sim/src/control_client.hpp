// Client of taplink-sim's control socket, for tests and tools.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "taplink/base/unix_socket.hpp"

namespace taplink::sim {

class SimControl {
  public:
    // Connects, waiting up to `wait` for the simulator to create its socket.
    // Throws std::runtime_error when it does not appear.
    explicit SimControl(const std::string& socketPath,
                        std::chrono::milliseconds wait = std::chrono::seconds(5));

    // Sends a request; throws std::runtime_error when the simulator refuses it or is gone.
    nlohmann::json request(const nlohmann::json& request);

    void insert(int slot, const std::string& profile);
    // With card options: {"serial": "hex", "balance": fen}.
    void insert(int slot, const std::string& profile, const nlohmann::json& options);
    void reinsert(int slot);
    void remove(int slot);
    // The card is pulled at the n-th APDU from now, before or after acting on it.
    void pullAt(int slot, unsigned apdu, bool afterProcessing = false);
    void answerStatusWord(int slot, unsigned apdu, const std::string& statusWordHex);
    void delay(int slot, unsigned apdu, std::chrono::milliseconds delay);
    void clearFaults(int slot);
    nlohmann::json slotStatus(int slot);
    void shutdown();

  private:
    UniqueFd fd_;
    std::string buffer_;
};

}  // namespace taplink::sim
