#include "command_line.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "taplink/protocol/api_names.hpp"

namespace taplink::nm {

namespace {

constexpr std::string_view kChromeScheme = "chrome-extension://";
constexpr std::size_t kChromeIdLetters = 32;  // a-p: the hex digits of a SHA-256 prefix, shifted

// Every argument but --parent-window, in order: CLI11 leaves all others, an unknown option
// ("--help" too) or "--" included, as extras, which count as positional arguments.
std::vector<std::string> positionalArguments(const std::vector<std::string_view>& arguments) {
    CLI::App app{"taplink-nm", "taplink-nm"};
    app.set_help_flag();
    app.allow_extras();
    // Chrome on Windows adds "--parent-window=<handle>", ignored. A flag: it never takes the
    // next argument as its value.
    std::string parentWindow;
    app.add_flag("--parent-window", parentWindow);
    std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());  // as CLI11 reads
    app.parse(reversed);
    return app.remaining();
}

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
    std::vector<std::string> positional;
    try {
        positional = positionalArguments(arguments);
    } catch (const CLI::ParseError& error) {
        return UsageError{error.what()};
    }
    if (!positional.empty() && startsWith(positional.front(), kChromeScheme)) {
        if (!isChromeOrigin(positional.front())) {
            return UsageError{"not a Chrome extension origin: " + positional.front()};
        }
        return Caller{positional.front()};
    }
    if (positional.size() == 2) {  // Firefox: manifest path, add-on id
        if (!isAddonId(positional[1])) {
            return UsageError{"not a Firefox add-on id: " + positional[1]};
        }
        return Caller{positional[1]};
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
