#include "service/reader_registry.hpp"

#include <utility>

namespace taplink::service {

namespace {
using Type = pcsc::ReaderEvent::Type;
constexpr auto kCancelPoll = std::chrono::milliseconds(100);
// How long start() waits for the readers and cards already there: pcscd answers in
// milliseconds; a hung pcscd must not hold taplinkd's start for longer than this.
constexpr auto kFirstReport = std::chrono::seconds(2);
}  // namespace

ReaderRegistry::ReaderRegistry(CardPort& cards, EventSink sink)
    : cards_(cards), sink_(std::move(sink)) {}

ReaderRegistry::~ReaderRegistry() {
    stop();
}

void ReaderRegistry::start() {
    // The watch reports ServiceUp only after a ServiceDown: ask once ourselves.
    const bool available = cards_.available();
    {
        const std::lock_guard lock(mutex_);
        pcscAvailable_ = available;
    }
    watch_ = cards_.watch([this](const pcsc::ReaderEvent& event) { onEvent(event); });
    // The first callers (a kiosk script right after start) get the readers that are there.
    watch_->waitUntilReported(kFirstReport);
}

void ReaderRegistry::stop() {
    watch_.reset();
}

std::vector<ReaderInfo> ReaderRegistry::readers() const {
    const std::lock_guard lock(mutex_);
    std::vector<ReaderInfo> out;
    out.reserve(readers_.size());
    for (const auto& [name, info] : readers_) {
        out.push_back(info);
    }
    return out;
}

std::optional<ReaderInfo> ReaderRegistry::reader(const std::string& name) const {
    const std::lock_guard lock(mutex_);
    const auto found = readers_.find(name);
    if (found == readers_.end()) {
        return std::nullopt;
    }
    return found->second;
}

bool ReaderRegistry::pcscAvailable() const {
    const std::lock_guard lock(mutex_);
    return pcscAvailable_;
}

std::optional<ReaderInfo> ReaderRegistry::findCardLocked(const std::string& wanted,
                                                         const std::string& excluded) const {
    for (const auto& [name, info] : readers_) {
        const bool eligible = wanted.empty() ? name != excluded : name == wanted;
        if (eligible && info.cardPresent) {
            return info;
        }
    }
    return std::nullopt;
}

std::optional<ReaderInfo> ReaderRegistry::waitForCard(const std::string& wanted,
                                                      const std::string& excluded,
                                                      std::chrono::milliseconds timeout,
                                                      const std::function<bool()>& cancelled) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    while (true) {
        if (auto found = findCardLocked(wanted, excluded)) {
            return found;
        }
        if (cancelled() || std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        changed_.wait_until(lock,
                            std::min(deadline, std::chrono::steady_clock::now() + kCancelPoll));
    }
}

void ReaderRegistry::onEvent(const pcsc::ReaderEvent& event) noexcept {
    std::string apiEvent;
    {
        const std::lock_guard lock(mutex_);
        switch (event.type) {
            case Type::ServiceUp:
                pcscAvailable_ = true;
                break;
            case Type::ServiceDown:
                pcscAvailable_ = false;
                readers_.clear();
                break;
            case Type::ReaderAdded:
                pcscAvailable_ = true;
                readers_[event.reader].name = event.reader;
                apiEvent = "reader.added";
                break;
            case Type::ReaderRemoved:
                readers_.erase(event.reader);
                apiEvent = "reader.removed";
                break;
            case Type::CardInserted: {
                ReaderInfo& info = readers_[event.reader];
                info.name = event.reader;
                info.cardPresent = true;
                info.atr = event.atr;
                info.insertion = ++insertions_;
                apiEvent = "card.inserted";
                break;
            }
            case Type::CardRemoved: {
                ReaderInfo& info = readers_[event.reader];
                info.name = event.reader;
                info.cardPresent = false;
                info.atr.clear();
                apiEvent = "card.removed";
                break;
            }
        }
    }
    changed_.notify_all();
    if (!apiEvent.empty() && sink_) {
        try {
            sink_(apiEvent, event.reader);
        } catch (...) {  // NOLINT(bugprone-empty-catch): an event sink must not stop the monitor
        }
    }
}

}  // namespace taplink::service
