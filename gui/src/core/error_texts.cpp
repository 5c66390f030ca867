#include "core/error_texts.hpp"

#include <QCoreApplication>
#include <array>
#include <string_view>

namespace taplink::gui {

namespace {

struct Entry {
    FailureCode code;
    const char* what;
    const char* todo;
    ErrorTopic topic = ErrorTopic::General;
};

// clang-format off
constexpr std::array kTable{
    Entry{LocalFailure::NotRunning,
          QT_TRANSLATE_NOOP("ErrorText", "The TapLink service is not running."),
          QT_TRANSLATE_NOOP("ErrorText", "Start the TapLink service (systemctl --user start taplinkd). This window reconnects by itself.")},
    Entry{LocalFailure::Disconnected,
          QT_TRANSLATE_NOOP("ErrorText", "The TapLink service stopped before it answered."),
          QT_TRANSLATE_NOOP("ErrorText", "Wait until TapLink has reconnected, check the balance, then try again. An order is never loaded twice.")},
    Entry{LocalFailure::ProtocolError,
          QT_TRANSLATE_NOOP("ErrorText", "The TapLink service gave an answer this app does not understand."),
          QT_TRANSLATE_NOOP("ErrorText", "Make sure the app and the service come from the same TapLink version.")},
    Entry{api::ErrorCode::InvalidParams,
          QT_TRANSLATE_NOOP("ErrorText", "Something in the request is not valid, for example the order code."),
          QT_TRANSLATE_NOOP("ErrorText", "Check what you entered and try again.")},
    Entry{api::ErrorCode::NoReader,
          QT_TRANSLATE_NOOP("ErrorText", "No card reader is connected."),
          QT_TRANSLATE_NOOP("ErrorText", "Plug in the card reader, then try again.")},
    Entry{api::ErrorCode::PcscUnavailable,
          QT_TRANSLATE_NOOP("ErrorText", "The smart card service (pcscd) is not running."),
          QT_TRANSLATE_NOOP("ErrorText", "Start it (systemctl start pcscd.socket), then try again.")},
    Entry{api::ErrorCode::NoCard,
          QT_TRANSLATE_NOOP("ErrorText", "There is no card on the reader."),
          QT_TRANSLATE_NOOP("ErrorText", "Place the card on the reader, then try again.")},
    Entry{api::ErrorCode::CardRemoved,
          QT_TRANSLATE_NOOP("ErrorText", "The card was taken off the reader too early."),
          QT_TRANSLATE_NOOP("ErrorText", "Put the card back and keep it there until TapLink says it is done, then try again. Nothing is loaded twice.")},
    Entry{api::ErrorCode::UnsupportedCard,
          QT_TRANSLATE_NOOP("ErrorText", "This card is not one TapLink can top up."),
          QT_TRANSLATE_NOOP("ErrorText", "Use a city transport card.")},
    Entry{api::ErrorCode::ServerUnreachable,
          QT_TRANSLATE_NOOP("ErrorText", "The top-up server cannot be reached."),
          QT_TRANSLATE_NOOP("ErrorText", "Check the network connection and try again in a moment. If it keeps happening, check the server address in Settings.")},
    Entry{api::ErrorCode::ServerError,
          QT_TRANSLATE_NOOP("ErrorText", "The top-up server reported a problem."),
          QT_TRANSLATE_NOOP("ErrorText", "Try again in a moment. If it keeps happening, contact the operator.")},
    Entry{api::ErrorCode::ScriptRejected,
          QT_TRANSLATE_NOOP("ErrorText", "The top-up server sent instructions that failed TapLink's security check. Nothing was written to the card."),
          QT_TRANSLATE_NOOP("ErrorText", "Do not try again; contact the operator.")},
    Entry{api::ErrorCode::OrderNotFound,
          QT_TRANSLATE_NOOP("ErrorText", "The top-up server does not know this order code."),
          QT_TRANSLATE_NOOP("ErrorText", "Check the order code and enter it again.")},
    Entry{api::ErrorCode::OrderSettled,
          QT_TRANSLATE_NOOP("ErrorText", "This order has already been paid or loaded."),
          QT_TRANSLATE_NOOP("ErrorText", "Check the card's balance; for another top-up, use a new order.")},
    Entry{api::ErrorCode::Declined,
          QT_TRANSLATE_NOOP("ErrorText", "The top-up was declined."),
          QT_TRANSLATE_NOOP("ErrorText", "Contact whoever issued the order.")},
    Entry{api::ErrorCode::Cancelled,
          QT_TRANSLATE_NOOP("ErrorText", "The top-up was cancelled. Nothing was loaded."),
          QT_TRANSLATE_NOOP("ErrorText", "Start it again when you are ready.")},
    Entry{api::ErrorCode::Timeout,
          QT_TRANSLATE_NOOP("ErrorText", "It took too long, for example no card was presented in time."),
          QT_TRANSLATE_NOOP("ErrorText", "Place the card on the reader and try again.")},
    Entry{api::ErrorCode::ChipUnavailable,
          QT_TRANSLATE_NOOP("ErrorText", "This device's secure chip is missing or not working."),
          QT_TRANSLATE_NOOP("ErrorText", "Contact the operator of this device.")},
    Entry{api::ErrorCode::ChipLocked,
          QT_TRANSLATE_NOOP("ErrorText", "This device's secure chip has been locked by its operator. Nothing was loaded or charged."),
          QT_TRANSLATE_NOOP("ErrorText", "Contact the operator of this device to have it unlocked.")},
    Entry{api::ErrorCode::ChipOutdated,
          QT_TRANSLATE_NOOP("ErrorText", "This device's secure chip has older payment limits than the payment server requires. The card was not touched and nothing was charged."),
          QT_TRANSLATE_NOOP("ErrorText", "Contact the operator of this device to update its chip, then try again.")},
    Entry{api::ErrorCode::TooLate,
          QT_TRANSLATE_NOOP("ErrorText", "The card has already been written, so the top-up will complete."),
          QT_TRANSLATE_NOOP("ErrorText", "Wait for the receipt.")},
    Entry{api::ErrorCode::Busy,
          QT_TRANSLATE_NOOP("ErrorText", "The card reader is busy with another operation."),
          QT_TRANSLATE_NOOP("ErrorText", "Wait until it has finished, then try again.")},
    Entry{api::ErrorCode::NotFound,
          QT_TRANSLATE_NOOP("ErrorText", "TapLink has no record of this."),
          QT_TRANSLATE_NOOP("ErrorText", "Check the order code.")},
    Entry{api::ErrorCode::Internal,
          QT_TRANSLATE_NOOP("ErrorText", "Something went wrong inside TapLink."),
          QT_TRANSLATE_NOOP("ErrorText", "Try again. If it keeps happening, send the TapLink service log (journalctl --user -u taplinkd) to support.")},
    Entry{api::ErrorCode::OriginDenied,
          QT_TRANSLATE_NOOP("ErrorText", "This website is not allowed to use the card reader."),
          QT_TRANSLATE_NOOP("ErrorText", "If you trust it, allow it when TapLink asks, or add it in Settings, Websites.")},
    Entry{api::ErrorCode::UserDenied,
          QT_TRANSLATE_NOOP("ErrorText", "The top-up was refused in the confirmation dialog. Nothing was written to the card."),
          QT_TRANSLATE_NOOP("ErrorText", "Start it again from the web page if you want to go on.")},
    Entry{api::ErrorCode::ConfirmationUnavailable,
          QT_TRANSLATE_NOOP("ErrorText", "A web page's top-up needs your confirmation, but the TapLink app was not running."),
          QT_TRANSLATE_NOOP("ErrorText", "Start the TapLink app, then try again.")},
    Entry{api::ErrorCode::RateLimited,
          QT_TRANSLATE_NOOP("ErrorText", "A web page sent too many requests."),
          QT_TRANSLATE_NOOP("ErrorText", "Reload the page and try again.")},
    Entry{api::ErrorCode::WrongScheme,
          QT_TRANSLATE_NOOP("ErrorText", "This card does not fit the order: a city card is topped up, a bank card's e-cash is loaded (圈存)."),
          QT_TRANSLATE_NOOP("ErrorText", "Place the card the order is for, or use an order made for this card.")},
    Entry{api::ErrorCode::EcLimitExceeded,
          QT_TRANSLATE_NOOP("ErrorText", "The card cannot hold that much e-cash: the amount would take it over its limit. Nothing was loaded."),
          QT_TRANSLATE_NOOP("ErrorText", "Use an order for a smaller amount, or spend some of the card's e-cash first.")},
    Entry{api::ErrorCode::CardExpired,
          QT_TRANSLATE_NOOP("ErrorText", "The bank card has expired. Nothing was loaded."),
          QT_TRANSLATE_NOOP("ErrorText", "Use a bank card that is still valid.")},
    Entry{api::ErrorCode::NoApplication,
          QT_TRANSLATE_NOOP("ErrorText", "This bank card has no e-cash application TapLink can load."),
          QT_TRANSLATE_NOOP("ErrorText", "Use a bank card with e-cash (PBOC), or ask the bank.")},
    Entry{api::ErrorCode::PinBlocked,
          QT_TRANSLATE_NOOP("ErrorText", "The bank card's PIN is blocked. Nothing was loaded."),
          QT_TRANSLATE_NOOP("ErrorText", "Contact the issuing bank to unblock the PIN, then try again.")},
    Entry{api::ErrorCode::WrongPin,
          QT_TRANSLATE_NOOP("ErrorText", "The bank refused the PIN: it was wrong. Nothing was charged."),
          QT_TRANSLATE_NOOP("ErrorText", "Try again with the card's PIN. After too many wrong PINs the bank blocks it.")},
    Entry{api::ErrorCode::LimitExceeded,
          QT_TRANSLATE_NOOP("ErrorText", "The amount is over this device's limit for one payment or for today. Nothing was charged."),
          QT_TRANSLATE_NOOP("ErrorText", "Pay a smaller amount, or wait until tomorrow.")},
    Entry{LocalFailure::MerchantUnreachable,
          QT_TRANSLATE_NOOP("ErrorText", "The demo shop could not create the order."),
          QT_TRANSLATE_NOOP("ErrorText", "Check the demo shop address and its certificate file in Settings, or enter an order code instead.")},
    // token.generate (docs/api.md): the chip's 6A80, 6985, and no payment applet.
    Entry{api::ErrorCode::InvalidParams,
          QT_TRANSLATE_NOOP("ErrorText", "The challenge is not 8 digits. No code was generated."),
          QT_TRANSLATE_NOOP("ErrorText", "Type the 8-digit challenge your bank gave you, then press Generate."),
          ErrorTopic::DynamicToken},
    Entry{api::ErrorCode::ChipLocked,
          QT_TRANSLATE_NOOP("ErrorText", "This device's payment applet is not activated yet, or its operator has locked it. No code was generated."),
          QT_TRANSLATE_NOOP("ErrorText", "Contact the operator of this device."),
          ErrorTopic::DynamicToken},
    Entry{api::ErrorCode::ChipUnavailable,
          QT_TRANSLATE_NOOP("ErrorText", "This device's secure chip has no payment applet, so it cannot give a dynamic token."),
          QT_TRANSLATE_NOOP("ErrorText", "Contact the operator of this device."),
          ErrorTopic::DynamicToken},
};
// clang-format on

ErrorText translated(const Entry& entry) {
    return {QCoreApplication::translate("ErrorText", entry.what),
            QCoreApplication::translate("ErrorText", entry.todo)};
}

const Entry* findEntry(const FailureCode& code, ErrorTopic topic) {
    for (const Entry& entry : kTable) {
        if (entry.code == code && entry.topic == topic) {
            return &entry;
        }
    }
    return nullptr;
}

}  // namespace

ErrorText describeError(const FailureCode& code, ErrorTopic topic) {
    if (const Entry* entry = findEntry(code, topic)) {
        return translated(*entry);
    }
    if (const Entry* entry = findEntry(code, ErrorTopic::General)) {
        return translated(*entry);
    }
    return describeError(api::ErrorCode::Internal);
}

QString failureName(const FailureCode& code) {
    if (const auto* daemonCode = std::get_if<api::ErrorCode>(&code)) {
        const std::string_view name = api::errorCodeName(*daemonCode);
        return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
    }
    switch (std::get<LocalFailure>(code)) {
        case LocalFailure::NotRunning:
            return QStringLiteral("not_running");
        case LocalFailure::Disconnected:
            return QStringLiteral("disconnected");
        case LocalFailure::ProtocolError:
            return QStringLiteral("protocol_error");
        case LocalFailure::MerchantUnreachable:
            break;
    }
    return QStringLiteral("merchant_unreachable");
}

}  // namespace taplink::gui
