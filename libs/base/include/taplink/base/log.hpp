// The one logging sink of a process. Every layer writes its diagnostics here; main() decides
// where they go (by default stderr, which systemd's journal or the browser collects) and how
// much. Lines never carry secrets: no keys, no PINs, no full card numbers, no message bodies.
#pragma once

#include <functional>
#include <string_view>

namespace taplink::log {

enum class Level { Debug, Info, Warning, Error };

// "debug", "info", "warning", "error".
std::string_view levelName(Level level);

// Receives one whole line at a time (no newline), from any thread, possibly from several at
// once: a sink that keeps state locks it.
using Sink = std::function<void(Level level, std::string_view line)>;

// The prefix of stderr lines: "<name>: <line>". Set once by main(); "taplink" until then.
void setProgramName(std::string_view name);
// Lines below this level are dropped (default: Info).
void setMinimumLevel(Level level);
// Where lines go; an empty sink restores stderr. Returns the sink it replaces.
Sink setSink(Sink sink);

void write(Level level, std::string_view line);
inline void debug(std::string_view line) {
    write(Level::Debug, line);
}
inline void info(std::string_view line) {
    write(Level::Info, line);
}
inline void warning(std::string_view line) {
    write(Level::Warning, line);
}
inline void error(std::string_view line) {
    write(Level::Error, line);
}

// A Sink that forwards to the process's log: the default of components that take a Sink of
// their own (the API servers do, so that their tests can read what they log).
Sink processSink();

}  // namespace taplink::log
