#include "applets/payment_state.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "taplink/base/private_file.hpp"

namespace taplink::sim {
namespace {

namespace mgmt = chip::mgmt;
using nlohmann::json;

// Parameters and keys are kept in their MANAGE encodings (C1 and C2 values), in hex. The
// purchase members came with the purchase commands: a file without them starts at 0.
json toJson(const PaymentState& state) {
    return json{{"lifecycle", std::string(chip::sam::lifecycleName(state.lifecycle))},
                {"parameters", state.parameters ? toHex(state.parameters->encode()) : ""},
                {"keys", state.keys ? toHex(state.keys->encode()) : ""},
                {"scp_sequence_counter", state.sequenceCounter},
                {"purchase_number", state.purchaseNumber},
                {"token_counter", state.tokenCounter},
                {"day", toHex(state.day)},
                {"day_total", state.dayTotal}};
}

void readPurchaseMembers(const json& saved, PaymentState& state) {
    state.purchaseNumber = saved.value("purchase_number", std::uint32_t{0});
    state.tokenCounter = saved.value("token_counter", std::uint64_t{0});
    state.day = fromHex(saved.value("day", std::string()));
    state.dayTotal = saved.value("day_total", std::uint64_t{0});
}

PaymentState fromJson(const json& saved) {
    PaymentState state;
    const auto lifecycle = chip::sam::lifecycleFromName(saved.at("lifecycle").get<std::string>());
    if (!lifecycle) {
        throw std::runtime_error("unknown lifecycle state");
    }
    state.lifecycle = *lifecycle;
    if (const auto parameters = saved.at("parameters").get<std::string>(); !parameters.empty()) {
        state.parameters = mgmt::PaymentParameters::parse(fromHex(parameters));
    }
    if (const auto keys = saved.at("keys").get<std::string>(); !keys.empty()) {
        state.keys = mgmt::PaymentKeys::parse(fromHex(keys));
    }
    state.sequenceCounter = saved.at("scp_sequence_counter").get<std::uint32_t>();
    readPurchaseMembers(saved, state);
    return state;
}

std::optional<PaymentState> loadState(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    try {
        return fromJson(json::parse(in));
    } catch (const std::exception& error) {
        throw std::runtime_error("payment applet state " + path +
                                 " is unreadable: " + error.what());
    }
}

}  // namespace

bool PaymentState::isOperational() const {
    return lifecycle == mgmt::Lifecycle::Operational && keys && parameters;
}

std::uint64_t PaymentState::totalOn(ByteView date) const {
    return Bytes(date.begin(), date.end()) == day ? dayTotal : 0;
}

void PaymentState::addToDay(ByteView date, std::uint64_t amount) {
    dayTotal = totalOn(date) + amount;
    day.assign(date.begin(), date.end());
}

void savePaymentState(const PaymentState& state, const std::string& stateFile) {
    if (!stateFile.empty()) {
        writeFileAtomically(stateFile, toJson(state).dump(2) + "\n");
    }
}

PaymentState initialPaymentState(const std::string& stateFile) {
    if (stateFile.empty()) {
        return {};
    }
    if (auto saved = loadState(stateFile)) {
        return std::move(*saved);
    }
    createPrivateDirectory(std::filesystem::path(stateFile).parent_path().string());
    PaymentState state;
    savePaymentState(state, stateFile);
    return state;
}

}  // namespace taplink::sim
