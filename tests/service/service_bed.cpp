#include "service_bed.hpp"

#include <stdexcept>
#include <utility>

#include "cards/profiles.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"

namespace taplink::service::testing {

void SeenLog::add(std::string line) {
    const std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
}

std::vector<std::string> SeenLog::lines() const {
    const std::lock_guard lock(mutex_);
    return lines_;
}

ServiceBed::ServiceBed() : ServiceBed(Options{}) {}

ServiceBed::ServiceBed(Options options)
    : journal(journal::TopupJournal::open(dir.file("journal.sqlite"))),
      readers(port, [this](const std::string& event,
                           const std::string& reader) { readerEvents.add(event + " " + reader); }),
      chip(port, readers, "", kChipPin),
      server(std::make_shared<ScriptedTopupServer>(
          chipCard.certificate.get(),
          makeEnvelope(readRechargeScript("city-epurse-load.json"), signingKey.get()))),
      service(
          port, readers, chip, journal, [this] { return server; }, {trustedKeyOf(signingKey.get())},
          TopupSettings{"", options.cardWait}, {},
          [this](std::uint32_t version) {
              if (requireParameters) {
                  requireParameters(version);
              }
          }) {
    if (options.chipInserted) {
        port.insert(kChipReader, chipCard.card);
    }
    readers.start();
    if (options.chipInserted) {
        chip.identity();  // as taplinkd does at start: the chip is found before any top-up
    }
}

ServiceBed::~ServiceBed() = default;

std::shared_ptr<sim::VirtualCard> ServiceBed::makeCityCard(const Bytes& serial) {
    sim::CardOptions options;
    options.serial = serial;
    options.balance = kInitialBalance;
    return sim::makeCard("city-3des", options);
}

std::uint32_t ServiceBed::cardBalance() {
    const auto connection = port.connect(kCardReader, CardAccess::Shared);
    cards::epurse::EpurseCard purse(*connection);
    if (!purse.select()) {
        throw std::runtime_error("test: no e-purse in " + std::string(kCardReader));
    }
    return purse.readBalance();
}

TopupOutcome ServiceBed::run(const std::string& orderId, const std::function<bool()>& cancelled,
                             const TopupService::Confirm& confirm) {
    const auto never = [] { return false; };
    return service.run(
        orderId, "", [this](const std::string& stage) { stages.add(stage); },
        cancelled ? cancelled : std::function<bool()>(never), confirm);
}

ServiceError ServiceBed::runError(const std::string& orderId,
                                  const std::function<bool()>& cancelled,
                                  const TopupService::Confirm& confirm) {
    try {
        run(orderId, cancelled, confirm);
    } catch (const ServiceError& error) {
        return error;
    }
    throw std::logic_error("the top-up of " + orderId + " did not fail");
}

journal::TopupRecord ServiceBed::record(const std::string& orderId) {
    auto found = journal.find(orderId);
    if (!found) {
        throw std::logic_error("no journal record of " + orderId);
    }
    return *found;
}

std::vector<journal::TopupState> ServiceBed::history(const std::string& orderId) {
    return journal.history(orderId);
}

}  // namespace taplink::service::testing
