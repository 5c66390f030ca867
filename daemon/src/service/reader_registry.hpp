// What taplinkd knows of readers and cards right now, kept current by the PC/SC monitor
// (one thread blocked in SCardGetStatusChange). Front ends learn it through readers.list
// and the reader/card events; the top-up waits on it for a card.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "service/card_port.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::service {

struct ReaderInfo {
    std::string name;
    bool cardPresent = false;
    Bytes atr;
    std::uint64_t insertion = 0;  // goes up with every card inserted: tells a swap apart
};

class ReaderRegistry {
  public:
    // Receives reader.added, reader.removed, card.inserted and card.removed with their
    // params, on the monitor's thread; it must not throw.
    using EventSink = std::function<void(const std::string& event, const std::string& reader)>;

    ReaderRegistry(CardPort& cards, EventSink sink);
    ~ReaderRegistry();
    ReaderRegistry(const ReaderRegistry&) = delete;
    ReaderRegistry& operator=(const ReaderRegistry&) = delete;

    void start();
    void stop();

    std::vector<ReaderInfo> readers() const;
    std::optional<ReaderInfo> reader(const std::string& name) const;
    // False while pcscd is down.
    bool pcscAvailable() const;

    // Waits until a card is present in `wanted` (any reader but `excluded` when `wanted` is
    // empty) and returns that reader; nullopt when the time runs out or `cancelled` says so.
    std::optional<ReaderInfo> waitForCard(const std::string& wanted, const std::string& excluded,
                                          std::chrono::milliseconds timeout,
                                          const std::function<bool()>& cancelled);

  private:
    void onEvent(const pcsc::ReaderEvent& event) noexcept;
    std::optional<ReaderInfo> findCardLocked(const std::string& wanted,
                                             const std::string& excluded) const;

    CardPort& cards_;
    EventSink sink_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, ReaderInfo> readers_;
    bool pcscAvailable_ = false;
    std::uint64_t insertions_ = 0;
    std::unique_ptr<CardPort::Watch> watch_;
};

}  // namespace taplink::service
