// Benchmarks of the PC/SC layer on the real test bed (private pcscd + vpcd + taplink-sim,
// iso-t1 card in slot 0). Needs root, like the test bed.
//
//  echo/taplink_transmit/N    CardConnection::transmit() of an ECHO with N data bytes
//  echo/raw_SCardTransmit/N   the same APDU bytes through plain SCardTransmit (own
//                             SCARDCONTEXT / SCARDHANDLE on the same reader): the baseline
//  echo/interleaved_ratio/N   both paths alternating APDU by APDU: the ratio ours / raw
//                             (separate runs drift too much with the machine's load)
//  monitor/insert_to_event/*  sim insert -> pcsc::Monitor CardInserted, in ms (manual time).
//                             pcscd polls vpcd readers for presence every 400 ms, so this is
//                             hundreds of ms by design. back_to_back inserts right after the
//                             CardRemoved event (in phase with pcscd's poll: near worst case);
//                             random_phase first waits 0-400 ms, like a hand would.
//
// After the run a summary prints "ratio transmit/raw: X" per size (from the interleaved
// benchmark; the separate runs' ratio follows for reference) and mean / p50 / max of the
// monitor latencies.
#include <PCSC/pcsclite.h>
#include <PCSC/winscard.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "applets/diag_applet.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/context.hpp"
#include "taplink/pcsc/monitor.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

using Clock = std::chrono::steady_clock;
using EventType = pcsc::ReaderEvent::Type;

constexpr int kSlot = 0;
constexpr const char* kProfile = "iso-t1";
constexpr std::array<std::size_t, 3> kEchoSizes{8, 256, 4096};
constexpr int kTransmitRepetitions = 3;
constexpr double kTransmitMinSeconds = 0.5;
constexpr int kInterleavedPairs = 6000;
constexpr std::size_t kPairsPerConnection = 500;
constexpr int kMonitorSamples = 12;
constexpr int kPcscdPollMs = 400;
constexpr auto kEventTimeout = std::chrono::seconds(5);

constexpr std::string_view kOursPrefix = "echo/taplink_transmit/";
constexpr std::string_view kRawPrefix = "echo/raw_SCardTransmit/";
constexpr std::string_view kInterleavedPrefix = "echo/interleaved_ratio/";
constexpr std::string_view kMonitorPrefix = "monitor/insert_to_event/";

// Created in main() before any benchmark runs: one test bed per process (pcsc-lite reads
// the socket path once per process).
testbed::TestBed* gBed = nullptr;

apdu::CommandApdu selectDiag() {
    return apdu::CommandApdu{0x00, 0xA4, 0x04, 0x00, sim::diagAid(), apdu::kMaxShortLe};
}

// More than 255 data bytes make it an extended APDU; Le then asks for everything.
apdu::CommandApdu echoCommand(std::size_t size) {
    Bytes data(size);
    for (std::size_t i = 0; i < size; ++i) {
        data[i] = static_cast<std::uint8_t>((i * 7U + 1U) & 0xFFU);
    }
    const std::size_t le = size <= apdu::kMaxShortLc ? apdu::kMaxShortLe : apdu::kMaxExtendedLe;
    apdu::CommandApdu command{sim::diag::kCla, sim::diag::kInsEcho, 0, 0, std::move(data), {}};
    command.le = le;
    return command;
}

double milliseconds(Clock::duration duration) {
    return std::chrono::duration<double, std::milli>(duration).count();
}

double mean(const std::vector<double>& values) {
    double sum = 0;
    for (const double value : values) {
        sum += value;
    }
    return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0.0;
    }
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

double maximum(const std::vector<double>& values) {
    return values.empty() ? 0.0 : *std::max_element(values.begin(), values.end());
}

// --- APDU round trip through our layer -------------------------------------------------

void benchTransmit(benchmark::State& state, std::size_t size) {
    try {
        const auto context = pcsc::Context::establish();
        auto card = pcsc::CardConnection::connect(context, gBed->readerName(kSlot));
        if (!card.transmit(selectDiag()).ok()) {
            state.SkipWithError("SELECT of the diag application failed");
            return;
        }
        const auto command = echoCommand(size);
        for (auto _ : state) {
            const auto response = card.transmit(command);
            if (!response.ok() || response.data.size() != size) {
                state.SkipWithError("unexpected ECHO answer");
                break;
            }
            benchmark::DoNotOptimize(response.data.data());
        }
        state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
    } catch (const std::exception& error) {
        state.SkipWithError(error.what());
    }
}

// --- The same APDU bytes through plain pcsc-lite ---------------------------------------

class RawCard {
  public:
    RawCard() = default;
    RawCard(const RawCard&) = delete;
    RawCard& operator=(const RawCard&) = delete;
    ~RawCard() {
        if (handle_ != 0) {
            SCardDisconnect(handle_, SCARD_LEAVE_CARD);
        }
        if (context_ != 0) {
            SCardReleaseContext(context_);
        }
    }

    // Returns an error text, empty on success.
    std::string connect(const std::string& reader) {
        LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context_);
        if (rv != SCARD_S_SUCCESS) {
            context_ = 0;
            return std::string("SCardEstablishContext: ") + pcsc_stringify_error(rv);
        }
        DWORD active = 0;
        rv = SCardConnect(context_, reader.c_str(), SCARD_SHARE_SHARED,
                          SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &handle_, &active);
        if (rv != SCARD_S_SUCCESS) {
            handle_ = 0;
            return std::string("SCardConnect: ") + pcsc_stringify_error(rv);
        }
        pci_ = active == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
        return {};
    }

    // One SCardTransmit into the preallocated buffer; the answer length, or nullopt.
    std::optional<std::size_t> transmit(const Bytes& command) {
        DWORD length = static_cast<DWORD>(buffer_.size());
        const LONG rv =
            SCardTransmit(handle_, pci_, command.data(), static_cast<DWORD>(command.size()),
                          nullptr, buffer_.data(), &length);
        if (rv != SCARD_S_SUCCESS) {
            return std::nullopt;
        }
        return static_cast<std::size_t>(length);
    }

    // True when an answer of `length` bytes is `dataSize` data bytes and 90 00.
    bool answerOk(std::optional<std::size_t> length, std::size_t dataSize) const {
        return length && *length == dataSize + 2 && buffer_[dataSize] == 0x90 &&
               buffer_[dataSize + 1] == 0x00;
    }

    bool statusOk(std::optional<std::size_t> length) const {
        return length && *length >= 2 && buffer_[*length - 2] == 0x90 &&
               buffer_[*length - 1] == 0x00;
    }

  private:
    SCARDCONTEXT context_ = 0;
    SCARDHANDLE handle_ = 0;
    const SCARD_IO_REQUEST* pci_ = nullptr;
    std::vector<BYTE> buffer_ = std::vector<BYTE>(MAX_BUFFER_SIZE_EXTENDED);
};

void benchRawTransmit(benchmark::State& state, std::size_t size) {
    RawCard card;
    if (const auto error = card.connect(gBed->readerName(kSlot)); !error.empty()) {
        state.SkipWithError(error.c_str());
        return;
    }
    if (!card.statusOk(card.transmit(selectDiag().encode()))) {
        state.SkipWithError("SELECT of the diag application failed");
        return;
    }
    const Bytes command = echoCommand(size).encode();
    for (auto _ : state) {
        if (!card.answerOk(card.transmit(command), size)) {
            state.SkipWithError("unexpected ECHO answer");
            break;
        }
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

// --- The ratio: both paths interleaved -------------------------------------------------

// One connection through our layer and one raw pcsc-lite connection (own SCARDCONTEXT and
// SCARDHANDLE) to the same card, both after SELECT of the diag application.
class ConnectionPair {
  public:
    explicit ConnectionPair(const std::string& reader)
        : context_(pcsc::Context::establish()),
          ours_(pcsc::CardConnection::connect(context_, reader)) {
        if (const auto error = raw_.connect(reader); !error.empty()) {
            throw std::runtime_error(error);
        }
        if (!ours_.transmit(selectDiag()).ok() ||
            !raw_.statusOk(raw_.transmit(selectDiag().encode()))) {
            throw std::runtime_error("SELECT of the diag application failed");
        }
    }

    pcsc::CardConnection& ours() { return ours_; }
    RawCard& raw() { return raw_; }

  private:
    pcsc::Context context_;
    pcsc::CardConnection ours_;
    RawCard raw_;
};

// A round trip is ~0.1 ms of hand-offs between three processes (us, pcscd, taplink-sim),
// so runs one after the other drift with the machine's load, and each connection has its
// own pcscd thread whose CPU placement alone shifts its times by up to ~10 % on a busy
// machine. So for the ratio each iteration is one pair, one APDU through transmit() and
// the same APDU through SCardTransmit, the order alternating, each timed alone; both
// connections are reopened every kPairsPerConnection pairs. Per block of pairs the ratio
// is median(transmit) / median(raw); the reported ratio is the median over the blocks.
void benchInterleaved(benchmark::State& state, std::size_t size) {
    const std::string reader = gBed->readerName(kSlot);
    const auto command = echoCommand(size);
    const Bytes encoded = command.encode();
    std::unique_ptr<ConnectionPair> connections;

    // Microseconds for one APDU; nullopt when the answer is wrong.
    auto timeOurs = [&]() -> std::optional<double> {
        const auto start = Clock::now();
        const auto response = connections->ours().transmit(command);
        const auto elapsed = Clock::now() - start;
        if (!response.ok() || response.data.size() != size) {
            return std::nullopt;
        }
        return milliseconds(elapsed) * 1000.0;
    };
    auto timeRaw = [&]() -> std::optional<double> {
        const auto start = Clock::now();
        const auto length = connections->raw().transmit(encoded);
        const auto elapsed = Clock::now() - start;
        if (!connections->raw().answerOk(length, size)) {
            return std::nullopt;
        }
        return milliseconds(elapsed) * 1000.0;
    };

    std::vector<double> oursUs;
    std::vector<double> rawUs;
    std::vector<double> blockRatios;
    std::size_t blockStart = 0;
    auto closeBlock = [&] {
        if (oursUs.size() > blockStart) {
            const auto first = static_cast<std::ptrdiff_t>(blockStart);
            const double oursMedian = median({oursUs.begin() + first, oursUs.end()});
            const double rawMedian = median({rawUs.begin() + first, rawUs.end()});
            blockRatios.push_back(oursMedian / rawMedian);
        }
        blockStart = oursUs.size();
    };
    try {
        bool oursFirst = true;
        for (auto _ : state) {
            if (!connections || oursUs.size() - blockStart == kPairsPerConnection) {
                state.PauseTiming();
                closeBlock();
                connections.reset();
                connections = std::make_unique<ConnectionPair>(reader);
                state.ResumeTiming();
            }
            std::optional<double> oursTime;
            std::optional<double> rawTime;
            if (oursFirst) {
                oursTime = timeOurs();
                rawTime = timeRaw();
            } else {
                rawTime = timeRaw();
                oursTime = timeOurs();
            }
            oursFirst = !oursFirst;
            if (!oursTime || !rawTime) {
                state.SkipWithError("unexpected ECHO answer");
                break;
            }
            oursUs.push_back(*oursTime);
            rawUs.push_back(*rawTime);
        }
        closeBlock();
    } catch (const std::exception& error) {
        state.SkipWithError(error.what());
    }
    state.counters["transmit_us"] = median(oursUs);
    state.counters["raw_us"] = median(rawUs);
    state.counters["ratio"] = median(blockRatios);
    state.counters["blocks"] = static_cast<double>(blockRatios.size());
    state.SetLabel("1 iteration = 1 transmit() + 1 SCardTransmit");
}

// --- Insert -> monitor event latency ---------------------------------------------------

// Monitor events with the time they reached the callback.
class EventLog {
  public:
    void add(const pcsc::ReaderEvent& event) noexcept {
        const auto at = Clock::now();
        try {
            const std::lock_guard lock(mutex_);
            events_.push_back(Entry{event.type, event.reader, at});
        } catch (...) {
            return;  // the monitor's callback must not throw; a lost event shows as a timeout
        }
        arrived_.notify_all();
    }

    void clear() {
        const std::lock_guard lock(mutex_);
        events_.clear();
    }

    // When the first matching event since the last clear() arrived; nullopt on timeout.
    std::optional<Clock::time_point> waitFor(EventType type, const std::string& reader) {
        std::unique_lock lock(mutex_);
        std::optional<Clock::time_point> at;
        arrived_.wait_for(lock, kEventTimeout, [&] {
            for (const auto& entry : events_) {
                if (entry.type == type && entry.reader == reader) {
                    at = entry.at;
                    return true;
                }
            }
            return false;
        });
        return at;
    }

  private:
    struct Entry {
        EventType type;
        std::string reader;
        Clock::time_point at;
    };

    std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<Entry> events_;
};

void benchMonitorInsert(benchmark::State& state, bool randomPhase) {
    const std::string reader = gBed->readerName(kSlot);
    auto& sim = gBed->sim();
    EventLog events;
    pcsc::Monitor monitor([&events](const pcsc::ReaderEvent& event) { events.add(event); });
    std::vector<double> insertMs;
    std::vector<double> removeMs;
    std::mt19937 random(20240601U);
    std::uniform_int_distribution<int> phaseMs(0, kPcscdPollMs);
    bool cardOut = false;
    try {
        monitor.start();
        // The card is in the slot: the monitor reports it as inserted first.
        if (!events.waitFor(EventType::CardInserted, reader)) {
            state.SkipWithError("the monitor did not report the card in slot 0");
            return;
        }
        for (auto _ : state) {
            events.clear();
            const auto removeStart = Clock::now();
            sim.remove(kSlot);
            cardOut = true;
            const auto removed = events.waitFor(EventType::CardRemoved, reader);
            if (!removed) {
                state.SkipWithError("no CardRemoved event within 5 s");
                break;
            }
            removeMs.push_back(milliseconds(*removed - removeStart));
            if (randomPhase) {
                std::this_thread::sleep_for(std::chrono::milliseconds(phaseMs(random)));
            }

            events.clear();
            const auto insertStart = Clock::now();
            sim.insert(kSlot, kProfile);
            cardOut = false;
            const auto inserted = events.waitFor(EventType::CardInserted, reader);
            if (!inserted) {
                state.SkipWithError("no CardInserted event within 5 s");
                break;
            }
            const auto elapsed = *inserted - insertStart;
            state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
            insertMs.push_back(milliseconds(elapsed));
        }
    } catch (const std::exception& error) {
        state.SkipWithError(error.what());
    }
    monitor.stop();
    if (cardOut) {
        // Leave the slot as the benchmarks found it.
        try {
            sim.insert(kSlot, kProfile);
            gBed->waitForCard(kSlot, true);
        } catch (const std::exception& error) {
            std::cerr << "taplink-bench-pcsc: could not put the card back: " << error.what()
                      << "\n";
        }
    }
    state.counters["insert_mean_ms"] = mean(insertMs);
    state.counters["insert_p50_ms"] = median(insertMs);
    state.counters["insert_max_ms"] = maximum(insertMs);
    state.counters["remove_mean_ms"] = mean(removeMs);
    state.counters["samples"] = static_cast<double>(insertMs.size());
}

// Insert/remove need the transmit benchmarks' connections closed: they run first.
void registerBenchmarks() {
    for (const std::size_t size : kEchoSizes) {
        benchmark::RegisterBenchmark((std::string(kOursPrefix) + std::to_string(size)).c_str(),
                                     benchTransmit, size)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime()
            ->MinTime(kTransmitMinSeconds)
            ->Repetitions(kTransmitRepetitions);
        benchmark::RegisterBenchmark((std::string(kRawPrefix) + std::to_string(size)).c_str(),
                                     benchRawTransmit, size)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime()
            ->MinTime(kTransmitMinSeconds)
            ->Repetitions(kTransmitRepetitions);
    }
    for (const std::size_t size : kEchoSizes) {
        benchmark::RegisterBenchmark(
            (std::string(kInterleavedPrefix) + std::to_string(size)).c_str(), benchInterleaved,
            size)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime()
            ->Iterations(kInterleavedPairs)
            ->Repetitions(1);
    }
    for (const bool randomPhase : {false, true}) {
        const std::string name =
            std::string(kMonitorPrefix) + (randomPhase ? "random_phase" : "back_to_back");
        benchmark::RegisterBenchmark(name.c_str(), benchMonitorInsert, randomPhase)
            ->Unit(benchmark::kMillisecond)
            ->UseManualTime()
            ->Iterations(kMonitorSamples)
            ->Repetitions(1);
    }
}

// --- Reporting -------------------------------------------------------------------------

// Forwards everything to the display reporter chosen by --benchmark_format and keeps the
// per-run results for the summary.
class CollectingReporter : public benchmark::BenchmarkReporter {
  public:
    explicit CollectingReporter(benchmark::BenchmarkReporter* display) : display_(display) {}

    bool ReportContext(const Context& context) override { return display_->ReportContext(context); }

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs) {
            if (run.run_type != Run::RT_Iteration || run.error_occurred || run.iterations <= 0) {
                continue;
            }
            const std::string& name = run.run_name.function_name;
            secondsPerIteration_[name].push_back(run.real_accumulated_time /
                                                 static_cast<double>(run.iterations));
            counters_[name] = run.counters;
        }
        display_->ReportRuns(runs);
    }

    void Finalize() override { display_->Finalize(); }

    void printSummary(std::ostream& out) const {
        out << "\nsummary\n" << std::fixed;
        for (const std::size_t size : kEchoSizes) {
            const auto interleaved =
                counters_.find(std::string(kInterleavedPrefix) + std::to_string(size));
            if (interleaved != counters_.end()) {
                out << "ratio transmit/raw: " << std::setprecision(2)
                    << counterValue(interleaved->second, "ratio") << "  (" << size
                    << "-byte ECHO, interleaved: transmit " << std::setprecision(1)
                    << counterValue(interleaved->second, "transmit_us") << " us, raw SCardTransmit "
                    << counterValue(interleaved->second, "raw_us")
                    << " us, medians per APDU; ratio = median of " << std::setprecision(0)
                    << counterValue(interleaved->second, "blocks") << " blocks)\n";
            }
            const auto ours =
                secondsPerIteration_.find(std::string(kOursPrefix) + std::to_string(size));
            const auto raw =
                secondsPerIteration_.find(std::string(kRawPrefix) + std::to_string(size));
            if (ours != secondsPerIteration_.end() && raw != secondsPerIteration_.end()) {
                const double oursUs = median(ours->second) * 1e6;
                const double rawUs = median(raw->second) * 1e6;
                out << "  separate runs, " << size << "-byte ECHO: transmit "
                    << std::setprecision(1) << oursUs << " us, raw SCardTransmit " << rawUs
                    << " us (ratio " << std::setprecision(2) << oursUs / rawUs << "; medians of "
                    << std::min(ours->second.size(), raw->second.size()) << " runs)\n";
            }
        }
        for (const auto& [name, counters] : counters_) {
            if (name.rfind(kMonitorPrefix, 0) != 0) {
                continue;
            }
            auto value = [&counters = counters](const char* key) {
                return counterValue(counters, key);
            };
            out << "monitor insert->CardInserted (" << name.substr(kMonitorPrefix.size())
                << ", n=" << std::setprecision(0) << value("samples") << "): mean "
                << std::setprecision(1) << value("insert_mean_ms") << " ms, p50 "
                << value("insert_p50_ms") << " ms, max " << value("insert_max_ms")
                << " ms; remove->CardRemoved mean " << value("remove_mean_ms") << " ms\n";
        }
    }

  private:
    static double counterValue(const benchmark::UserCounters& counters, const char* key) {
        const auto it = counters.find(key);
        return it == counters.end() ? 0.0 : it->second.value;
    }

    benchmark::BenchmarkReporter* display_;  // owned by the benchmark library
    std::map<std::string, std::vector<double>> secondsPerIteration_;
    std::map<std::string, benchmark::UserCounters> counters_;
};

}  // namespace
}  // namespace taplink

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    taplink::registerBenchmarks();

    std::unique_ptr<taplink::testbed::TestBed> bed;
    try {
        bed = std::make_unique<taplink::testbed::TestBed>(
            taplink::testbed::oneReader({{taplink::kSlot, taplink::kProfile}}));
    } catch (const std::exception& error) {
        std::cerr << "taplink-bench-pcsc: cannot start the test bed: " << error.what() << "\n";
        return 1;
    }
    taplink::gBed = bed.get();

    taplink::CollectingReporter reporter(benchmark::CreateDefaultDisplayReporter());
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.printSummary(std::cout);

    taplink::gBed = nullptr;
    benchmark::Shutdown();
    return 0;
}
