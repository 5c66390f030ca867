#include "service/reader_registry.hpp"

#include <utility>

#include "taplink/pcsc/context.hpp"
#include "taplink/pcsc/errors.hpp"

namespace taplink::service {

namespace {
using Type = pcsc::ReaderEvent::Type;
constexpr auto kCancelPoll = std::chrono::milliseconds(100);
}  // namespace

ReaderRegistry::ReaderRegistry(EventSink sink) : sink_(std::move(sink)) {}

ReaderRegistry::~ReaderRegistry() {
    stop();
}

void ReaderRegistry::start() {
    // The monitor reports ServiceUp only after a ServiceDown: ask pcscd once ourselves.
    try {
        const auto context = pcsc::Context::establish();
        const std::lock_guard lock(mutex_);
        pcscAvailable_ = true;
    } catch (const pcsc::PcscError&) {
        const std::lock_guard lock(mutex_);
        pcscAvailable_ = false;
    }
    monitor_ =
        std::make_unique<pcsc::Monitor>([this](const pcsc::ReaderEvent& event) { onEvent(event); });
    monitor_->start();
}

void ReaderRegistry::stop() {
    if (monitor_) {
        monitor_->stop();
        monitor_.reset();
    }
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
