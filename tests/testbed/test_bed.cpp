#include "test_bed.hpp"

#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <PCSC/winscard.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "taplink/base/unix_socket.hpp"
#include "taplink/pcsc/context.hpp"
#include "taplink/pcsc/errors.hpp"

namespace taplink::testbed {

namespace {

constexpr const char* kPcscdPath = "/usr/sbin/pcscd";
constexpr const char* kVpcdDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
constexpr const char* kPcscdRunDir = "/run/pcscd";
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr int kPortAttempts = 4;

using Clock = std::chrono::steady_clock;

bool portFree(std::uint16_t port) {
    const UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        return false;
    }
    const int on = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_ANY);  // vpcd binds to every address
    return ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

std::uint16_t pickBasePort(int count) {
    std::mt19937 random(std::random_device{}());
    // Below Linux's ephemeral range (32768+), so no outgoing connection holds them.
    std::uniform_int_distribution<int> pick(0, 6000);
    for (int attempt = 0; attempt < 100; ++attempt) {
        const auto base = static_cast<std::uint16_t>(20000 + 2 * pick(random));
        bool allFree = true;
        for (int i = 0; i < count && allFree; ++i) {
            allFree = portFree(static_cast<std::uint16_t>(base + i));
        }
        if (allFree) {
            return base;
        }
    }
    throw std::runtime_error("test bed: no free block of " + std::to_string(count) + " ports");
}

std::string readTail(const std::string& path, std::size_t maxBytes = 4000) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string all = text.str();
    return all.size() > maxBytes ? all.substr(all.size() - maxBytes) : all;
}

// In pcscd's child before exec (async-signal-safe calls only): a private mount namespace
// with bindDir mounted over /run/pcscd, so that pcscd's fixed socket and pid paths land in
// our folder (pcscd ignores PCSCLITE_CSOCK_NAME).
int enterPcscdNamespace(const char* bindDir) {
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount(bindDir, kPcscdRunDir, nullptr, MS_BIND, nullptr) != 0) {
        const char message[] = "test bed: cannot set up the mount namespace\n";
        [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
        return 125;
    }
    return 0;
}

// Starts argv[0] with stdout and stderr appended to logPath, in pcscd's namespace when
// bindDir is set.
testsupport::ChildProcess spawn(const std::vector<std::string>& argv, const std::string& logPath,
                                const std::string& bindDir = {}) {
    testsupport::SpawnOptions options;
    options.out = testsupport::Stream::appendTo(logPath);
    options.err = testsupport::Stream::toStdout();
    options.dieWithParent = true;
    options.stopGrace = std::chrono::seconds(5);
    if (!bindDir.empty()) {
        options.beforeExec = [dir = bindDir.c_str()] { return enterPcscdNamespace(dir); };
    }
    return testsupport::ChildProcess(argv, options);
}

std::string simBinary() {
    if (const char* path = std::getenv("TAPLINK_SIM")) {
        return path;
    }
    return TAPLINK_SIM_PATH;
}

// Folders of test processes that died without cleaning up (SIGKILL, a debugger detach).
void removeStaleTestBedDirs() {
    const std::string prefix = "taplink-testbed-";
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/tmp", error)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0) {
            continue;
        }
        const std::string pidText = name.substr(prefix.size());
        if (pidText.empty() || pidText.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        const auto pid = static_cast<pid_t>(std::stol(pidText));
        if (::kill(pid, 0) != 0 && errno == ESRCH) {
            std::filesystem::remove_all(entry.path(), error);
        }
    }
}

}  // namespace

std::string processTestBedDir() {
    return "/tmp/taplink-testbed-" + std::to_string(::getpid());
}

TestBed::TestBed(Options options)
    : options_(std::move(options)), dir_(processTestBedDir()), readers_(options_.readers) {
    if (readers_ < 0 || readers_ > kMaxReaders) {
        throw std::invalid_argument("test bed: Debian's vpcd gives one two-slot reader at most");
    }
    if (::geteuid() != 0) {
        throw std::runtime_error("test bed: needs root (it starts pcscd in a mount namespace)");
    }
    removeStaleTestBedDirs();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
    std::filesystem::create_directories(kPcscdRunDir);
    ::setenv("PCSCLITE_CSOCK_NAME", pcscSocket().c_str(), 1);
    try {
        start();
    } catch (...) {
        sim_.stop();
        pcscd_.stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw;
    }
}

void TestBed::start() {
    for (int attempt = 1;; ++attempt) {
        basePort_ = pickBasePort(slotCount());
        writeReaderConf();
        launchPcscd();
        if (waitForReaders(kStartTimeout)) {
            break;
        }
        pcscd_.stop();
        if (attempt == kPortAttempts) {
            throw std::runtime_error("test bed: pcscd did not bring up its readers; log:\n" +
                                     readTail(dir_ + "/pcscd.log"));
        }
    }
    launchSim();
}

TestBed::~TestBed() {
    simControl_.reset();
    const auto simStatus = sim_.stop();
    pcscd_.stop();
    if (simStatus && !(WIFEXITED(*simStatus) && WEXITSTATUS(*simStatus) == 0)) {
        // A crash or a sanitizer report in the simulator is a defect: fail loudly.
        std::cerr << "test bed: taplink-sim ended with wait status " << *simStatus << "; its log:\n"
                  << readTail(dir_ + "/sim.log") << std::endl;
        std::abort();
    }
    if (std::getenv("TAPLINK_KEEP_TESTBED") == nullptr) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
}

std::string TestBed::readerName(int slot) const {
    return std::string("TapLink Sim Reader") + (slot % 2 == 0 ? " 00 00" : " 00 01");
}

void TestBed::writeReaderConf() const {
    std::ofstream conf(dir_ + "/reader.conf", std::ios::trunc);
    for (int reader = 0; reader < readers_; ++reader) {
        const int port = basePort_ + kSlotsPerReader * reader;
        conf << "FRIENDLYNAME \"TapLink Sim Reader\"\n"
             << "DEVICENAME   /dev/null:0x" << std::hex << port << "\n"
             << "LIBPATH      " << kVpcdDriver << "\n"
             << "CHANNELID    0x" << port << std::dec << "\n\n";
    }
}

void TestBed::launchPcscd() {
    std::filesystem::remove(pcscSocket());
    std::filesystem::remove(dir_ + "/pcscd.pid");
    pcscd_ = spawn({kPcscdPath, "--foreground", "--config", dir_ + "/reader.conf"},
                   dir_ + "/pcscd.log", dir_);
}

bool TestBed::waitForReaders(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const auto wanted =
        static_cast<std::size_t>(kSlotsPerReader) * static_cast<std::size_t>(readers_);
    while (Clock::now() < deadline) {
        try {
            const auto context = pcsc::Context::establish();
            if (context.listReaders().size() == wanted) {
                return true;
            }
        } catch (const pcsc::PcscError&) {
            // not up yet
        }
        if (!pcscd_.running()) {
            return false;  // it died (see pcscd.log): no point waiting
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

void TestBed::launchSim() {
    std::vector<std::string> argv{
        simBinary(), "--port",   std::to_string(basePort_), "--slots", std::to_string(slotCount()),
        "--control", simSocket()};
    if (options_.traceApdus) {
        argv.emplace_back("--trace");
    }
    for (const auto& [slot, profile] : options_.cards) {
        argv.emplace_back("--insert");
        argv.push_back(std::to_string(slot) + "=" + profile);
    }
    argv.insert(argv.end(), options_.simArguments.begin(), options_.simArguments.end());
    sim_ = spawn(argv, dir_ + "/sim.log");
    try {
        simControl_ = std::make_unique<sim::SimControl>(simSocket());
    } catch (const std::exception& error) {
        throw std::runtime_error(std::string(error.what()) + "; sim log:\n" +
                                 readTail(dir_ + "/sim.log"));
    }
    for (const auto& [slot, profile] : options_.cards) {
        if (!waitForCard(slot, true)) {
            throw std::runtime_error("test bed: card in slot " + std::to_string(slot) +
                                     " not seen by pcscd");
        }
    }
}

void TestBed::stopPcscd() {
    pcscd_.stop();
}

void TestBed::startPcscd() {
    if (pcscd_.running()) {
        return;
    }
    launchPcscd();
    if (!waitForReaders(kStartTimeout)) {
        throw std::runtime_error("test bed: pcscd restart failed; log:\n" +
                                 readTail(dir_ + "/pcscd.log"));
    }
}

void TestBed::setReaderCount(int readers) {
    if (readers < 0 || readers > kMaxReaders) {
        throw std::invalid_argument("test bed: Debian's vpcd gives one two-slot reader at most");
    }
    stopPcscd();
    readers_ = readers;
    writeReaderConf();
    startPcscd();
}

bool TestBed::waitForCard(int slot, bool present, std::chrono::milliseconds timeout) const {
    const auto deadline = Clock::now() + timeout;
    const std::string reader = readerName(slot);
    while (Clock::now() < deadline) {
        try {
            const auto context = pcsc::Context::establish();
            SCARD_READERSTATE state{};
            state.szReader = reader.c_str();
            state.dwCurrentState = SCARD_STATE_UNAWARE;
            for (;;) {
                const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
                if (left.count() <= 0) {
                    return false;
                }
                const LONG rv = SCardGetStatusChange(context.handle(),
                                                     static_cast<DWORD>(left.count()), &state, 1);
                if (pcsc::classify(rv) == pcsc::ErrorKind::Timeout) {
                    return false;
                }
                pcsc::check(rv, "SCardGetStatusChange");
                const bool isPresent = (state.dwEventState & SCARD_STATE_PRESENT) != 0U;
                if (isPresent == present) {
                    return true;
                }
                state.dwCurrentState = state.dwEventState;
            }
        } catch (const pcsc::PcscError&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    return false;
}

testsupport::ChildProcess spawnLogged(const std::vector<std::string>& argv,
                                      const std::string& logPath) {
    return spawn(argv, logPath);
}

std::string readLogTail(const std::string& path, std::size_t maxBytes) {
    return readTail(path, maxBytes);
}

}  // namespace taplink::testbed
