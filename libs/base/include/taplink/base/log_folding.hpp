// Folds repeated log lines (docs/daemon.md, "Logs"): a peer that makes the same thing fail
// thousands of times a second must not flood the journal. Of identical lines within a
// window, the first is written and the rest counted; the count goes out as
// "... (repeated N times in the last Ts)" with the next line, whether it differs or comes
// after the window.
#pragma once

#include <chrono>

#include "taplink/base/log.hpp"

namespace taplink::log {

inline constexpr std::chrono::seconds kFoldWindow{10};

// A Sink that writes to `sink` with repeats folded. Thread-safe; copies share the state.
Sink foldRepeats(Sink sink, std::chrono::steady_clock::duration window = kFoldWindow);

}  // namespace taplink::log
