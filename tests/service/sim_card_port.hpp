// A CardPort over taplink-sim's cards and chip, in process: named readers that a test fills,
// empties and swaps, and faults a real reader has (a card pulled mid-exchange, pcscd gone).
// It fails the way PcscCardPort does (pcsc::PcscError of the same kinds), so the services
// above it cannot tell the two apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "card/virtual_card.hpp"
#include "service/card_port.hpp"

namespace taplink::service::testing {

class SimCardPort final : public CardPort {
  public:
    // What happens to the answer of the command after which a card is pulled.
    enum class LastAnswer {
        Delivered,  // the card answered, then left: the next command finds no card
        Lost,       // the card did the command but left before answering (CardRemoved)
    };

    // The readers, all empty; pcscd is up.
    explicit SimCardPort(const std::vector<std::string>& readers);
    ~SimCardPort() override;
    SimCardPort(const SimCardPort&) = delete;
    SimCardPort& operator=(const SimCardPort&) = delete;

    bool available() override;
    // Events are reported on the thread that caused them (the test's, or the one whose
    // command pulled a card), never after the watch is destroyed.
    std::unique_ptr<Watch> watch(EventSink sink) override;
    std::unique_ptr<apdu::ApduChannel> connect(const std::string& reader,
                                               CardAccess access) override;

    // Powers the card up in the reader (which must be empty).
    void insert(const std::string& reader, std::shared_ptr<sim::VirtualCard> card);
    // Takes the card out; returns it (nullptr when the reader was empty).
    std::shared_ptr<sim::VirtualCard> remove(const std::string& reader);
    // Takes the card out and puts `card` in: connections to the old one break.
    void swap(const std::string& reader, std::shared_ptr<sim::VirtualCard> card);
    bool hasCard(const std::string& reader) const;

    // The card in `reader` leaves once `commands` more commands have reached it.
    void pullCardAfter(const std::string& reader, std::size_t commands,
                       LastAnswer last = LastAnswer::Delivered);
    // Runs `hook` on the sending thread just before the `command`-th command from now goes
    // to the card in `reader` (the port's lock is not held: the hook may pull the card).
    void beforeCommand(const std::string& reader, std::size_t command, std::function<void()> hook);
    // pcscd stops (readers reported removed, connections broken) or comes back.
    void setServiceDown(bool down);
    // Commands that reached a card in `reader` so far.
    std::size_t commandsSent(const std::string& reader) const;

  private:
    struct Reader {
        std::shared_ptr<sim::VirtualCard> card;
        std::uint64_t insertion = 0;  // of the card in it now
        std::size_t sharedConnections = 0;
        bool exclusive = false;
        std::size_t sent = 0;               // commands that reached a card here
        std::optional<std::size_t> pullAt;  // the card leaves after this many
        LastAnswer pullAnswer = LastAnswer::Delivered;
        std::map<std::size_t, std::function<void()>> hooks;  // by command number
    };
    class Connection;
    class SinkWatch;
    friend class Connection;
    friend class SinkWatch;

    struct Handle {
        std::string reader;
        std::uint64_t insertion = 0;
        std::uint64_t serviceEpoch = 0;
        CardAccess access = CardAccess::Shared;
    };

    apdu::ResponseApdu transmit(const Handle& handle, const apdu::CommandApdu& command);
    std::function<void()> countCommand(const Handle& handle);
    apdu::ResponseApdu deliver(const Handle& handle, const apdu::CommandApdu& command);
    void disconnect(const Handle& handle);
    void requireLive(const Handle& handle) const;
    Reader& readerLocked(const std::string& name);
    const Reader& readerLocked(const std::string& name) const;
    std::shared_ptr<sim::VirtualCard> takeOutLocked(Reader& reader);
    void emitLocked(const pcsc::ReaderEvent& event);
    void reportStateLocked(const EventSink& sink) const;
    std::uint64_t addSink(EventSink sink);
    void removeSink(std::uint64_t id);

    mutable std::mutex mutex_;  // guards everything below; events are sent under it
    std::map<std::string, Reader> readers_;
    std::map<std::uint64_t, EventSink> sinks_;
    std::uint64_t nextSink_ = 0;
    std::uint64_t insertions_ = 0;
    std::uint64_t serviceEpoch_ = 0;
    bool serviceDown_ = false;
};

}  // namespace taplink::service::testing
