// The one timestamp form of a script's validity period (docs/scripts.md, "Rollback and
// validity"): RFC 3339 (section 5.6) restricted to UTC and whole seconds,
// "YYYY-MM-DDThh:mm:ssZ" exactly: no offset, no fraction, no lower-case "t" or "z", no leap
// second (a signer has no need for one and mktime-style folding would silently move it).
// taplinkd checks a script's period with it; taplink-server picks the script to serve.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace taplink {

// Unix seconds of such a timestamp; nullopt for anything else (another form, a day the month
// does not have, an hour over 23).
std::optional<std::int64_t> parseUtcTimestamp(std::string_view text);
// The same form of unix seconds, for messages.
std::string formatUtcTimestamp(std::int64_t unixSeconds);

}  // namespace taplink
