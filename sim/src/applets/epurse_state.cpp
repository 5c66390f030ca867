#include "applets/epurse_state.hpp"

#include "taplink/base/private_file.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace taplink::sim {

namespace {
using nlohmann::json;

json toJson(const std::optional<CompletedTransaction>& transaction) {
    if (!transaction) {
        return nullptr;
    }
    return {{"atc", transaction->atc},
            {"mac2", toHex(transaction->mac2)},
            {"tac", toHex(transaction->tac)}};
}

std::optional<CompletedTransaction> transactionFrom(const json& value) {
    if (value.is_null()) {
        return std::nullopt;
    }
    return CompletedTransaction{value.at("atc").get<std::uint16_t>(),
                                fromHex(value.at("mac2").get<std::string>()),
                                fromHex(value.at("tac").get<std::string>())};
}
}  // namespace

std::optional<EpurseState> EpurseState::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    try {
        const json state = json::parse(in);
        EpurseState loaded;
        loaded.balance = state.at("balance").get<std::uint32_t>();
        loaded.onlineAtc = state.at("online_atc").get<std::uint16_t>();
        loaded.offlineAtc = state.at("offline_atc").get<std::uint16_t>();
        for (const auto& record : state.at("log")) {
            loaded.log.push_back(fromHex(record.get<std::string>()));
        }
        loaded.lastLoad = transactionFrom(state.at("last_load"));
        loaded.lastPurchase = transactionFrom(state.at("last_purchase"));
        loaded.pinTriesLeft = state.at("pin_tries_left").get<int>();
        return loaded;
    } catch (const std::exception& error) {
        throw std::runtime_error("card state " + path + " is unreadable: " + error.what());
    }
}

void EpurseState::save(const std::string& path) const {
    json records = json::array();
    for (const auto& record : log) {
        records.push_back(toHex(record));
    }
    const json state{{"balance", balance},
                     {"online_atc", onlineAtc},
                     {"offline_atc", offlineAtc},
                     {"log", records},
                     {"last_load", toJson(lastLoad)},
                     {"last_purchase", toJson(lastPurchase)},
                     {"pin_tries_left", pinTriesLeft}};
    writeFileAtomically(path, state.dump(2) + "\n");
}

}  // namespace taplink::sim
