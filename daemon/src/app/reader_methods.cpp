// readers.list, card.info and card.history.
#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "app/method_families.hpp"
#include "service/attempt_steps.hpp"
#include "service/bank_card_reader.hpp"
#include "service/topup_errors.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/cards/card_summary.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/pcsc/errors.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::app {

namespace {

using nlohmann::json;

// The chip's reader, or empty when there is no usable chip right now.
std::string chipReader(const ReaderServices& services) {
    try {
        return services.chip.identity()->reader;
    } catch (const std::exception&) {
        return {};
    }
}

// The reader whose card the caller means: the one named, else the first card reader with a
// card in it.
std::string cardReader(const ReaderServices& services, const std::string& named) {
    if (!services.readers.pcscAvailable()) {
        throw service::ServiceError(api::ErrorCode::PcscUnavailable, "pcscd is not running");
    }
    const std::string chip = chipReader(services);
    // A named reader (by the caller or the config) is asked directly: PC/SC itself says
    // whether a card is there, which the monitor's view may report a moment later.
    std::string wanted = named.empty() ? services.cardReader : named;
    if (!wanted.empty()) {
        if (wanted == chip || wanted == services.chipReader) {
            throw api::ApiError(api::ErrorCode::InvalidParams,
                                wanted + " holds the secure chip, not a card");
        }
        if (!services.readers.reader(wanted)) {
            throw service::ServiceError(api::ErrorCode::NoReader,
                                        "there is no reader named '" + wanted + "'");
        }
        return wanted;
    }
    bool anyReader = false;
    for (const auto& reader : services.readers.readers()) {
        if (reader.name == chip || reader.name == services.chipReader) {
            continue;
        }
        anyReader = true;
        if (reader.cardPresent) {
            return reader.name;
        }
    }
    throw service::ServiceError(
        anyReader ? api::ErrorCode::NoCard : api::ErrorCode::NoReader,
        anyReader ? "no card is on the reader" : "no card reader is connected");
}

// 9A for the expiry check: today, BCD YYMMDD.
Bytes today() {
    const Bytes date = service::transactionDateTime().first;
    return Bytes(date.begin() + 1, date.end());
}

// card.info on a bank card (docs/api.md): read with the EMV kernel, the PAN masked; nullopt
// when the card is not one.
std::optional<json> bankCardInfo(service::CardPort& cards, const std::string& reader) {
    const auto connection = cards.connect(reader, service::CardAccess::SharedAtomic);
    service::FirstApplication first;
    try {
        const service::BankCard bank = service::readBankCard(*connection, first, today());
        return json{{"reader", reader},
                    {"scheme", "bank-ec"},
                    {"pan", service::panForDisplay(bank.panMasked)},
                    {"application", bank.application},
                    {"ecBalance", bank.ecBalance},
                    {"ecBalanceLimit", bank.ecBalanceLimit},
                    {"validUntil", service::expiryForDisplay(bank.expiry)},
                    {"currency", kCurrency}};
    } catch (const service::ServiceError&) {
        return std::nullopt;  // not a bank card: the city reader says what it is
    } catch (const emv::EmvError&) {
        return std::nullopt;
    }
}

// The card in a reader as readers.list shows it: a city card by its masked serial, a bank
// card by its masked PAN (the same reads as card.info), null when neither answers.
json cardEntry(service::CardPort& cards, const std::string& reader) {
    const auto summary =
        cards::summarizeCard(*cards.connect(reader, service::CardAccess::SharedAtomic));
    if (summary.scheme != cards::Scheme::Unknown) {
        return json{{"scheme", cards::toString(summary.scheme)},
                    {"maskedSerial", summary.maskedSerial}};
    }
    if (auto bank = bankCardInfo(cards, reader)) {
        return json{{"scheme", bank->at("scheme")}, {"maskedSerial", bank->at("pan")}};
    }
    return json{{"scheme", cards::toString(summary.scheme)}, {"maskedSerial", ""}};
}

// `showSerial` false (a web page that may not see the card's details): the card's scheme only,
// its maskedSerial empty.
json readerEntry(service::CardPort& cards, const service::ReaderInfo& reader,
                 const std::string& chip, bool showSerial) {
    json entry{{"name", reader.name},
               {"role", reader.name == chip ? "chip" : "card"},
               {"state", reader.cardPresent ? "present" : "empty"},
               {"card", nullptr}};
    if (reader.cardPresent && !chip.empty() && reader.name != chip) {
        try {
            entry["card"] = cardEntry(cards, reader.name);
            if (!showSerial) {
                entry["card"]["maskedSerial"] = "";
            }
        } catch (const pcsc::PcscError&) {
            // Held by a top-up, or just pulled: the card is there, its details are not.
        }
    }
    return entry;
}

// 9C of an EC load (JR/T 0025.13): 60 from the designated account, 62 from another
// account, 63 with cash. Anything else in an EC log is spending.
bool isEcLoad(ByteView transactionType) {
    return transactionType.size() == 1 &&
           (transactionType[0] == 0x60 || transactionType[0] == 0x62 || transactionType[0] == 0x63);
}

// 9F4E is ans (Book 3 Annex A): the name, padded with spaces or zeros.
std::string merchantName(ByteView field) {
    std::string name(field.begin(), field.end());
    name.erase(name.find_last_not_of(std::string(" \0", 2)) + 1);
    return name;
}

// A bank card's log record (laid out by its 9F4F) as card.history shows it: no terminal id,
// which the log does not keep; the merchant name when the log has one.
json bankHistoryRecord(const emv::TerminalData& record) {
    const auto value = [&record](std::uint32_t tag) {
        const auto found = record.find(tag);
        return found == record.end() ? Bytes{} : found->second;
    };
    const Bytes amount = value(emv::tag::kAmountAuthorised);
    const Bytes atc = value(emv::tag::kAtc);
    const Bytes date =
        ByteWriter().u8(0x20).bytes(value(emv::tag::kTransactionDate)).take();  // 9A: YYMMDD
    json entry{{"type", isEcLoad(value(emv::tag::kTransactionType)) ? "load" : "purchase"},
               {"amount", amount.empty() ? 0 : emv::decodeAmount(amount, "log amount 9F02")},
               {"date", cards::formatBcdDate(date)},
               {"time", cards::formatBcdTime(value(emv::tag::kTransactionTime))},
               {"atc", atc.size() == 2 ? bigEndian(atc) : std::uint64_t{0}}};
    const std::string merchant = merchantName(value(emv::tag::kMerchantNameAndLocation));
    if (!merchant.empty()) {
        entry["merchant"] = merchant;
    }
    return entry;
}

// card.history on a bank card; nullopt when the card is not one.
std::optional<std::vector<emv::TerminalData>> bankCardLog(service::CardPort& cards,
                                                          const std::string& reader) {
    const auto connection = cards.connect(reader, service::CardAccess::SharedAtomic);
    service::FirstApplication first;
    try {
        return service::readBankCardLog(*connection, first);
    } catch (const service::ServiceError& error) {
        if (error.code() != api::ErrorCode::WrongScheme) {
            throw;
        }
        return std::nullopt;  // no PPSE: the city reader says what it is
    }
}

json historyRecord(const cards::HistoryEntry& entry) {
    // entry.when is "YYYY-MM-DD hh:mm:ss".
    const bool known = entry.kind == "load" || entry.kind == "purchase";
    return json{{"type", known ? entry.kind : "purchase"},
                {"amount", entry.amount},
                {"terminalId", entry.terminal},
                {"date", entry.when.substr(0, 10)},
                {"time", entry.when.size() > 11 ? entry.when.substr(11) : std::string("00:00:00")},
                {"atc", entry.atc}};
}

}  // namespace

cards::CardSummary readCardSummary(service::CardPort& cards, const std::string& reader) {
    const auto connection = cards.connect(reader, service::CardAccess::SharedAtomic);
    auto summary = cards::summarizeCard(*connection);
    if (summary.scheme == cards::Scheme::Unknown) {
        throw service::ServiceError(api::ErrorCode::UnsupportedCard,
                                    "the card on " + reader + " is not a supported card");
    }
    return summary;
}

void registerReaderMethods(api::Dispatcher& dispatcher, ReaderServices services) {
    dispatcher.add(
        api::method::kReadersList,
        [services](const json&, api::CallContext& call) {
            if (!services.readers.pcscAvailable()) {
                throw service::ServiceError(api::ErrorCode::PcscUnavailable,
                                            "pcscd is not running");
            }
            const std::string chip = chipReader(services);
            const bool showSerial = services.cardInfoGate.allows(call);
            json readers = json::array();
            for (const auto& reader : services.readers.readers()) {
                readers.push_back(readerEntry(services.cards, reader, chip, showSerial));
            }
            return json{{"readers", readers}};
        },
        api::Access::Web);

    dispatcher.add(
        api::method::kCardInfo,
        [services](const json& params, api::CallContext& call) {
            api::params::allowOnly(params, {"reader"});
            const std::string reader =
                cardReader(services, api::params::optionalString(params, "reader").value_or(""));
            services.cardInfoGate.check(call, reader);
            if (auto bank = bankCardInfo(services.cards, reader)) {
                return *bank;
            }
            const auto summary = readCardSummary(services.cards, reader);
            return json{{"reader", reader},
                        {"scheme", cards::toString(summary.scheme)},
                        {"serial", summary.maskedSerial},
                        {"issuerId", summary.issuer},
                        {"validFrom", summary.validFrom},
                        {"validUntil", summary.validUntil},
                        {"balance", summary.balance.value_or(0)},
                        {"currency", kCurrency}};
        },
        api::Access::Web);

    dispatcher.add(api::method::kCardHistory, [services](const json& params, api::CallContext&) {
        api::params::allowOnly(params, {"reader", "limit"});
        const auto limit = static_cast<std::size_t>(
            api::params::optionalInteger(params, "limit", 1, 1000).value_or(10));
        const std::string reader =
            cardReader(services, api::params::optionalString(params, "reader").value_or(""));
        json records = json::array();
        if (auto log = bankCardLog(services.cards, reader)) {
            for (std::size_t i = 0; i < log->size() && i < limit; ++i) {
                records.push_back(bankHistoryRecord((*log)[i]));
            }
            return json{{"records", records}};
        }
        const auto summary = readCardSummary(services.cards, reader);
        for (std::size_t i = 0; i < summary.history.size() && i < limit; ++i) {
            records.push_back(historyRecord(summary.history[i]));
        }
        return json{{"records", records}};
    });
}

}  // namespace taplink::app
