// One virtual reader slot: the card in it, its connection to one vpcd port, and the
// faults armed for tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "card/virtual_card.hpp"
#include "vpcd_link.hpp"

namespace taplink::sim {

// Counts are relative to the moment the plan is armed: 1 means the next command APDU.
struct FaultPlan {
    std::optional<unsigned> pullAt;        // the card is pulled at this APDU ...
    bool pullAfterProcessing = false;      // ... after it acted on it, or before
    std::optional<unsigned> statusWordAt;  // answer this APDU with statusWord, unprocessed;
                                           // 0 = every APDU
    std::uint16_t statusWord = 0;
    std::optional<unsigned> delayAt;  // delay this APDU's answer; 0 = every APDU
    std::chrono::milliseconds delay{0};
};

struct SlotStatus {
    int index = 0;
    std::uint16_t port = 0;
    std::string card;         // profile of the inserted card; empty when the slot is empty
    std::string identity;     // VirtualCard::identity() of the inserted card
    bool connected = false;   // the TCP connection to the vpcd port is open
    std::uint64_t apdus = 0;  // command APDUs answered since the card was inserted
};

// An APDU as a --trace line shows it, in hex; a PUT PIN (80 46, chip/payment_protocol.hpp)
// keeps its header only, its data shown as "<PIN>", and a PUT CARD DATA (80 42) as
// "<card data>": neither a PIN nor a PAN ever goes to a log.
std::string tracedApdu(ByteView apdu);

class Slot {
  public:
    Slot(int index, std::uint16_t port, bool trace);
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

    // Inserts a card; nullptr re-inserts the card last removed from this slot, with its state.
    // Throws std::logic_error when there is no such card or the slot is occupied.
    void insert(std::shared_ptr<VirtualCard> card);
    // The identity of the card insert(card) would put in (the last card for nullptr).
    std::string identityOfNextInsert(const std::shared_ptr<VirtualCard>& card) const;
    // Pulls the card; a no-op when the slot is empty.
    void remove();
    void arm(const FaultPlan& plan);
    void clearFaults();
    SlotStatus status() const;

  private:
    struct ArmedFaults {
        std::optional<std::uint64_t> pullAt;
        bool pullAfterProcessing = false;
        std::optional<std::uint64_t> statusWordAt;
        bool statusWordEvery = false;
        std::uint16_t statusWord = 0;
        std::optional<std::uint64_t> delayAt;
        bool delayEvery = false;
        std::chrono::milliseconds delay{0};
    };
    enum class Verdict { Answer, PullBefore, PullAfter, StatusWord };

    void run();
    void serve(VpcdLink& link, const std::shared_ptr<VirtualCard>& card, std::uint64_t generation);
    // Counts the APDU against the card of this generation and decides its fate by the armed
    // faults; sleeps for a delay fault, pulls the card for a pull fault.
    Verdict countAndApplyFaults(std::uint64_t generation);
    void removeLocked();
    void trace(char direction, ByteView bytes) const;

    const int index_;
    const std::uint16_t port_;
    const bool trace_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::shared_ptr<VirtualCard> card_;
    std::shared_ptr<VirtualCard> lastCard_;
    std::uint64_t generation_ = 0;  // bumped on every insert and remove
    VpcdLink* activeLink_ = nullptr;
    bool connected_ = false;
    bool stopping_ = false;
    std::uint64_t apdus_ = 0;
    ArmedFaults faults_;
    std::thread thread_;
};

}  // namespace taplink::sim
