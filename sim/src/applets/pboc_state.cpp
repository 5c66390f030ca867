#include "applets/pboc_state.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "taplink/base/private_file.hpp"
#include "taplink/base/strict_json.hpp"

namespace taplink::sim {

namespace {

using nlohmann::json;
using Reader = JsonObjectReader<DescribedAs<std::runtime_error>>;

constexpr std::uint64_t kMaxAmount = 999999999999;  // n12
constexpr int kPinTries = 3;

PbocState stateFrom(Reader in) {
    PbocState state;
    state.ecBalance = in.integer("ec_balance", 0, kMaxAmount);
    state.ecBalanceLimit = in.integer("ec_balance_limit", 0, kMaxAmount);
    state.ecSingleLimit = in.integer("ec_single_limit", 0, kMaxAmount);
    state.ecResetThreshold = in.integer("ec_reset_threshold", 0, kMaxAmount);
    state.atc = static_cast<std::uint16_t>(in.integer("atc", 0, 0xFFFF));
    state.lastOnlineAtc = static_cast<std::uint16_t>(in.integer("last_online_atc", 0, 0xFFFF));
    state.pinTriesLeft = static_cast<int>(in.integer("pin_tries_left", 0, kPinTries));
    state.issuerAuthenticationFailed = in.boolean("issuer_authentication_failed");
    const json& log = in.required("log");
    if (!log.is_array()) {
        in.failMember("log", "must be an array");
    }
    for (const auto& record : log) {
        state.log.push_back(fromHex(record.get<std::string>()));
    }
    in.finish();
    return state;
}

}  // namespace

std::optional<PbocState> PbocState::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    try {
        const json state = json::parse(in);
        return stateFrom(Reader(state, "card state"));
    } catch (const std::exception& error) {
        throw std::runtime_error("card state " + path + " is unreadable: " + error.what());
    }
}

void PbocState::save(const std::string& path) const {
    json records = json::array();
    for (const auto& record : log) {
        records.push_back(toHex(record));
    }
    const json state{{"ec_balance", ecBalance},
                     {"ec_balance_limit", ecBalanceLimit},
                     {"ec_single_limit", ecSingleLimit},
                     {"ec_reset_threshold", ecResetThreshold},
                     {"atc", atc},
                     {"last_online_atc", lastOnlineAtc},
                     {"pin_tries_left", pinTriesLeft},
                     {"issuer_authentication_failed", issuerAuthenticationFailed},
                     {"log", records}};
    writeFileAtomically(path, state.dump(2) + "\n");
}

}  // namespace taplink::sim
