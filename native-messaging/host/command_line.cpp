#include "command_line.hpp"

#include <algorithm>

#include "taplink/protocol/api_names.hpp"

namespace taplink::nm {

namespace {

constexpr std::string_view kChromeScheme = "chrome-extension://";
constexpr std::size_t kChromeIdLetters = 32;  // a-p: the hex digits of a SHA-256 prefix, shifted

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

// "chrome-extension://" + 32 letters a-p + "/".
bool isChromeOrigin(std::string_view argument) {
    const std::string_view rest = argument.substr(kChromeScheme.size());
    return rest.size() == kChromeIdLetters + 1 && rest.back() == '/' &&
           std::all_of(rest.begin(), rest.end() - 1, [](char c) { return c >= 'a' && c <= 'p'; });
}

// A Firefox add-on id: an email-like name or a {GUID}; printable ASCII without spaces.
bool isAddonId(std::string_view argument) {
    return !argument.empty() && argument.size() <= api::kMaxOriginBytes &&
           std::all_of(argument.begin(), argument.end(), [](char c) { return c > ' ' && c < 127; });
}

}  // namespace

std::variant<Caller, UsageError> parseCommandLine(const std::vector<std::string_view>& arguments) {
    std::vector<std::string_view> positional;
    for (const auto argument : arguments) {
        if (!startsWith(argument, "--parent-window")) {  // Chrome on Windows; not an id
            positional.push_back(argument);
        }
    }
    if (!positional.empty() && startsWith(positional.front(), kChromeScheme)) {
        if (!isChromeOrigin(positional.front())) {
            return UsageError{"not a Chrome extension origin: " + std::string(positional.front())};
        }
        return Caller{std::string(positional.front())};
    }
    if (positional.size() == 2) {  // Firefox: manifest path, add-on id
        if (!isAddonId(positional[1])) {
            return UsageError{"not a Firefox add-on id: " + std::string(positional[1])};
        }
        return Caller{std::string(positional[1])};
    }
    return UsageError{"no extension id on the command line"};
}

std::string_view usageText() {
    return "usage: taplink-nm chrome-extension://<id>/        (Chrome, Chromium, Edge)\n"
           "       taplink-nm <manifest path> <add-on id>     (Firefox)\n"
           "taplink-nm is the TapLink native-messaging host: the browser starts it for the\n"
           "TapLink extension; see docs/native-messaging.md.";
}

}  // namespace taplink::nm
