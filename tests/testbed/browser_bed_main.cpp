// taplink-browser-bed: the whole product on the test bed for the browser tests (Node +
// Playwright, tests/browser): taplinkd with its WebSocket and the merchant page's origin
// allowed, taplink-server with the merchant listener, a city card in the reader, the chip's
// payment applet personalised by the TSM for Tap & Pay (CVM limit ¥60.00: the page's ¥100
// asks the PIN). Prints one JSON line of addresses, then answers commands on stdin, one JSON
// line each (docs/testbed.md):
//   pull-at N | insert | remove | balance | settled [SERIAL] | bank PROFILE | account | quit
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "payment_applet.hpp"
#include "taplink/rpc/client.hpp"
#include "topup_bed.hpp"

namespace {

using nlohmann::json;
using taplink::testbed::kCardSlot;
using taplink::testbed::TopupBed;

constexpr const char* kCityProfile = "city-3des";
constexpr const char* kCitySerial = "00000000000000000042";  // the simulator's default city card
// The payment applet's contactless CVM limit: the page's ¥10..¥50 pay without a PIN, ¥100
// asks it (the TSM's default, ¥300.00, is above every amount the page offers).
constexpr const char* kCvmLimitYuan = "60.00";

int stopPipe[2] = {-1, -1};

extern "C" void onStopSignal(int /*signal*/) {
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(stopPipe[1], &byte, 1);
}

struct CommandLine {
    std::string confirmation = "auto";
    std::string cardInfo = "ask";
    bool card = true;
    int cardWaitSeconds = 10;
};

void describe(CLI::App& app, CommandLine& line) {
    // A repeated option: the last one counts.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_option("--confirmation", line.confirmation,
                   "taplinkd's web confirmation, ask or auto (default auto)")
        ->check(CLI::IsMember({"ask", "auto"}));
    app.add_option("--card-info", line.cardInfo,
                   "what card.info tells a page, ask, allow or deny (default ask)")
        ->check(CLI::IsMember({"ask", "allow", "deny"}));
    app.add_flag_callback(
        "--no-card", [&line] { line.card = false; }, "start with no card in the reader");
    app.add_option("--card-wait", line.cardWaitSeconds, "taplinkd's wait for a card (default 10)")
        ->type_name("SECONDS");
    app.footer(
        "Prints one JSON line (checkoutUrl, foreignUrl, websocketUrl, socketPath, rootCa,\n"
        "bedDir, nmManifestDir, demoPan, demoPin, cvmLimit), then answers commands on\n"
        "stdin, one per line:\n"
        "  pull-at N | insert | remove | balance | settled [SERIAL] | bank PROFILE |\n"
        "  account | quit\n"
        "See docs/testbed.md.");
}

// The exit status when the command line says to stop: after --help, or on a usage error.
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& error) {
        std::cerr << "taplink-browser-bed: " << error.what() << '\n' << app.help();
        return 2;
    }
}

// The bed: the merchant port is known once the server runs, so the daemon starts after it,
// with that origin allowed.
std::unique_ptr<TopupBed> bringUp(const CommandLine& line) {
    taplink::testbed::TopupBedOptions options;
    options.websocket = true;
    options.merchant = true;
    options.webConfirmation = line.confirmation;
    options.webCardInfo = line.cardInfo;
    options.cardProfile = line.card ? kCityProfile : "";
    options.cardWaitSeconds = line.cardWaitSeconds;
    options.startDaemon = false;
    auto bed = std::make_unique<TopupBed>(options);
    bed->options().webAllowedOrigins = {bed->merchantUrl()};
    bed->startDaemon();
    taplink::testbed::personalisePaymentApplet(*bed, kCvmLimitYuan);
    return bed;
}

json addresses(TopupBed& bed) {
    const std::string nmDir = bed.dir() + "/nm";
    std::filesystem::create_directories(nmDir);
    std::filesystem::permissions(nmDir, std::filesystem::perms::owner_all);
    const std::string merchantPort = std::to_string(bed.merchantPort());
    return {{"checkoutUrl", bed.merchantUrl() + "/"},
            {"foreignUrl", "https://127.0.0.1:" + merchantPort + "/"},
            {"websocketUrl", "ws://127.0.0.1:" + std::to_string(bed.websocketPort()) + "/"},
            {"socketPath", bed.socketPath()},
            {"rootCa", bed.pkiDir() + "/root-ca.crt"},
            {"bedDir", bed.dir()},
            {"nmManifestDir", nmDir},
            {"serverConfig", bed.serverConfig()},
            {"daemonLog", bed.daemonLog()},
            {"cardSerial", kCitySerial},
            {"demoPan", taplink::testbed::kDemoBankPan},
            {"demoPin", taplink::testbed::kDemoBankPin},
            {"cvmLimit", kCvmLimitYuan}};
}

// The card back in the field: the one last pulled, or a new city card when there was none.
void insertCard(TopupBed& bed) {
    auto& sim = bed.bed().sim();
    if (sim.slotStatus(kCardSlot).at("card").is_null()) {
        try {
            sim.reinsert(kCardSlot);
        } catch (const std::runtime_error&) {
            sim.insert(kCardSlot, kCityProfile);
        }
    }
    if (!bed.bed().waitForCard(kCardSlot, true)) {
        throw std::runtime_error("the card did not show up on the reader");
    }
}

void removeCard(TopupBed& bed) {
    auto& sim = bed.bed().sim();
    if (!sim.slotStatus(kCardSlot).at("card").is_null()) {
        sim.remove(kCardSlot);
    }
    if (!bed.bed().waitForCard(kCardSlot, false)) {
        throw std::runtime_error("the card did not leave the reader");
    }
}

// The card's balance: a city card's, or a bank card's EC balance.
std::uint32_t cardBalance(TopupBed& bed) {
    auto client = taplink::api::Client::connect(bed.socketPath());
    taplink::api::CallOptions options;
    options.timeout = std::chrono::seconds(30);
    const json info = client.call("card.info", json::object(), options);
    return info.at(info.contains("ecBalance") ? "ecBalance" : "balance").get<std::uint32_t>();
}

// The merchant page's demo account (TopupBed's kDemoAccountHolder), made on first use with
// ¥500.00 for the demo bank card and its purchase PIN kDemoBankPin; its id.
std::string demoAccount(TopupBed& bed) {
    static std::string accountId;  // this process's one bed
    if (accountId.empty()) {
        accountId = bed.serverCommand({"account", "create", "--holder",
                                       taplink::testbed::kDemoAccountHolder, "--pan",
                                       taplink::testbed::kDemoBankPan, "--balance", "500.00",
                                       "--pin", taplink::testbed::kDemoBankPin})
                        .at("accountId")
                        .get<std::string>();
    }
    return accountId;
}

// A bank card of the profile (bank-3des, bank-sm4) with the demo PAN instead of the card on
// the reader, and the demo account that pays for it.
json insertBankCard(TopupBed& bed, const std::string& profile) {
    removeCard(bed);
    bed.bed().sim().insert(kCardSlot, profile,
                           {{"pan", taplink::testbed::kDemoBankPan}, {"balance", 0}});
    if (!bed.bed().waitForCard(kCardSlot, true)) {
        throw std::runtime_error("the bank card did not show up on the reader");
    }
    return {{"ok", true}, {"accountId", demoAccount(bed)}};
}

std::uint64_t accountBalance(TopupBed& bed) {
    return bed.serverCommand({"account", "show", demoAccount(bed)})
        .at("balance")
        .get<std::uint64_t>();
}

// One command line; its answer. quit is set for "quit".
json answer(TopupBed& bed, const std::string& command, bool& quit) {
    std::istringstream words(command);
    std::string verb;
    words >> verb;
    if (verb == "pull-at") {
        unsigned apdu = 0;
        if (!(words >> apdu) || apdu == 0) {
            return {{"ok", false}, {"error", "pull-at needs an APDU number from 1"}};
        }
        bed.bed().sim().pullAt(kCardSlot, apdu);
        return {{"ok", true}};
    }
    if (verb == "insert") {
        insertCard(bed);
        return {{"ok", true}};
    }
    if (verb == "remove") {
        removeCard(bed);
        return {{"ok", true}};
    }
    if (verb == "balance") {
        return {{"ok", true}, {"balance", cardBalance(bed)}};
    }
    if (verb == "settled") {
        std::string serial = kCitySerial;
        words >> serial;
        return {{"ok", true}, {"cardSerial", serial}, {"settled", bed.settledTotal(serial)}};
    }
    if (verb == "bank") {
        std::string profile;
        words >> profile;
        if (profile != "bank-3des" && profile != "bank-sm4") {
            return {{"ok", false}, {"error", "bank needs bank-3des or bank-sm4"}};
        }
        return insertBankCard(bed, profile);
    }
    if (verb == "account") {
        return {{"ok", true}, {"balance", accountBalance(bed)}};
    }
    if (verb == "quit") {
        quit = true;
        return {{"ok", true}};
    }
    return {{"ok", false}, {"error", "unknown command: " + command}};
}

// Reads stdin line by line until quit, EOF or a stop signal; answers each line.
void serveCommands(TopupBed& bed) {
    std::string pending;
    for (bool quit = false; !quit;) {
        std::array<pollfd, 2> fds{{{STDIN_FILENO, POLLIN, 0}, {stopPipe[0], POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        if (fds[1].revents != 0) {
            return;
        }
        std::array<char, 4096> chunk{};
        const ssize_t n = ::read(STDIN_FILENO, chunk.data(), chunk.size());
        if (n <= 0) {
            return;  // EOF: the test is gone
        }
        pending.append(chunk.data(), static_cast<std::size_t>(n));
        for (auto end = pending.find('\n'); end != std::string::npos && !quit;
             end = pending.find('\n')) {
            std::string command = pending.substr(0, end);
            pending.erase(0, end + 1);
            if (!command.empty() && command.back() == '\r') {
                command.pop_back();
            }
            if (command.empty()) {
                continue;
            }
            json reply;
            try {
                reply = answer(bed, command, quit);
            } catch (const std::exception& error) {
                reply = {{"ok", false}, {"error", error.what()}};
            }
            std::cout << reply.dump() << std::endl;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    CommandLine line;
    CLI::App app{"taplink-browser-bed: the whole product on the test bed for the browser tests.",
                 "taplink-browser-bed"};
    describe(app, line);
    if (const auto stop = parse(app, argc, argv)) {
        return *stop;
    }
    if (::pipe2(stopPipe, O_CLOEXEC) != 0) {
        std::perror("taplink-browser-bed: pipe");
        return 1;
    }
    std::signal(SIGTERM, onStopSignal);
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGPIPE, SIG_IGN);
    try {
        const std::unique_ptr<TopupBed> bed = bringUp(line);
        std::cout << addresses(*bed).dump() << std::endl;
        serveCommands(*bed);
    } catch (const std::exception& error) {
        std::cerr << "taplink-browser-bed: " << error.what() << '\n';
        return 1;
    }
    return 0;
}
