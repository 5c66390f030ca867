#include "sim_card_port.hpp"

#include <stdexcept>
#include <utility>

#include "taplink/pcsc/errors.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::service::testing {

namespace {

using Event = pcsc::ReaderEvent;
using pcsc::ErrorKind;

// Code 0: found by us, as PcscCardPort's own checks report it.
[[noreturn]] void fail(ErrorKind kind, const std::string& operation, const std::string& reader) {
    throw pcsc::PcscError(kind, operation, 0, reader);
}

}  // namespace

class SimCardPort::Connection final : public apdu::ApduChannel {
  public:
    Connection(SimCardPort& port, Handle handle) : port_(port), handle_(std::move(handle)) {}
    ~Connection() override { port_.disconnect(handle_); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        return port_.transmit(handle_, command);
    }

  private:
    SimCardPort& port_;
    Handle handle_;
};

class SimCardPort::SinkWatch final : public CardPort::Watch {
  public:
    SinkWatch(SimCardPort& port, EventSink sink)
        : port_(port), id_(port.addSink(std::move(sink))) {}
    ~SinkWatch() override { port_.removeSink(id_); }
    SinkWatch(const SinkWatch&) = delete;
    SinkWatch& operator=(const SinkWatch&) = delete;

  private:
    SimCardPort& port_;
    std::uint64_t id_;
};

SimCardPort::SimCardPort(const std::vector<std::string>& readers) {
    for (const auto& name : readers) {
        readers_[name];
    }
}

SimCardPort::~SimCardPort() = default;

bool SimCardPort::available() {
    const std::lock_guard lock(mutex_);
    return !serviceDown_;
}

std::unique_ptr<CardPort::Watch> SimCardPort::watch(EventSink sink) {
    return std::make_unique<SinkWatch>(*this, std::move(sink));
}

std::unique_ptr<apdu::ApduChannel> SimCardPort::connect(const std::string& name,
                                                        CardAccess access) {
    const std::lock_guard lock(mutex_);
    if (serviceDown_) {
        fail(ErrorKind::ServiceDown, "SCardConnect", name);
    }
    const auto found = readers_.find(name);
    if (found == readers_.end()) {
        fail(ErrorKind::ReaderUnavailable, "SCardConnect", name);
    }
    Reader& reader = found->second;
    if (!reader.card) {
        fail(ErrorKind::NoCard, "SCardConnect", name);
    }
    if (reader.exclusive || (access == CardAccess::Exclusive && reader.sharedConnections > 0)) {
        fail(ErrorKind::SharingViolation, "SCardConnect", name);
    }
    if (access == CardAccess::Exclusive) {
        reader.exclusive = true;
    } else {
        ++reader.sharedConnections;
    }
    return std::make_unique<Connection>(*this,
                                        Handle{name, reader.insertion, serviceEpoch_, access});
}

void SimCardPort::insert(const std::string& name, std::shared_ptr<sim::VirtualCard> card) {
    const std::lock_guard lock(mutex_);
    Reader& reader = readerLocked(name);
    if (reader.card) {
        throw std::logic_error("SimCardPort: " + name + " holds a card already");
    }
    card->reset();  // power-on
    reader.card = std::move(card);
    reader.insertion = ++insertions_;
    if (!serviceDown_) {
        emitLocked(Event{Event::Type::CardInserted, name, reader.card->atr()});
    }
}

std::shared_ptr<sim::VirtualCard> SimCardPort::remove(const std::string& name) {
    const std::lock_guard lock(mutex_);
    Reader& reader = readerLocked(name);
    if (!reader.card) {
        return nullptr;
    }
    auto card = takeOutLocked(reader);
    if (!serviceDown_) {
        emitLocked(Event{Event::Type::CardRemoved, name, {}});
    }
    return card;
}

void SimCardPort::swap(const std::string& name, std::shared_ptr<sim::VirtualCard> card) {
    remove(name);
    insert(name, std::move(card));
}

bool SimCardPort::hasCard(const std::string& name) const {
    const std::lock_guard lock(mutex_);
    return readerLocked(name).card != nullptr;
}

void SimCardPort::pullCardAfter(const std::string& name, std::size_t commands, LastAnswer last) {
    const std::lock_guard lock(mutex_);
    Reader& reader = readerLocked(name);
    reader.pullAt = reader.sent + commands;
    reader.pullAnswer = last;
}

void SimCardPort::beforeCommand(const std::string& name, std::size_t command,
                                std::function<void()> hook) {
    const std::lock_guard lock(mutex_);
    Reader& reader = readerLocked(name);
    reader.hooks[reader.sent + command] = std::move(hook);
}

void SimCardPort::setServiceDown(bool down) {
    const std::lock_guard lock(mutex_);
    if (serviceDown_ == down) {
        return;
    }
    serviceDown_ = down;
    if (down) {
        ++serviceEpoch_;  // every handle dies with pcscd
        for (auto& [name, reader] : readers_) {
            reader.sharedConnections = 0;
            reader.exclusive = false;
            emitLocked(Event{Event::Type::ReaderRemoved, name, {}});
        }
        emitLocked(Event{Event::Type::ServiceDown, {}, {}});
        return;
    }
    emitLocked(Event{Event::Type::ServiceUp, {}, {}});
    for (auto& [name, reader] : readers_) {
        if (reader.card) {
            reader.card->reset();  // a new pcscd powers the cards up again
        }
    }
    for (const auto& [id, sink] : sinks_) {
        reportStateLocked(sink);
    }
}

std::size_t SimCardPort::commandsSent(const std::string& name) const {
    const std::lock_guard lock(mutex_);
    return readerLocked(name).sent;
}

apdu::ResponseApdu SimCardPort::transmit(const Handle& handle, const apdu::CommandApdu& command) {
    if (const auto hook = countCommand(handle)) {
        hook();
    }
    return deliver(handle, command);
}

// The hook due before this command, if any; the command is not counted yet.
std::function<void()> SimCardPort::countCommand(const Handle& handle) {
    const std::lock_guard lock(mutex_);
    requireLive(handle);
    Reader& reader = readerLocked(handle.reader);
    const auto due = reader.hooks.find(reader.sent + 1);
    if (due == reader.hooks.end()) {
        return {};
    }
    auto hook = std::move(due->second);
    reader.hooks.erase(due);
    return hook;
}

apdu::ResponseApdu SimCardPort::deliver(const Handle& handle, const apdu::CommandApdu& command) {
    const std::lock_guard lock(mutex_);
    requireLive(handle);  // again: the hook may have pulled the card
    Reader& reader = readerLocked(handle.reader);
    ++reader.sent;
    ::taplink::testing::VirtualCardChannel card(reader.card);
    auto response = card.transmit(command);
    if (!reader.pullAt || reader.sent < *reader.pullAt) {
        return response;
    }
    const LastAnswer last = reader.pullAnswer;
    takeOutLocked(reader);
    emitLocked(Event{Event::Type::CardRemoved, handle.reader, {}});
    if (last == LastAnswer::Lost) {
        fail(ErrorKind::CardRemoved, "SCardTransmit", handle.reader);
    }
    return response;
}

void SimCardPort::disconnect(const Handle& handle) {
    const std::lock_guard lock(mutex_);
    Reader& reader = readerLocked(handle.reader);
    if (handle.serviceEpoch != serviceEpoch_ || handle.insertion != reader.insertion ||
        !reader.card) {
        return;  // the card or pcscd took the connection with it
    }
    if (handle.access == CardAccess::Exclusive) {
        reader.exclusive = false;
    } else {
        --reader.sharedConnections;
    }
}

void SimCardPort::requireLive(const Handle& handle) const {
    if (serviceDown_ || handle.serviceEpoch != serviceEpoch_) {
        fail(ErrorKind::ServiceDown, "SCardTransmit", handle.reader);
    }
    const Reader& reader = readerLocked(handle.reader);
    if (!reader.card || reader.insertion != handle.insertion) {
        fail(ErrorKind::CardRemoved, "SCardTransmit", handle.reader);
    }
}

SimCardPort::Reader& SimCardPort::readerLocked(const std::string& name) {
    const auto found = readers_.find(name);
    if (found == readers_.end()) {
        throw std::invalid_argument("SimCardPort has no reader " + name);
    }
    return found->second;
}

const SimCardPort::Reader& SimCardPort::readerLocked(const std::string& name) const {
    const auto found = readers_.find(name);
    if (found == readers_.end()) {
        throw std::invalid_argument("SimCardPort has no reader " + name);
    }
    return found->second;
}

std::shared_ptr<sim::VirtualCard> SimCardPort::takeOutLocked(Reader& reader) {
    reader.sharedConnections = 0;
    reader.exclusive = false;
    reader.pullAt.reset();
    return std::exchange(reader.card, nullptr);
}

void SimCardPort::emitLocked(const pcsc::ReaderEvent& event) {
    for (const auto& [id, sink] : sinks_) {
        sink(event);
    }
}

void SimCardPort::reportStateLocked(const EventSink& sink) const {
    if (serviceDown_) {
        sink(Event{Event::Type::ServiceDown, {}, {}});
        return;
    }
    for (const auto& [name, reader] : readers_) {
        sink(Event{Event::Type::ReaderAdded, name, {}});
        if (reader.card) {
            sink(Event{Event::Type::CardInserted, name, reader.card->atr()});
        }
    }
}

std::uint64_t SimCardPort::addSink(EventSink sink) {
    const std::lock_guard lock(mutex_);
    reportStateLocked(sink);
    const std::uint64_t id = ++nextSink_;
    sinks_.emplace(id, std::move(sink));
    return id;
}

void SimCardPort::removeSink(std::uint64_t id) {
    const std::lock_guard lock(mutex_);
    sinks_.erase(id);
}

}  // namespace taplink::service::testing
