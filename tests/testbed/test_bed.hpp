// The hardware-free test bed: a private pcscd (own mount namespace, own reader.conf of
// vpcd readers) plus taplink-sim, started together and torn down together.
//
// pcsc-lite's client library reads PCSCLITE_CSOCK_NAME once per process, so a process
// uses one test bed directory for its whole life (several TestBeds one after another reuse
// it). Needs root: it creates a mount namespace.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"
#include "control_client.hpp"

namespace taplink::testbed {

// One vpcd reader.conf entry is one two-slot reader: slot 0 "TapLink Sim Reader 00 00"
// (the contactless field) on port P and slot 1 "... 00 01" (the SAM slot) on port P+1.
// Debian 12's vpcd (0.8) keeps its per-slot state by slot number alone, so a second entry
// would alias the first one's slots: the test bed has zero or one reader.
inline constexpr int kSlotsPerReader = 2;
inline constexpr int kMaxReaders = 1;

struct Options {
    // 0 starts pcscd with no reader at all (setReaderCount(1) plugs it in later).
    int readers = 1;
    // Cards inserted at start: slot index and card profile.
    std::vector<std::pair<int, std::string>> cards;
    bool traceApdus = false;
    // More taplink-sim arguments (e.g. --issuer-keys FILE, --state-dir DIR).
    std::vector<std::string> simArguments;
};

inline Options oneReader(std::vector<std::pair<int, std::string>> cards = {}) {
    Options options;
    options.cards = std::move(cards);
    return options;
}

inline Options noReader() {
    Options options;
    options.readers = 0;
    return options;
}

class TestBed {
  public:
    explicit TestBed(Options options);
    TestBed(const TestBed&) = delete;
    TestBed& operator=(const TestBed&) = delete;
    ~TestBed();

    // The folder holding reader.conf, pcscd.comm, the logs and the sim's control socket.
    const std::string& dir() const { return dir_; }
    std::string pcscSocket() const { return dir_ + "/pcscd.comm"; }
    std::string simSocket() const { return dir_ + "/sim.sock"; }
    std::uint16_t basePort() const { return basePort_; }
    int slotCount() const { return kSlotsPerReader * kMaxReaders; }
    // pcscd's name for the slot (slot i is vpcd port basePort()+i).
    std::string readerName(int slot) const;

    sim::SimControl& sim() { return *simControl_; }

    void stopPcscd();
    void startPcscd();
    // Rewrites reader.conf and restarts pcscd: Debian 12's pcscd reads serial (vpcd)
    // readers only at start (its libudev hot-plug backend rescans USB only), so a reader
    // "plugged in" here arrives with a pcscd restart.
    void setReaderCount(int readers);

    // Waits until pcscd reports the slot's card present (or absent).
    bool waitForCard(int slot, bool present,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  private:
    void writeReaderConf() const;
    void launchPcscd();
    bool waitForReaders(std::chrono::milliseconds timeout);
    void launchSim();
    void start();

    Options options_;
    std::string dir_;
    int readers_;
    std::uint16_t basePort_ = 0;
    testsupport::ChildProcess pcscd_;
    testsupport::ChildProcess sim_;
    std::unique_ptr<sim::SimControl> simControl_;
};

// The test bed folder of this process (created on first use).
std::string processTestBedDir();

// Starts argv[0] (an absolute path) with stdout and stderr appended to logPath; the child
// dies with this process, and is stopped (SIGTERM, SIGKILL after 5 s) when destroyed. For the
// other programs a test runs next to the bed.
testsupport::ChildProcess spawnLogged(const std::vector<std::string>& argv,
                                      const std::string& logPath);

// The last maxBytes of a log file, for failure messages.
std::string readLogTail(const std::string& path, std::size_t maxBytes = 4000);

}  // namespace taplink::testbed
