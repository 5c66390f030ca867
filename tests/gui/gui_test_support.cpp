#include "gui_test_support.hpp"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QTemporaryDir>
#include <QTest>
#include <chrono>
#include <exception>
#include <utility>

#include "taplink/rpc/client.hpp"
#include "ui/application.hpp"

namespace taplink::gui::test {

namespace {

using nlohmann::json;

// The extension id taplink-nm passes on (docs/native-messaging.md).
constexpr const char* kExtensionId = "chrome-extension://cgdhkmfheednbofpimeandjmpnkjkgjf/";

Outcome callOn(api::Client& client, const std::string& method, const json& params) {
    Outcome outcome;
    try {
        api::CallOptions options;
        options.timeout = std::chrono::seconds(120);
        options.onNotification = [&outcome](const api::Notification& note) {
            if (note.method == "topup.progress") {
                outcome.stages.push_back(note.params.at("stage").get<std::string>());
            }
        };
        outcome.result = client.call(method, params, options);
    } catch (const api::ApiError& error) {
        outcome.code = std::string(error.codeName());
        outcome.message = error.what();
    } catch (const std::exception& error) {
        outcome.code = "transport";
        outcome.message = error.what();
    }
    return outcome;
}

}  // namespace

GuiBed::GuiBed(testbed::TopupBedOptions options)
    : bed_(std::move(options)), core_(QString::fromStdString(bed_.socketPath())) {}

std::unique_ptr<GuiBed> GuiBed::start(testbed::TopupBedOptions options, QString* error) {
    try {
        std::unique_ptr<GuiBed> gui(new GuiBed(std::move(options)));
        gui->core().start();
        return gui;
    } catch (const std::exception& failure) {
        *error = QString::fromStdString(failure.what());
        return nullptr;
    }
}

Outcome GuiBed::ownerCall(const std::string& method, const json& params) const {
    try {
        auto client = api::Client::connect(bed_.socketPath());
        return callOn(client, method, params);
    } catch (const std::exception& error) {
        Outcome outcome;
        outcome.code = "not_running";
        outcome.message = error.what();
        return outcome;
    }
}

std::int64_t GuiBed::balance() const {
    const Outcome info = ownerCall("card.info");
    return info.ok() ? info.result.at("balance").get<std::int64_t>() : -1;
}

std::int64_t GuiBed::lastAtc() const {
    const Outcome history = ownerCall("card.history", {{"limit", 1}});
    if (!history.ok() || history.result.at("records").empty()) {
        return -1;
    }
    return history.result.at("records").at(0).at("atc").get<std::int64_t>();
}

WebCaller::WebCaller(std::string socketPath, std::string origin)
    : socketPath_(std::move(socketPath)), origin_(std::move(origin)) {}

std::future<Outcome> WebCaller::callAsync(const std::string& method, json params) {
    return std::async(std::launch::async, [this, method, params = std::move(params)] {
        try {
            auto client = api::Client::connect(socketPath_);
            const Outcome hello = callOn(client, "session.hello",
                                         {{"transport", "native-messaging"},
                                          {"origin", origin_},
                                          {"extensionId", kExtensionId}});
            return hello.ok() ? callOn(client, method, params) : hello;
        } catch (const std::exception& error) {
            Outcome outcome;
            outcome.code = "not_running";
            outcome.message = error.what();
            return outcome;
        }
    });
}

bool waitFor(std::future<Outcome>& future, int timeoutMs) {
    const QDeadlineTimer deadline(timeoutMs);
    while (future.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
        if (deadline.hasExpired()) {
            return false;
        }
        QTest::qWait(20);  // keeps the GUI's event loop turning
    }
    return true;
}

int runGuiTest(int argc, char** argv, QObject& test) {
    // The GUI's preferences go to a folder of this run, never the user's.
    const QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    setUpApplication(*qApp);
    return QTest::qExec(&test, argc, argv);
}

}  // namespace taplink::gui::test
