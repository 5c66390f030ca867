#include "commands.hpp"

#include <chrono>

#include "command_context.hpp"
#include "exit_status.hpp"
#include "human_output.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/rpc/socket_path.hpp"
#include "ui_answers.hpp"

#ifndef TAPLINK_VERSION
#define TAPLINK_VERSION "unknown"
#endif

namespace taplink::cli {

namespace {

namespace method = api::method;

constexpr std::chrono::seconds kCancelTimeout{10};

nlohmann::json readerParams(const Options& options) {
    nlohmann::json params = nlohmann::json::object();
    if (options.reader) {
        params["reader"] = *options.reader;
    }
    return params;
}

int readers(const CommandContext& context) {
    auto client = context.connect();
    context.print(client.call(method::kReadersList, {}, context.callOptions()), formatReaders);
    return kOk;
}

int balance(const CommandContext& context) {
    auto client = context.connect();
    context.print(
        client.call(method::kCardInfo, readerParams(context.options), context.callOptions()),
        formatCardInfo);
    return kOk;
}

int history(const CommandContext& context) {
    auto params = readerParams(context.options);
    if (context.options.limit) {
        params["limit"] = *context.options.limit;
    }
    auto client = context.connect();
    context.print(client.call(method::kCardHistory, params, context.callOptions()), formatHistory);
    return kOk;
}

// What differs between loading a city card (topup) and a bank card's e-cash (ecload).
struct OrderFlow {
    std::string_view method;
    std::string_view progress;  // the notification that reports its stages
    std::string_view noun;      // for a person: "the top-up"
    std::string (*formatProgress)(const nlohmann::json&);
    std::string (*formatResult)(const nlohmann::json&);
    bool trustedUi = false;  // attached for the call: it answers the PIN (ui_answers.hpp)
};

const OrderFlow kTopupFlow{method::kTopupStart, api::notification::kTopupProgress, "top-up",
                           formatProgress, formatReceipt};
const OrderFlow kEcloadFlow{method::kEcloadStart, api::notification::kEcloadProgress, "EC load",
                            formatEcloadProgress, formatEcloadReceipt};
const OrderFlow kPayFlow{method::kPayStart, api::notification::kPayProgress,
                         "payment",         formatPayProgress,
                         formatPayReceipt,
                         /*trustedUi=*/true};

// Asks taplinkd, on a second connection, to cancel the order. True when it is too late
// (the card is being written) and the load must be waited for.
bool cancelOrder(const CommandContext& context, const OrderFlow& flow, const std::string& orderId,
                 std::string& outcome) {
    try {
        auto client = context.connect();
        api::CallOptions options;
        options.timeout = kCancelTimeout;
        client.call(method::kTxCancel, {{"orderId", orderId}}, options);
        outcome = "the " + std::string(flow.noun) + " was cancelled";
        return false;
    } catch (const api::ApiError& error) {
        if (error.code() == api::ErrorCode::TooLate) {
            context.err << "too late to cancel: the card is being written; waiting for the "
                        << flow.noun << " to finish\n";
            return true;
        }
        outcome = "cancelling failed: " + messageFor(error);
    } catch (const api::TransportError& error) {
        outcome = std::string("cancelling failed: ") + error.what();
    }
    return false;
}

// topup and ecload: the call, its progress on stderr, and cancelling on Ctrl-C or --timeout.
int loadOrder(const CommandContext& context, const OrderFlow& flow) {
    const auto& options = context.options;
    auto params = readerParams(options);
    params["orderId"] = *options.orderId;
    api::CallOptions callOptions = context.callOptions();
    // Declared before the call: a PIN prompt still open when it ends is closed.
    UiAnswers uiAnswers(context, *options.orderId);
    callOptions.onNotification = [&context, &flow,
                                  &uiAnswers](const api::Notification& notification) {
        if (flow.trustedUi && uiAnswers.handle(notification)) {
            return;
        }
        if (notification.method != flow.progress) {
            return;
        }
        context.err << (context.options.json ? CommandContext::jsonLine(notification.params)
                                             : flow.formatProgress(notification.params));
        context.err.flush();
    };
    if (options.timeoutSeconds) {
        callOptions.timeout = std::chrono::seconds(*options.timeoutSeconds);
    }
    std::string outcome;
    callOptions.onStop = [&](api::StopReason reason) {
        context.err << (reason == api::StopReason::Timeout ? "timed out" : "interrupted")
                    << "; cancelling the " << flow.noun << "\n";
        return cancelOrder(context, flow, *options.orderId, outcome);
    };
    auto client = context.connect();
    if (flow.trustedUi) {  // ui.request reaches this connection while the call runs
        client.call(method::kUiAttach, {}, context.callOptions());
    }
    try {
        context.print(client.call(flow.method, params, callOptions), flow.formatResult);
    } catch (const api::ApiError& error) {
        if (outcome.empty() || client.connected()) {
            throw;  // the daemon's own answer
        }
        const bool timedOut = error.code() == api::ErrorCode::Timeout;
        throw api::ApiError(
            error.code(),
            (timedOut ? "no result after " + std::to_string(*options.timeoutSeconds) + " s; "
                      : std::string()) +
                outcome);
    }
    return kOk;
}

int chip(const CommandContext& context) {
    auto client = context.connect();
    if (context.options.action == "sync") {
        context.print(client.call(method::kChipSync, {}, context.callOptions()), formatChipSync);
    } else {
        context.print(client.call(method::kChipStatus, {}, context.callOptions()),
                      formatChipStatus);
    }
    return kOk;
}

int token(const CommandContext& context) {
    auto client = context.connect();
    context.print(client.call(method::kTokenGenerate, {{"challenge", *context.options.challenge}},
                              context.callOptions()),
                  formatToken);
    return kOk;
}

int watch(const CommandContext& context) {
    auto client = context.connect();
    const std::vector<std::string> events(api::kEvents.begin(), api::kEvents.end());
    client.subscribe(
        events,
        [&context](const api::Notification& event) {
            if (context.options.json) {
                context.out << CommandContext::jsonLine(
                    {{"event", event.method}, {"params", event.params}});
            } else {
                context.out << formatEvent(event.method, event.params);
            }
            context.out.flush();
            return true;
        },
        context.interruptFd);
    return kOk;  // interrupted: the normal end of watching
}

int runCommand(const CommandContext& context) {
    const std::string& command = context.options.command;
    if (command == "readers") {
        return readers(context);
    }
    if (command == "status") {
        return runStatus(context);
    }
    if (command == "balance") {
        return balance(context);
    }
    if (command == "history") {
        return history(context);
    }
    if (command == "topup") {
        return loadOrder(context, kTopupFlow);
    }
    if (command == "ecload") {
        return loadOrder(context, kEcloadFlow);
    }
    if (command == "pay") {
        return loadOrder(context, kPayFlow);
    }
    if (command == "watch") {
        return watch(context);
    }
    if (command == "chip") {
        return chip(context);
    }
    if (command == "token") {
        return token(context);
    }
    return runDoctor(context);
}

int fail(const CommandContext& context, std::string_view code, const std::string& message,
         int exitCode) {
    context.err << "taplink: " << message << "\n";
    if (context.options.json) {
        context.out << CommandContext::jsonLine(
            {{"error", {{"code", code}, {"message", message}, {"exitCode", exitCode}}}});
    }
    return exitCode;
}

}  // namespace

int run(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err,
        int interruptFd) {
    Options options;
    try {
        options = parseArguments(arguments);
    } catch (const UsageError& error) {
        err << "taplink: " << error.what() << "\nTry 'taplink --help'.\n";
        return kUsage;
    }
    if (options.help) {
        out << usageText();
        return kOk;
    }
    if (options.version) {
        out << "taplink " << TAPLINK_VERSION << " (API " << api::kApiVersion << ")\n";
        return kOk;
    }
    const CommandContext context{options,
                                 options.socketPath.value_or(api::socketPathFromEnvironment()), out,
                                 err, interruptFd};
    try {
        return runCommand(context);
    } catch (const api::DaemonUnavailable& error) {
        return fail(context, "daemon_not_running", messageFor(error), kDaemonNotRunning);
    } catch (const api::TransportError& error) {
        return fail(context, "daemon_not_running", error.what(), kDaemonNotRunning);
    } catch (const api::ApiError& error) {
        return fail(context, error.codeName(), messageFor(error), exitCodeFor(error.code()));
    } catch (const nlohmann::json::exception& error) {
        return fail(context, "unexpected_answer",
                    std::string("unexpected answer from taplinkd: ") + error.what(), kOtherError);
    }
}

}  // namespace taplink::cli
