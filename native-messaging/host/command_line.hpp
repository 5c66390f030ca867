// Who started taplink-nm, from its command line. The browser passes the calling extension:
//   Chrome, Chromium, Edge: argv[1] = "chrome-extension://<32 letters a-p>/" (on Windows also
//                           a "--parent-window=<handle>" argument);
//   Firefox:                argv[1] = the path of our manifest, argv[2] = the add-on id.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace taplink::nm {

struct Caller {
    // What session.hello reports as extensionId: "chrome-extension://<id>/" for the Chromium
    // family, the add-on id ("taplink@taplink.dev") for Firefox.
    std::string extensionId;
};

// Why the command line names no extension, for stderr.
struct UsageError {
    std::string message;
};

std::variant<Caller, UsageError> parseCommandLine(const std::vector<std::string_view>& arguments);

// What taplink-nm prints with a UsageError.
std::string_view usageText();

}  // namespace taplink::nm
