// The names of the API's methods, notifications and events (docs/api.md,
// docs/api/taplink-api.schema.json), so that the daemon, the clients and the tests spell them
// the same way.
#pragma once

#include <array>
#include <string_view>

namespace taplink::api {

// The API version api.version reports: major.minor, minor bumps stay compatible.
inline constexpr std::string_view kApiVersion = "1.0";

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
inline constexpr std::string_view kTxStatus = "tx.status";
inline constexpr std::string_view kTxCancel = "tx.cancel";
inline constexpr std::string_view kDeviceInfo = "device.info";
inline constexpr std::string_view kDiagnostics = "diagnostics";
}  // namespace method

inline constexpr std::array<std::string_view, 11> kMethods{
    method::kApiVersion, method::kEventsSubscribe, method::kEventsUnsubscribe, method::kReadersList,
    method::kCardInfo,   method::kCardHistory,     method::kTopupStart,        method::kTxStatus,
    method::kTxCancel,   method::kDeviceInfo,      method::kDiagnostics,
};

// Notifications a call sends to its own connection while it runs.
namespace notification {
inline constexpr std::string_view kTopupProgress = "topup.progress";
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

// topup.progress stages, in the order a top-up goes through them.
inline constexpr std::array<std::string_view, 4> kTopupStages{
    "waiting_for_card",
    "authorizing",
    "writing",
    "confirming",
};

}  // namespace taplink::api
