// Watches pcscd for readers and cards coming and going. One thread blocks in
// SCardGetStatusChange on every reader plus "\\?PnP?\Notification": no polling.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "taplink/base/bytes.hpp"
#include "taplink/pcsc/context.hpp"

namespace taplink::pcsc {

struct ReaderEvent {
    enum class Type {
        ReaderAdded,
        ReaderRemoved,
        CardInserted,
        CardRemoved,
        ServiceDown,
        ServiceUp
    };
    Type type;
    std::string reader;  // empty for ServiceDown / ServiceUp
    Bytes atr;           // CardInserted only
};

std::string_view toString(ReaderEvent::Type type);

class Monitor {
  public:
    // The callback runs on the monitor's thread; it must not throw.
    using Callback = std::function<void(const ReaderEvent&)>;

    explicit Monitor(Callback callback);
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;
    ~Monitor();

    // Reports the readers and cards already there as added/inserted, then every change.
    // While pcscd is down it reports ServiceDown once and reconnects when pcscd returns.
    void start();
    // Waits until the readers and cards there at start() have all been reported, or pcscd
    // was found down; false when `timeout` ran out or stop() came first. A daemon answers its
    // first callers from a complete view this way, not "no reader" a moment after it starts.
    bool waitUntilReported(std::chrono::milliseconds timeout);
    // Returns once the thread has left; from inside the callback it only asks the thread
    // to leave. The monitor must not be destroyed from its own callback.
    void stop();

  private:
    struct ReaderState {
        unsigned long pcscState = 0;  // last dwEventState, fed back as dwCurrentState
        bool cardPresent = false;
    };

    void run();
    bool isStopping();
    // Opens and closes context_ under the lock, so stop() never cancels a dead context.
    // openContext() is false when stopping; it throws PcscError when pcscd is down.
    bool openContext();
    void closeContext();
    // Returns when pcscd goes away or stop() is called.
    void watch(const Context& context);
    void syncReaderList(const std::vector<std::string>& readers);
    void applyState(const std::string& reader, unsigned long eventState, ByteView atr);
    void forgetAllReaders();
    void markReported();
    void emit(ReaderEvent::Type type, const std::string& reader = {}, Bytes atr = {});
    bool sleepUnlessStopping(int milliseconds);

    Callback callback_;
    std::thread thread_;
    std::mutex mutex_;  // guards stopping_, finished_, reported_ and writes to context_
    std::condition_variable wakeUp_;
    bool stopping_ = false;
    bool finished_ = false;  // run() has returned
    bool reported_ = false;  // what was there at start() has been reported
    std::optional<Context> context_;
    std::map<std::string, ReaderState> readers_;
    unsigned long pnpState_ = 0;
};

}  // namespace taplink::pcsc
