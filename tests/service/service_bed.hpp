// taplinkd's services wired as taplinkd wires them, over the in-process doubles: a
// SimCardPort with a card reader and the enrolled chip in the SAM reader, the scripted
// server with the real recharge script, and the journal on real SQLite in a temporary
// folder. No pcscd, no network.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "journal/topup_journal.hpp"
#include "scripted_topup_server.hpp"
#include "service/chip_session.hpp"
#include "service/reader_registry.hpp"
#include "service/topup_service.hpp"
#include "sim_card_port.hpp"
#include "taplink/protocol/error_code.hpp"
#include "temp_dir.hpp"
#include "test_device.hpp"

namespace taplink::service::testing {

// Where the real recharge script is, counted in commands to the card or the chip from the
// start of a top-up (no others reach them when the chip was found beforehand), for the faults
// and hooks of SimCardPort.
namespace card_command {
inline constexpr std::size_t kGetBalance = 3;
inline constexpr std::size_t kInitializeForLoad = 4;
inline constexpr std::size_t kCreditForLoad = 5;
inline constexpr std::size_t kReadBalanceAfter = 6;
}  // namespace card_command
namespace chip_command {
inline constexpr std::size_t kSelectLoadSam = 1;  // once authorized
}  // namespace chip_command

// The journal wants an owner-only folder: mkdtemp makes it so.
using testsupport::TempDir;

// Lines written on one thread and read on another (progress stages, reader events).
class SeenLog {
  public:
    void add(std::string line);
    std::vector<std::string> lines() const;

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

class ServiceBed {
  public:
    static constexpr const char* kCardReader = "TapLink Sim Reader 00 00";
    static constexpr const char* kChipReader = "TapLink Sim Reader 00 01";
    static constexpr std::uint32_t kInitialBalance = 1000;  // fen
    static constexpr std::uint32_t kAmount = 5000;

    struct Options {
        std::chrono::seconds cardWait{10};
        bool chipInserted = true;
    };

    ServiceBed();
    explicit ServiceBed(Options options);
    ~ServiceBed();
    ServiceBed(const ServiceBed&) = delete;
    ServiceBed& operator=(const ServiceBed&) = delete;

    // A new triple-DES city card of the test issuer holding kInitialBalance.
    static std::shared_ptr<sim::VirtualCard> makeCityCard(const Bytes& serial = {});

    void insertCard() { port.insert(kCardReader, card); }
    // Read through the port, as any other program would.
    std::uint32_t cardBalance();

    // An order of kAmount on the server.
    void addOrder(const std::string& orderId) { server->addOrder(orderId, kAmount); }
    TopupOutcome run(const std::string& orderId, const std::function<bool()>& cancelled = {},
                     const TopupService::Confirm& confirm = {});
    // The ServiceError run() throws; std::logic_error when it succeeds.
    ServiceError runError(const std::string& orderId, const std::function<bool()>& cancelled = {},
                          const TopupService::Confirm& confirm = {});

    journal::TopupRecord record(const std::string& orderId);
    std::vector<journal::TopupState> history(const std::string& orderId);

    TempDir dir;
    SimCardPort port{{kCardReader, kChipReader}};
    EnrolledChip chipCard = makeEnrolledChip();
    crypto::PkeyPtr signingKey = makeSigningKey();
    SeenLog stages;        // the top-ups' progress
    SeenLog readerEvents;  // "card.inserted <reader>", ...
    journal::TopupJournal journal;
    ReaderRegistry readers;
    ChipSession chip;
    std::shared_ptr<ScriptedTopupServer> server;
    // The purchase's payment-parameters check, as taplinkd wires ChipManagement's (unset: none).
    RequireParameters requireParameters;
    TopupService service;
    std::shared_ptr<sim::VirtualCard> card = makeCityCard();
};

}  // namespace taplink::service::testing

// Readable names in gtest's failure messages.
namespace taplink::api {
inline void PrintTo(ErrorCode code, std::ostream* out) {
    *out << errorCodeName(code);
}
}  // namespace taplink::api

namespace taplink::journal {
inline void PrintTo(TopupState state, std::ostream* out) {
    *out << toString(state);
}
}  // namespace taplink::journal
