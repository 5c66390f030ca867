#include "server_config.hpp"

#include "taplink/protocol/purchase_wire.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/listeners.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

namespace {

namespace wire = net::wire;

constexpr std::uint64_t kMaxLifetimeSeconds = std::uint64_t{24} * 3600;

std::string resolved(const std::string& path, const std::string& baseDir) {
    if (path.empty()) {
        throw ConfigError("configuration: an empty path");
    }
    const std::filesystem::path given(path);
    return given.is_absolute()
               ? path
               : (std::filesystem::path(baseDir) / given).lexically_normal().string();
}

MerchantConfig readMerchant(wire::StrictObject in, const std::string& baseDir) {
    MerchantConfig merchant;
    merchant.host = in.string("host");
    merchant.port = static_cast<std::uint16_t>(in.integer("port", 0, 0xFFFF));
    merchant.checkoutDir = resolved(in.string("checkoutDir"), baseDir);
    merchant.sdkDir = resolved(in.string("sdkDir"), baseDir);
    merchant.demoAccountHolder = in.optionalString("demoAccountHolder");
    merchant.merchantName = in.optionalString("merchantName");
    if (merchant.merchantName && !wire::isValidMerchantName(*merchant.merchantName)) {
        in.failMember("merchantName", "must be 1..64 bytes of UTF-8 without control characters");
    }
    in.finish();
    return merchant;
}

TsmConfig readTsm(wire::StrictObject in, const std::string& baseDir) {
    TsmConfig tsm;
    if (const auto keysFile = in.optionalString("keysFile")) {
        tsm.keysFile = resolved(*keysFile, baseDir);
    }
    if (in.has("activateEnrolledChips")) {
        tsm.activateEnrolledChips = in.boolean("activateEnrolledChips");
    }
    in.finish();
    return tsm;
}

void requireLoopback(const std::string& host, const char* field) {
    if (!http::isLoopbackHost(host)) {
        throw ConfigError(std::string("configuration: ") + field + " " + host +
                          " is not a loopback address; the server listens on loopback only");
    }
}

ServerConfig readConfig(const wire::Json& document, const std::string& baseDir) {
    wire::StrictObject in(document, "configuration");
    ServerConfig config;
    wire::StrictObject listen = in.object("listen");
    config.host = listen.string("host");
    config.port = static_cast<std::uint16_t>(listen.integer("port", 0, 0xFFFF));
    listen.finish();
    wire::StrictObject tls = in.object("tls");
    config.tls.certificateChain = resolved(tls.string("certificateChain"), baseDir);
    config.tls.privateKey = resolved(tls.string("privateKey"), baseDir);
    config.tls.deviceCa = resolved(tls.string("deviceCa"), baseDir);
    tls.finish();
    config.scriptSigningKey = resolved(in.string("scriptSigningKey"), baseDir);
    config.allowanceSigningKey = resolved(in.string("allowanceSigningKey"), baseDir);
    config.scriptsDir = resolved(in.string("scriptsDir"), baseDir);
    config.issuers = resolved(in.string("issuers"), baseDir);
    config.database = resolved(in.string("database"), baseDir);
    config.adminSocket = resolved(in.string("adminSocket"), baseDir);
    if (in.has("authorizationLifetimeSeconds")) {
        config.authorizationLifetimeSeconds = static_cast<std::int64_t>(
            in.integer("authorizationLifetimeSeconds", 0, kMaxLifetimeSeconds));
    }
    if (in.has("maxOrderAmount")) {
        config.maxOrderAmount =
            static_cast<std::uint32_t>(in.integer("maxOrderAmount", 0, 0xFFFFFFFFU));
    }
    if (in.has("maxCardBalance")) {
        config.maxCardBalance =
            static_cast<std::uint32_t>(in.integer("maxCardBalance", 0, 0xFFFFFFFFU));
    }
    if (in.has("merchant")) {
        config.merchant = readMerchant(in.object("merchant"), baseDir);
    }
    if (in.has("tsm")) {
        config.tsm = readTsm(in.object("tsm"), baseDir);
    }
    in.finish();
    return config;
}

}  // namespace

ServerConfig parseServerConfig(std::string_view jsonText, const std::string& baseDir) {
    ServerConfig config;
    try {
        config = readConfig(wire::parseJson(jsonText), baseDir);
    } catch (const wire::WireFormatError& error) {
        throw ConfigError(error.what());
    }
    requireLoopback(config.host, "listen.host");
    if (config.merchant) {
        requireLoopback(config.merchant->host, "merchant.host");
    }
    if (config.authorizationLifetimeSeconds <= 0 || config.maxOrderAmount == 0) {
        throw ConfigError(
            "configuration: authorizationLifetimeSeconds and maxOrderAmount must be positive");
    }
    return config;
}

ServerConfig loadServerConfig(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw ConfigError("cannot read the configuration " + path);
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    const std::filesystem::path absolute = std::filesystem::absolute(path);
    try {
        return parseServerConfig(contents.str(), absolute.parent_path().string());
    } catch (const ConfigError& error) {
        throw ConfigError(path + ": " + error.what());
    }
}

}  // namespace taplink::server
