#include "taplink/protocol/tsm_keys.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "taplink/base/strict_json.hpp"
#include "taplink/chip/chip_management.hpp"

namespace taplink::protocol {
namespace {

constexpr std::size_t kKeyVersionHexDigits = 2;

using nlohmann::json;
// Read strictly: a member nobody reads is refused too.
using Reader = JsonObjectReader<DescribedAs<TsmKeysError>>;

// "30": one byte in hex, as GlobalPlatform writes a key version number.
std::uint8_t keyVersionOf(Reader& in) {
    const std::string text = in.string("keyVersion");
    Bytes version;
    try {
        version = fromHex(text);
    } catch (const std::invalid_argument&) {
        in.failMember("keyVersion", "must be one byte in hex (\"30\")");
    }
    if (text.size() != kKeyVersionHexDigits || version.size() != 1) {
        in.failMember("keyVersion", "must be one byte in hex (\"30\")");
    }
    return version[0];
}

Bytes masterOf(Reader& in) {
    Bytes master;
    try {
        master = fromHex(in.string("master"));
    } catch (const std::invalid_argument&) {
        in.failMember("master", "must be hex");
    }
    if (master.size() != chip::mgmt::kMasterKeySize) {
        in.failMember("master", "must be " + std::to_string(chip::mgmt::kMasterKeySize) + " bytes");
    }
    return master;
}

}  // namespace

TsmMasterKey parseTsmKeys(std::string_view jsonText) {
    const json document = json::parse(jsonText, nullptr, false);
    if (document.is_discarded()) {
        throw TsmKeysError("TSM keys: not JSON");
    }
    Reader in(document, "TSM keys");
    if (in.string("format") != kTsmKeysFormat) {
        in.failMember("format", "must be \"" + std::string(kTsmKeysFormat) + "\"");
    }
    TsmMasterKey key;
    key.keyVersion = keyVersionOf(in);
    key.master = masterOf(in);
    in.finish();
    return key;
}

TsmMasterKey readTsmKeys(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw TsmKeysError("cannot read TSM keys " + path);
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    try {
        return parseTsmKeys(contents.str());
    } catch (const TsmKeysError& error) {
        throw TsmKeysError(path + ": " + error.what());
    }
}

TsmMasterKey testTsmMasterKey() {
    TsmMasterKey key;
    key.keyVersion = 0x30;
    for (std::uint8_t byte = 0x40; byte <= 0x5F; ++byte) {
        key.master.push_back(byte);
    }
    return key;
}

}  // namespace taplink::protocol
