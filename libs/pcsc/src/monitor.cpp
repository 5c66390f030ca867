#include "taplink/pcsc/monitor.hpp"

#include <PCSC/pcsclite.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "taplink/pcsc/errors.hpp"

namespace taplink::pcsc {

namespace {
constexpr const char* kPnpReader = "\\\\?PnP?\\Notification";
constexpr int kReconnectDelayMs = 200;
constexpr std::chrono::milliseconds kCancelRetry{50};

// pcsc-lite keeps a card event counter in the upper 16 bits of dwEventState; a change
// with the card present both times means it was pulled and put back in between.
unsigned long eventCounter(unsigned long state) {
    return (state >> 16U) & 0xFFFFU;
}

bool serviceLost(LONG rv) {
    return classify(rv) == ErrorKind::ServiceDown;
}
}  // namespace

std::string_view toString(ReaderEvent::Type type) {
    switch (type) {
        case ReaderEvent::Type::ReaderAdded:
            return "reader_added";
        case ReaderEvent::Type::ReaderRemoved:
            return "reader_removed";
        case ReaderEvent::Type::CardInserted:
            return "card_inserted";
        case ReaderEvent::Type::CardRemoved:
            return "card_removed";
        case ReaderEvent::Type::ServiceDown:
            return "service_down";
        case ReaderEvent::Type::ServiceUp:
            return "service_up";
    }
    return "unknown";
}

Monitor::Monitor(Callback callback) : callback_(std::move(callback)) {}

Monitor::~Monitor() {
    stop();
}

void Monitor::start() {
    if (thread_.joinable()) {
        return;
    }
    readers_.clear();  // a restarted monitor reports again what is already there
    pnpState_ = 0;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = false;
        finished_ = false;
        reported_ = false;
    }
    thread_ = std::thread([this] {
        run();
        const std::lock_guard lock(mutex_);
        finished_ = true;
        wakeUp_.notify_all();
    });
}

void Monitor::stop() {
    if (!thread_.joinable()) {
        return;
    }
    std::unique_lock lock(mutex_);
    stopping_ = true;
    wakeUp_.notify_all();
    if (std::this_thread::get_id() == thread_.get_id()) {
        return;  // called from the callback: the thread leaves after it returns
    }
    // SCardCancel wakes only a SCardGetStatusChange already waiting; one sent just
    // before the thread enters the call is lost, so keep sending until it has left.
    while (!finished_) {
        if (context_) {
            context_->cancel();
        }
        wakeUp_.wait_for(lock, kCancelRetry, [this] { return finished_; });
    }
    lock.unlock();
    thread_.join();
}

bool Monitor::waitUntilReported(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    wakeUp_.wait_for(lock, timeout, [this] { return reported_ || stopping_; });
    return reported_;
}

void Monitor::markReported() {
    const std::lock_guard lock(mutex_);
    if (!reported_) {
        reported_ = true;
        wakeUp_.notify_all();
    }
}

bool Monitor::sleepUnlessStopping(int milliseconds) {
    std::unique_lock lock(mutex_);
    wakeUp_.wait_for(lock, std::chrono::milliseconds(milliseconds), [this] { return stopping_; });
    return !stopping_;
}

bool Monitor::isStopping() {
    const std::lock_guard lock(mutex_);
    return stopping_;
}

bool Monitor::openContext() {
    const std::lock_guard lock(mutex_);
    if (stopping_) {
        return false;
    }
    context_.emplace(Context::establish());
    return true;
}

void Monitor::closeContext() {
    const std::lock_guard lock(mutex_);
    context_.reset();
}

void Monitor::run() {
    bool downReported = false;
    while (!isStopping()) {
        try {
            if (!openContext()) {
                return;
            }
            if (downReported) {
                emit(ReaderEvent::Type::ServiceUp);
                downReported = false;
            }
            watch(*context_);
        } catch (const PcscError&) {
            // pcscd is down, or went away while we listed readers: both mean reconnect.
        }
        closeContext();
        if (isStopping()) {
            return;
        }
        forgetAllReaders();
        if (!downReported) {
            emit(ReaderEvent::Type::ServiceDown);
            downReported = true;
            markReported();  // nothing more to wait for until pcscd is back
        }
        if (!sleepUnlessStopping(kReconnectDelayMs)) {
            return;
        }
    }
}

void Monitor::watch(const Context& context) {
    pnpState_ = 0;
    for (;;) {
        syncReaderList(context.listReaders());
        if (readers_.empty()) {
            markReported();  // no reader, so no card to wait for
        }

        std::vector<std::string> names;
        std::vector<SCARD_READERSTATE> states;
        for (const auto& [name, state] : readers_) {
            names.push_back(name);
        }
        for (const auto& name : names) {
            SCARD_READERSTATE entry{};
            entry.szReader = name.c_str();
            entry.dwCurrentState = readers_[name].pcscState;
            states.push_back(entry);
        }
        SCARD_READERSTATE pnp{};
        pnp.szReader = kPnpReader;
        pnp.dwCurrentState = pnpState_;
        states.push_back(pnp);

        const LONG rv = SCardGetStatusChange(context.handle(), INFINITE, states.data(),
                                             static_cast<DWORD>(states.size()));
        if (classify(rv) == ErrorKind::Cancelled) {
            const std::lock_guard lock(mutex_);
            if (stopping_) {
                return;
            }
            continue;
        }
        if (serviceLost(rv) || !context.isValid()) {
            return;
        }
        if (unknownReader(rv) || classify(rv) == ErrorKind::Timeout) {
            continue;  // the list changed under us: list again
        }
        check(rv, "SCardGetStatusChange",
              "monitor of " + std::to_string(names.size()) + " readers");

        for (std::size_t i = 0; i < names.size(); ++i) {
            if ((states[i].dwEventState & SCARD_STATE_CHANGED) != 0U) {
                applyState(names[i], states[i].dwEventState,
                           ByteView(states[i].rgbAtr, states[i].cbAtr));
            }
        }
        if ((states.back().dwEventState & SCARD_STATE_CHANGED) != 0U) {
            pnpState_ =
                states.back().dwEventState & ~static_cast<unsigned long>(SCARD_STATE_CHANGED);
        }
        markReported();  // every reader was asked from "unaware": all cards are known now
    }
}

void Monitor::syncReaderList(const std::vector<std::string>& readers) {
    for (auto it = readers_.begin(); it != readers_.end();) {
        if (std::find(readers.begin(), readers.end(), it->first) == readers.end()) {
            if (it->second.cardPresent) {
                emit(ReaderEvent::Type::CardRemoved, it->first);
            }
            emit(ReaderEvent::Type::ReaderRemoved, it->first);
            it = readers_.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto& name : readers) {
        if (readers_.emplace(name, ReaderState{}).second) {
            emit(ReaderEvent::Type::ReaderAdded, name);
        }
    }
}

void Monitor::applyState(const std::string& reader, unsigned long eventState, ByteView atr) {
    ReaderState& known = readers_[reader];
    const bool present = (eventState & SCARD_STATE_PRESENT) != 0U;
    const bool swapped = known.cardPresent && present &&
                         eventCounter(known.pcscState) != eventCounter(eventState) &&
                         known.pcscState != SCARD_STATE_UNAWARE;
    if (known.cardPresent && (!present || swapped)) {
        emit(ReaderEvent::Type::CardRemoved, reader);
    }
    if (present && (!known.cardPresent || swapped)) {
        emit(ReaderEvent::Type::CardInserted, reader, Bytes(atr.begin(), atr.end()));
    }
    known.cardPresent = present;
    known.pcscState = eventState & ~static_cast<unsigned long>(SCARD_STATE_CHANGED);
}

void Monitor::forgetAllReaders() {
    syncReaderList({});
}

void Monitor::emit(ReaderEvent::Type type, const std::string& reader, Bytes atr) {
    callback_(ReaderEvent{type, reader, std::move(atr)});
}

}  // namespace taplink::pcsc
