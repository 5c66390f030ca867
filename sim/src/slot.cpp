#include "slot.hpp"

#include <optional>
#include <stdexcept>
#include <string_view>

#include "taplink/base/log.hpp"
#include "taplink/chip/payment_protocol.hpp"

namespace taplink::sim {

namespace {
constexpr std::chrono::milliseconds kReconnectDelay{20};
}

Slot::Slot(int index, std::uint16_t port, bool trace)
    : index_(index), port_(port), trace_(trace), thread_([this] { run(); }) {}

Slot::~Slot() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        if (activeLink_ != nullptr) {
            activeLink_->interrupt();
        }
    }
    changed_.notify_all();
    thread_.join();
}

void Slot::insert(std::shared_ptr<VirtualCard> card) {
    const std::lock_guard lock(mutex_);
    if (card_) {
        throw std::logic_error("slot " + std::to_string(index_) + " already holds a card");
    }
    if (!card) {
        if (!lastCard_) {
            throw std::logic_error("slot " + std::to_string(index_) + " has no card to re-insert");
        }
        card = lastCard_->reopened();  // back from its state file, as the card left it
        if (!card) {
            card = lastCard_;
        }
    }
    card_ = std::move(card);
    ++generation_;
    apdus_ = 0;
    faults_ = {};
    changed_.notify_all();
}

std::string Slot::identityOfNextInsert(const std::shared_ptr<VirtualCard>& card) const {
    const std::lock_guard lock(mutex_);
    if (card) {
        return card->identity();
    }
    return lastCard_ ? lastCard_->identity() : std::string();
}

void Slot::remove() {
    const std::lock_guard lock(mutex_);
    removeLocked();
}

void Slot::removeLocked() {
    if (!card_) {
        return;
    }
    lastCard_ = std::move(card_);
    card_.reset();
    ++generation_;
    if (activeLink_ != nullptr) {
        activeLink_->interrupt();
    }
    changed_.notify_all();
}

void Slot::arm(const FaultPlan& plan) {
    const std::lock_guard lock(mutex_);
    auto absolute = [this](std::optional<unsigned> relative) -> std::optional<std::uint64_t> {
        if (!relative || *relative == 0) {
            return std::nullopt;
        }
        return apdus_ + *relative;
    };
    if (plan.pullAt) {
        faults_.pullAt = absolute(plan.pullAt);
        faults_.pullAfterProcessing = plan.pullAfterProcessing;
    }
    if (plan.statusWordAt) {
        faults_.statusWordEvery = *plan.statusWordAt == 0;
        faults_.statusWordAt = absolute(plan.statusWordAt);
        faults_.statusWord = plan.statusWord;
    }
    if (plan.delayAt) {
        faults_.delayEvery = *plan.delayAt == 0;
        faults_.delayAt = absolute(plan.delayAt);
        faults_.delay = plan.delay;
    }
}

void Slot::clearFaults() {
    const std::lock_guard lock(mutex_);
    faults_ = {};
}

SlotStatus Slot::status() const {
    const std::lock_guard lock(mutex_);
    return SlotStatus{index_,
                      port_,
                      card_ ? card_->profile() : std::string(),
                      card_ ? card_->identity() : std::string(),
                      connected_,
                      apdus_};
}

void Slot::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (!card_) {
            changed_.wait(lock);
            continue;
        }
        const auto card = card_;
        const auto generation = generation_;
        lock.unlock();
        auto link = VpcdLink::connect(port_);
        lock.lock();
        if (!link) {
            // pcscd (or its vpcd reader) is not there yet: keep trying, like a card
            // waiting for a field.
            changed_.wait_for(lock, kReconnectDelay);
            continue;
        }
        if (generation != generation_ || stopping_) {
            continue;
        }
        activeLink_ = &*link;
        connected_ = true;
        lock.unlock();
        serve(*link, card, generation);
        lock.lock();
        activeLink_ = nullptr;
        connected_ = false;
        if (generation == generation_ && !stopping_) {
            // The reader side went away (pcscd stopped) with the card still in: reconnect.
            changed_.wait_for(lock, kReconnectDelay);
        }
    }
}

void Slot::serve(VpcdLink& link, const std::shared_ptr<VirtualCard>& card,
                 std::uint64_t generation) {
    while (auto message = link.receive()) {
        if (message->size() == 1) {
            switch ((*message)[0]) {
                case vpcd::kPowerOn:
                case vpcd::kReset:
                    card->reset();
                    break;
                case vpcd::kGetAtr:
                    if (!link.send(card->atr())) {
                        return;
                    }
                    break;
                default:  // power off and unknown control codes need no answer
                    break;
            }
            continue;
        }
        trace('>', *message);
        const Verdict verdict = countAndApplyFaults(generation);
        if (verdict == Verdict::PullBefore) {
            return;
        }
        Bytes response;
        if (verdict == Verdict::StatusWord) {
            const std::lock_guard lock(mutex_);
            response = {static_cast<std::uint8_t>(faults_.statusWord >> 8U),
                        static_cast<std::uint8_t>(faults_.statusWord & 0xFFU)};
        } else {
            response = card->process(*message);
        }
        if (verdict == Verdict::PullAfter) {
            return;
        }
        trace('<', response);
        if (!link.send(response)) {
            return;
        }
    }
}

Slot::Verdict Slot::countAndApplyFaults(std::uint64_t generation) {
    std::unique_lock lock(mutex_);
    if (generation != generation_) {
        return Verdict::PullBefore;  // pulled (and maybe replaced) while this APDU was on its way
    }
    const std::uint64_t number = ++apdus_;
    if (faults_.delayEvery || faults_.delayAt == number) {
        changed_.wait_for(lock, faults_.delay,
                          [&] { return stopping_ || generation != generation_; });
    }
    if (faults_.pullAt == number) {
        const bool after = faults_.pullAfterProcessing;
        faults_.pullAt.reset();
        removeLocked();
        return after ? Verdict::PullAfter : Verdict::PullBefore;
    }
    if (faults_.statusWordEvery || faults_.statusWordAt == number) {
        faults_.statusWordAt.reset();
        return Verdict::StatusWord;
    }
    return Verdict::Answer;
}

namespace {

constexpr std::size_t kHeaderSize = 4;  // CLA INS P1 P2, ISO/IEC 7816-4 5.1

// What a payment command's data is traced as when it must not reach a log (the PIN, the
// card's PAN in the clear); nullopt to show it.
std::optional<std::string_view> hiddenData(ByteView apdu) {
    if (apdu.size() <= kHeaderSize || apdu[0] != chip::pay::kCla) {
        return std::nullopt;
    }
    if (apdu[1] == chip::pay::ins::kPutPin) {
        return "<PIN>";
    }
    if (apdu[1] == chip::pay::ins::kPutCardData) {
        return "<card data>";
    }
    return std::nullopt;
}

}  // namespace

std::string tracedApdu(ByteView apdu) {
    const auto hidden = hiddenData(apdu);
    if (!hidden) {
        return toHex(apdu, true);
    }
    return toHex(apdu.first(kHeaderSize), true) + ' ' + std::string(*hidden);
}

void Slot::trace(char direction, ByteView bytes) const {
    if (trace_) {
        log::info("slot " + std::to_string(index_) + ' ' + direction + ' ' + tracedApdu(bytes));
    }
}

}  // namespace taplink::sim
