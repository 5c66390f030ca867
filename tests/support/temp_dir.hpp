// The one temporary folder of the tests: made by mkdtemp (so owner-only, 0700, and a name
// nobody else holds) under $TMPDIR or /tmp, and removed with everything in it when destroyed.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace taplink::testsupport {

// 0711: another uid may pass through the folder to a socket below it, not list it.
inline constexpr std::filesystem::perms kOthersMayPass = std::filesystem::perms::owner_all |
                                                         std::filesystem::perms::group_exec |
                                                         std::filesystem::perms::others_exec;

class TempDir {
  public:
    // The folder is named "<prefix>-XXXXXX"; mode replaces mkdtemp's 0700.
    explicit TempDir(std::string_view prefix = "taplink-test",
                     std::filesystem::perms mode = std::filesystem::perms::owner_all);
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    const std::string& path() const { return path_; }
    // path() + "/" + name.
    std::string file(std::string_view name) const;

  private:
    std::string path_;
};

}  // namespace taplink::testsupport
