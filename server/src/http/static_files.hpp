// Files served as they are on disk (the merchant listener's checkout page and the page SDK):
// only a plain file name directly in one folder, of a type with a fixed media type. Nothing
// in a name is decoded, so "..", "%2e%2e%2f", dotfiles and subfolders can never match.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/http_message.hpp"

namespace taplink::server::http {

// The largest file served; the page's assets are a few KiB.
inline constexpr std::size_t kMaxStaticFileBytes = std::size_t{1024} * 1024;

// The media type of a name's extension (.html .js .css .svg .png, and .d.ts as plain
// text); nullopt for any other.
std::optional<std::string_view> mediaTypeFor(std::string_view name);

// Whether name is one that may be served: [A-Za-z0-9_.-], not starting with '.', at most 100
// characters, with a known extension.
bool isServableName(std::string_view name);

// 200 with the file's bytes and media type when name is servable and names a regular file
// (not a symbolic link) directly in folder, no larger than kMaxStaticFileBytes; nullopt
// otherwise (the caller answers 404).
std::optional<Response> staticFile(const std::string& folder, std::string_view name);

}  // namespace taplink::server::http
