// What the GUI tests share: the whole product on the test bed (TopupBed: pcscd, taplink-sim,
// taplink-server, taplinkd) with the GUI's core connected to that taplinkd, independent
// calls on taplinkd's socket to check what the GUI did, and a web page's connection made the
// way taplink-nm makes it.
#pragma once

#include <QApplication>
#include <QString>
#include <QTest>
#include <QWidget>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/app_core.hpp"
#include "topup_bed.hpp"

namespace taplink::gui::test {

inline constexpr const char* kCitySerial = "00000000000000000042";
// Generous: the machine is shared and the sanitizer build is slow.
inline constexpr int kTimeoutMs = 30000;

// A call's outcome on a connection of the test's own.
struct Outcome {
    nlohmann::json result;
    std::string code;  // empty on success
    std::string message;
    std::vector<std::string> stages;

    bool ok() const { return code.empty(); }
};

class GuiBed {
  public:
    // Brings the bed up; null (and *error says why) when it could not.
    static std::unique_ptr<GuiBed> start(testbed::TopupBedOptions options, QString* error);

    testbed::TopupBed& bed() { return bed_; }
    AppCore& core() { return core_; }

    // A call on a fresh owner connection of the test's own.
    Outcome ownerCall(const std::string& method,
                      const nlohmann::json& params = nlohmann::json::object()) const;
    // card.info's balance and the newest card.history record's ATC (-1 without records).
    std::int64_t balance() const;
    std::int64_t lastAtc() const;

  private:
    explicit GuiBed(testbed::TopupBedOptions options);

    testbed::TopupBed bed_;
    AppCore core_;
};

// A web page's connection as taplink-nm makes it: session.hello with the page's origin and
// the extension id first, then calls, each on a thread of its own (taplinkd may be waiting for
// the GUI to answer, and the GUI needs this thread's event loop).
class WebCaller {
  public:
    WebCaller(std::string socketPath, std::string origin);

    std::future<Outcome> callAsync(const std::string& method,
                                   nlohmann::json params = nlohmann::json::object());

  private:
    std::string socketPath_;
    std::string origin_;
};

// The first visible top-level widget of type T (a dialog shown by the GUI), or null.
template <typename T>
T* findTopLevel() {
    for (QWidget* widget : QApplication::topLevelWidgets()) {
        if (auto* found = qobject_cast<T*>(widget); found != nullptr && found->isVisible()) {
            return found;
        }
    }
    return nullptr;
}

// Waits, processing Qt events, until the future is ready; false on timeout.
bool waitFor(std::future<Outcome>& future, int timeoutMs = kTimeoutMs);

// Sets up what every test process needs (a private settings folder, the app's names and
// translation), runs the QTest class, and cleans up.
int runGuiTest(int argc, char** argv, QObject& test);

}  // namespace taplink::gui::test

// Runs a test helper that uses QVERIFY/QCOMPARE and stops the test when the helper failed.
#define TAPLINK_GUI_STEP(helperCall)      \
    do {                                  \
        helperCall;                       \
        if (QTest::currentTestFailed()) { \
            return;                       \
        }                                 \
    } while (false)

#define TAPLINK_GUI_TEST_MAIN(TestClass)                         \
    int main(int argc, char** argv) {                            \
        QApplication app(argc, argv);                            \
        TestClass test;                                          \
        return taplink::gui::test::runGuiTest(argc, argv, test); \
    }
