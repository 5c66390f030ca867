// The names of the API's methods, notifications and events (docs/api.md,
// docs/api/taplink-api.schema.json), so that the daemon, the clients and the tests spell them
// the same way.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace taplink::api {

// The API version api.version reports: major.minor, minor bumps stay compatible.
inline constexpr std::string_view kApiVersion = "1.3";

// Peer::transport of each transport.
inline constexpr std::string_view kUnixTransport = "unix";
inline constexpr std::string_view kWebSocketTransport = "websocket";
inline constexpr std::string_view kNativeMessagingTransport = "native-messaging";
// Longest origin or extension id a web caller may bring.
inline constexpr std::size_t kMaxOriginBytes = 512;

namespace method {
// Built into the dispatcher.
inline constexpr std::string_view kApiVersion = "api.version";
inline constexpr std::string_view kEventsSubscribe = "events.subscribe";
inline constexpr std::string_view kEventsUnsubscribe = "events.unsubscribe";
// Registered by taplinkd's core.
inline constexpr std::string_view kReadersList = "readers.list";
inline constexpr std::string_view kCardInfo = "card.info";
inline constexpr std::string_view kCardHistory = "card.history";
inline constexpr std::string_view kTopupStart = "topup.start";
inline constexpr std::string_view kEcloadStart = "ecload.start";  // bank-card EC load (圈存)
inline constexpr std::string_view kPayStart = "pay.start";        // Tap & Pay purchase
inline constexpr std::string_view kTxStatus = "tx.status";
inline constexpr std::string_view kTxCancel = "tx.cancel";
inline constexpr std::string_view kDeviceInfo = "device.info";
inline constexpr std::string_view kDiagnostics = "diagnostics";
// The secure chip's management by the TSM: owner only; chip.status also for the GUI.
inline constexpr std::string_view kChipSync = "chip.sync";
inline constexpr std::string_view kChipStatus = "chip.status";
// The payment applet's dynamic token (OCRA code for a challenge): owner only.
inline constexpr std::string_view kTokenGenerate = "token.generate";
// The trusted UI (taplink-gui) and its settings page; owner only.
inline constexpr std::string_view kUiAttach = "ui.attach";
inline constexpr std::string_view kUiDetach = "ui.detach";
inline constexpr std::string_view kUiRespond = "ui.respond";
inline constexpr std::string_view kSettingsGet = "settings.get";
inline constexpr std::string_view kSettingsSet = "settings.set";
// Only as the first message on the Unix socket (taplink-nm): see Dispatcher::hello.
inline constexpr std::string_view kSessionHello = "session.hello";
}  // namespace method

inline constexpr std::array<std::string_view, 21> kMethods{
    method::kApiVersion,  method::kEventsSubscribe, method::kEventsUnsubscribe,
    method::kReadersList, method::kCardInfo,        method::kCardHistory,
    method::kTopupStart,  method::kEcloadStart,     method::kPayStart,
    method::kTxStatus,    method::kTxCancel,        method::kDeviceInfo,
    method::kDiagnostics, method::kChipSync,        method::kChipStatus,
    method::kUiAttach,    method::kUiDetach,        method::kUiRespond,
    method::kSettingsGet, method::kSettingsSet,     method::kTokenGenerate,
};

// Notifications a call sends to its own connection while it runs.
namespace notification {
inline constexpr std::string_view kTopupProgress = "topup.progress";
inline constexpr std::string_view kEcloadProgress = "ecload.progress";
inline constexpr std::string_view kPayProgress = "pay.progress";
// To attached trusted UIs: a question for the user, and that it no longer needs an answer.
inline constexpr std::string_view kUiRequest = "ui.request";
inline constexpr std::string_view kUiRequestClosed = "ui.request.closed";
}  // namespace notification

// Events: notifications sent to every connection that subscribed to them.
namespace event {
inline constexpr std::string_view kReaderAdded = "reader.added";
inline constexpr std::string_view kReaderRemoved = "reader.removed";
inline constexpr std::string_view kCardInserted = "card.inserted";
inline constexpr std::string_view kCardRemoved = "card.removed";
}  // namespace event

inline constexpr std::array<std::string_view, 4> kEvents{
    event::kReaderAdded,
    event::kReaderRemoved,
    event::kCardInserted,
    event::kCardRemoved,
};

// topup.progress stages, in the order a top-up goes through them (awaiting_confirmation
// only for a web caller's top-up, while the user is asked).
inline constexpr std::array<std::string_view, 5> kTopupStages{
    "waiting_for_card", "awaiting_confirmation", "authorizing", "writing", "confirming",
};

// pay.progress stages, in order (awaiting_confirmation for a web caller only, entering_pin
// when the card asks online PIN).
inline constexpr std::array<std::string_view, 6> kPayStages{
    "waiting_for_card", "choosing_application", "awaiting_confirmation",
    "entering_pin",     "authorizing",          "completing",
};

}  // namespace taplink::api
