// Owner-only files replaced atomically and durably: the daemon's config, the simulated cards'
// and chip's state. Like a card's EEPROM write, a replacement happens whole or not at all.
#pragma once

#include <string>
#include <string_view>

namespace taplink {

// The new content of `path`, written to an owner-only (0600) file beside it ("<path>.new")
// and fsynced, but not yet in place: commit() renames it over `path` and fsyncs the folder.
// Destroyed without commit(), it removes the staged file. So a caller can check the staged
// file before it replaces the old one, and a crash leaves the old file or the new one, never
// a mix, and never a moment where another user could read it. Throws std::system_error.
class StagedPrivateFile {
  public:
    StagedPrivateFile(std::string path, std::string_view content);
    StagedPrivateFile(const StagedPrivateFile&) = delete;
    StagedPrivateFile& operator=(const StagedPrivateFile&) = delete;
    ~StagedPrivateFile();

    const std::string& stagedPath() const { return staged_; }
    // Renames the staged file over the path, then fsyncs the folder. When only that fsync
    // fails, the new content is in place (committed() is true) but may not survive a crash.
    void commit();
    bool committed() const { return committed_; }

  private:
    std::string path_;
    std::string staged_;
    bool committed_ = false;
};

// Stages `content` and commits it at once.
void writeFileAtomically(const std::string& path, std::string_view content);

// Creates the folder (and its parents) owner-only (0700) if it does not exist.
void createPrivateDirectory(const std::string& path);

}  // namespace taplink
