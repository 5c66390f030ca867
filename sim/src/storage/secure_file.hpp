// How the simulated cards and chip keep their state: owner-only files replaced atomically
// and durably, like a card's EEPROM write that either happens whole or not at all.
#pragma once

#include <string>

namespace taplink::sim {

// Writes `content` to a new owner-only (0600) temporary file, fsyncs it, renames it over
// `path` and fsyncs the folder. A crash leaves the old file or the new one, never a mix,
// and never a moment where another user could read it. Throws std::system_error.
void writeFileAtomically(const std::string& path, const std::string& content);

// Creates the folder (and its parents) owner-only (0700) if it does not exist.
void createPrivateDirectory(const std::string& path);

}  // namespace taplink::sim
