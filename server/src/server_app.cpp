#include "server_app.hpp"

#include <unistd.h>

#include <iostream>
#include <thread>

#include "api/tsm_jobs.hpp"
#include "http/http_server.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::server {

namespace {

std::set<std::string, std::less<>> schemesOf(const sim::IssuerKeySet& issuers) {
    std::set<std::string, std::less<>> schemes;
    for (const sim::Issuer& issuer : issuers.issuers) {
        schemes.insert(issuer.scheme);
    }
    if (!issuers.bankIssuers.empty()) {
        // The server is the bank card's issuer: its EC loads and its purchases.
        schemes.emplace(net::wire::kBankEcScheme);
        schemes.emplace(net::wire::kBankPurchaseScheme);
    }
    return schemes;
}

// The TSM role's keys; none without tsm.keysFile (its routes then answer 503).
TsmSettings tsmSettings(const ServerConfig& config) {
    TsmSettings settings;
    if (config.tsm.keysFile) {
        settings.masterKey = protocol::readTsmKeys(*config.tsm.keysFile);
    }
    settings.activateEnrolledChips = config.tsm.activateEnrolledChips;
    settings.allowanceKey =
        crypto::uncompressedPoint(loadSigningKey(config.allowanceSigningKey, "allowance").get());
    return settings;
}

std::optional<Bytes> paymentSealKey(const TsmSettings& tsm) {
    if (!tsm.masterKey) {
        return std::nullopt;
    }
    return paymentKeySealKey(*tsm.masterKey);
}

MerchantSettings merchantSettings(const MerchantConfig& config) {
    MerchantSettings settings{.checkoutDir = config.checkoutDir,
                              .sdkDir = config.sdkDir,
                              .demoAccountHolder = config.demoAccountHolder};
    if (config.merchantName) {
        settings.merchantName = *config.merchantName;
    }
    return settings;
}

}  // namespace

ServerApp::ServerApp(ServerConfig config)
    : config_(std::move(config)),
      issuers_(sim::loadIssuerKeys(config_.issuers)),
      store_(config_.database),
      scripts_(config_.scriptsDir, loadSigningKey(config_.scriptSigningKey, "script-signing")),
      tsm_(tsmSettings(config_)),
      deviceApi_(store_, issuers_, scripts_, faults_,
                 DeviceApiSettings{config_.authorizationLifetimeSeconds, config_.maxCardBalance},
                 AnswerSigner(loadSigningKey(config_.allowanceSigningKey, "allowance")), tsm_),
      adminApi_(store_, faults_, OrderRules{config_.maxOrderAmount, schemesOf(issuers_)},
                paymentSealKey(tsm_)),
      tls_(http::makeServerContext(config_.tls)),
      listener_(http::listenOnLoopback(config_.host, config_.port)),
      adminListener_(http::listenOwnerOnly(config_.adminSocket)),
      merchant_(config_.merchant
                    ? std::make_unique<Merchant>(
                          config_, store_, OrderRules{config_.maxOrderAmount, schemesOf(issuers_)})
                    : nullptr) {}

ServerApp::Merchant::Merchant(const ServerConfig& config, ServerStore& store,
                              const OrderRules& rules)
    : api(store, rules, merchantSettings(*config.merchant)),
      tls(http::makeBrowserContext(config.tls)),
      listener(http::listenOnLoopback(config.merchant->host, config.merchant->port)) {}

std::optional<std::string> ServerApp::merchantUrl() const {
    if (!merchant_) {
        return std::nullopt;
    }
    // The certificate names localhost, 127.0.0.1 and ::1; browsers treat localhost as a
    // secure context, and an origin on the daemon's allow-list is written with it.
    const std::string& host = config_.merchant->host;
    const bool usual = host == "localhost" || host == "127.0.0.1" || host == "::1";
    const bool v6 = host.find(':') != std::string::npos;
    const std::string name = usual ? "localhost" : (v6 ? "[" + host + "]" : host);
    return "https://" + name + ":" + std::to_string(merchant_->listener.port) + "/";
}

void ServerApp::runMerchant(int stopFd) {
    SSL_CTX* context = merchant_->tls.get();
    http::SessionFactory browserSessions = [context](int fd) -> std::optional<http::Session> {
        std::string failure;  // a browser that gives up on a handshake is not an event
        auto stream = http::TlsStream::accept(context, fd, failure);
        if (!stream) {
            return std::nullopt;
        }
        http::Session session;
        session.stream = std::move(stream);
        return session;
    };
    http::ServerOptions options;
    options.headers = MerchantApi::securityHeaders();
    http::HttpServer browsers(
        std::move(merchant_->listener.fd), std::move(browserSessions),
        [this](const http::Request& request, const http::Peer& peer) {
            return merchant_->api.handle(request, peer);
        },
        options);
    browsers.run(stopFd);
}

std::string ServerApp::deviceUrl() const {
    const bool v6 = config_.host.find(':') != std::string::npos;
    return "https://" + (v6 ? "[" + config_.host + "]" : config_.host) + ":" +
           std::to_string(port());
}

void ServerApp::run(int stopFd) {
    SSL_CTX* context = tls_.get();
    ServerStore& store = store_;
    http::SessionFactory tlsSessions = [context, &store](int fd) -> std::optional<http::Session> {
        std::string failure;
        auto stream = http::TlsStream::accept(context, fd, failure);
        if (!stream) {
            store.recordEvent(
                EventRecord{0, 0, "tls_refused", "", "", "handshake_failed", failure});
            return std::nullopt;
        }
        http::Session session;
        session.peer.certificate = stream->peerCertificate();
        session.stream = std::move(stream);
        return session;
    };
    http::HttpServer devices(std::move(listener_.fd), std::move(tlsSessions),
                             [this](const http::Request& request, const http::Peer& peer) {
                                 return deviceApi_.handle(request, peer);
                             });
    http::HttpServer admin(std::move(adminListener_), http::ownerOnlySessions(),
                           [this](const http::Request& request, const http::Peer& peer) {
                               return adminApi_.handle(request, peer);
                           });
    std::thread adminThread([&admin, stopFd] { admin.run(stopFd); });
    std::thread merchantThread;
    if (merchant_) {
        merchantThread = std::thread([this, stopFd] { runMerchant(stopFd); });
    }
    devices.run(stopFd);
    adminThread.join();
    if (merchantThread.joinable()) {
        merchantThread.join();
    }
    ::unlink(config_.adminSocket.c_str());
}

}  // namespace taplink::server
