// taplinkd's parts and how they are wired: the configuration, the services (readers, chip,
// journal, top-ups) and the API handlers that expose them (one file per method family).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/dispatcher.hpp"
#include "api/unix_server.hpp"
#include "app/daemon_config.hpp"
#include "journal/topup_journal.hpp"
#include "service/chip_session.hpp"
#include "service/reader_registry.hpp"
#include "service/topup_service.hpp"

namespace taplink::app {

class Daemon {
  public:
    explicit Daemon(DaemonConfig config);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Starts the reader monitor, the API socket and the resumer. Throws on a setup failure
    // (socket folder unsafe, journal unreadable).
    void start();
    void stop();

    const DaemonConfig& config() const { return config_; }
    service::ReaderRegistry& readers() { return readers_; }
    service::ChipSession& chip() { return chip_; }
    journal::TopupJournal& journal() { return journal_; }
    service::TopupService& topups() { return *topups_; }
    std::shared_ptr<net::TopupServerClient> serverClient();
    const std::string& socketPath() const;

    // Wakes the resumer now (a card was inserted: it may be one a top-up was writing).
    void wakeResumer();

  private:
    void onReaderEvent(const std::string& event, const std::string& reader);
    void resumeLoop();

    DaemonConfig config_;
    journal::TopupJournal journal_;
    service::ReaderRegistry readers_;
    service::ChipSession chip_;
    std::unique_ptr<service::TopupService> topups_;
    api::Dispatcher dispatcher_;
    std::unique_ptr<api::UnixServer> server_;

    std::mutex resumeMutex_;
    std::condition_variable resumeWake_;
    bool resumeRequested_ = true;
    bool stopping_ = false;
    std::thread resumer_;

    std::mutex clientMutex_;
    std::shared_ptr<net::TopupServerClient> serverClient_;
};

// Registers every method of the API on the dispatcher (reader_methods.cpp,
// topup_methods.cpp, device_methods.cpp).
void registerReaderMethods(api::Dispatcher& dispatcher, Daemon& daemon);
void registerTopupMethods(api::Dispatcher& dispatcher, Daemon& daemon);
void registerDeviceMethods(api::Dispatcher& dispatcher, Daemon& daemon);

// Runs a handler body and turns a service failure into the API's error.
template <class Body>
nlohmann::json answer(Body body) {
    try {
        return body();
    } catch (const api::ApiError&) {
        throw;
    } catch (...) {
        const auto failure = service::describeFailure(std::current_exception(), "");
        throw api::ApiError(failure.code(), failure.what());
    }
}

}  // namespace taplink::app
