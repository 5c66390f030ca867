// What the EC-load (圈存) end-to-end tests share: a bank card on the reader with the account
// that pays for it, a bank-ec order, the account's balance, the card's APDU count, and
// waiting for the load's end.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.hpp"

namespace taplink::testbed {

inline constexpr std::uint32_t kEcBefore = 1000;        // the card's EC balance, fen
inline constexpr std::uint32_t kEcAmount = 5000;        // each order: ¥50.00
inline constexpr std::uint64_t kAccountBefore = 50000;  // the cardholder's account: ¥500.00

inline std::string fileText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The demo bank card (`profile`: bank-3des or bank-sm4) in the card slot, with more of the
// sim's card options (e.g. {"expiry": "YYMMDD"}).
inline void insertBankCard(E2e& e2e, const std::string& profile,
                           nlohmann::json cardOptions = nlohmann::json::object()) {
    cardOptions["pan"] = kDemoBankPan;
    cardOptions["balance"] = kEcBefore;
    e2e.bed().bed().sim().insert(kCardSlot, profile, cardOptions);
    EXPECT_TRUE(e2e.bed().bed().waitForCard(kCardSlot, true));
}

// The demo bank card in the card slot and an account of ¥500.00 that pays for it, with more
// `account create` options (e.g. {"--pin", DIGITS}); the account's id.
inline std::string bankCardAndAccount(E2e& e2e, const std::string& profile,
                                      const std::vector<std::string>& accountOptions = {}) {
    insertBankCard(e2e, profile);
    std::vector<std::string> create{"account", "create",     "--holder",  "E2E Cardholder",
                                    "--pan",   kDemoBankPan, "--balance", "500.00"};
    create.insert(create.end(), accountOptions.begin(), accountOptions.end());
    return e2e.bed().serverCommand(create).at("accountId").get<std::string>();
}

inline std::string bankOrder(E2e& e2e, const std::string& account) {
    return e2e.bed()
        .serverCommand(
            {"order", "create", "--amount", "50.00", "--scheme", "bank-ec", "--account", account})
        .at("orderId")
        .get<std::string>();
}

inline std::uint64_t accountBalance(E2e& e2e, const std::string& account) {
    return e2e.bed().serverCommand({"account", "show", account}).at("balance").get<std::uint64_t>();
}

// The APDUs the simulated card in the card slot has answered since it was inserted (the one
// held by a delay fault counts from its arrival).
inline std::uint64_t cardApdus(E2e& e2e) {
    return e2e.bed().bed().sim().slotStatus(kCardSlot).at("apdus").get<std::uint64_t>();
}

// taplink-server paused (TopupBed::pauseServer) for the guard's life: it goes on again even
// when a test stops early, since a server left stopped would fail the bed's clean stop.
class PausedServer {
  public:
    explicit PausedServer(TopupBed& bed) : bed_(bed) { bed_.pauseServer(); }
    ~PausedServer() { bed_.resumeServer(); }
    PausedServer(const PausedServer&) = delete;
    PausedServer& operator=(const PausedServer&) = delete;

  private:
    TopupBed& bed_;
};

// A load's card commands by their place in the load's script (scripts/recharge/
// bank-ec-load.json: SELECT PPSE, SELECT the AID, GET PROCESSING OPTIONS, two READ RECORDs
// for the simulated card's AFL, GET DATA 9F79 and 9F77, then these).
enum class ScriptApdu : unsigned {
    FirstGenerateAc = 8,  // the ARQC; arqc is journaled after it
    SecondGenerateAc = 9,
    PutData = 10,  // the issuer script's PUT DATA 9F79
    BalanceReadBack = 11,
};

// How many commands taplinkd's own read of the card sends before the load's script: the same
// readBankCard that card.info runs, so counted around a card.info. A kernel that reads one
// more object moves every command of the script, and the tests follow.
inline unsigned daemonReadApdus(E2e& e2e) {
    const std::uint64_t before = cardApdus(e2e);
    const Outcome info = e2e.call("card.info");
    EXPECT_TRUE(info.ok()) << info.code << ": " << info.message;
    return static_cast<unsigned>(cardApdus(e2e) - before);
}

// The number, counted from now, of the script's command `apdu` in the next load.
inline unsigned nextLoadApdu(E2e& e2e, ScriptApdu apdu) {
    return daemonReadApdus(e2e) + static_cast<unsigned>(apdu);
}

// Waits until the card has seen `count` APDUs; false after the timeout.
inline bool waitForCardApdus(E2e& e2e, std::uint64_t count,
                             std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (cardApdus(e2e) < count) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

// card.info's EC balance. A taplinkd that has just started may not have seen the reader yet:
// no_reader is asked again for a few seconds (as E2e::balance() does).
inline std::uint64_t ecBalance(E2e& e2e) {
    Outcome info = e2e.call("card.info");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (info.code == "no_reader" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        info = e2e.call("card.info");
    }
    EXPECT_TRUE(info.ok()) << info.code << ": " << info.message;
    return info.ok() ? info.result.at("ecBalance").get<std::uint64_t>() : 0;
}

// Polls tx.status until the order has ended as `ends` allows ("either": reported or
// reversed); the end reached, or "" after a minute.
inline std::string waitForEnd(E2e& e2e, const std::string& order, const std::string& ends) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        std::string state = e2e.journalState(order);
        if (state == ends || (ends == "either" && (state == "reported" || state == "reversed"))) {
            return state;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "";
}

// The money invariant of an ended load: the card's EC and the cardholder's account agree
// with the order, loaded and settled once or not loaded and not (or no longer) debited.
inline void expectEcAgreement(E2e& e2e, const std::string& account, const std::string& order,
                              bool loaded, const std::string& orderStatus) {
    EXPECT_EQ(ecBalance(e2e), kEcBefore + (loaded ? kEcAmount : 0U));
    EXPECT_EQ(accountBalance(e2e, account), kAccountBefore - (loaded ? kEcAmount : 0U));
    EXPECT_EQ(e2e.orderStatus(order), orderStatus);
}

}  // namespace taplink::testbed
