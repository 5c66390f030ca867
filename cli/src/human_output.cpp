#include "human_output.hpp"

#include <cstdio>
#include <iomanip>
#include <sstream>
#include "taplink/base/masking.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::cli {

namespace {

std::string text(const nlohmann::json& object, const char* key) {
    return object.at(key).get<std::string>();
}

std::int64_t amount(const nlohmann::json& object, const char* key) {
    return object.at(key).get<std::int64_t>();
}

std::string cardLine(const nlohmann::json& card) {
    return text(card, "scheme") + " " + maskSerial(text(card, "maskedSerial"));
}

std::string readerLine(const nlohmann::json& reader) {
    const std::string role = text(reader, "role");
    const std::string state = text(reader, "state");
    std::string line =
        text(reader, "name") + ": " + (role == "chip" ? "secure chip reader" : "card reader");
    if (state == "present") {
        const auto card = reader.find("card");
        if (card != reader.end() && card->is_object()) {
            return line + ", card " + cardLine(*card);
        }
        return line + (role == "chip" ? ", chip present" : ", card present");
    }
    return line + ", " + state;
}

std::string scalar(const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

// "settled": false, and the server's receipt: the same for a top-up and an EC load.
std::string settlementLines(const nlohmann::json& result) {
    std::ostringstream out;
    const auto settled = result.find("settled");
    if (settled != result.end() && settled->is_boolean() && !settled->get<bool>()) {
        out << "the server has not confirmed it yet; taplinkd keeps reporting it by itself\n";
    }
    const auto receipt = result.find("receipt");
    if (receipt != result.end() && receipt->is_object() && !receipt->empty()) {
        out << "receipt\n";
        for (const auto& [key, value] : receipt->items()) {
            out << "  " << key << ": " << scalar(value) << "\n";
        }
    }
    return out.str();
}

// A bank card's card.info: the masked PAN, the application, the EC balance and its limit.
std::string formatBankCardInfo(const nlohmann::json& cardInfo) {
    std::ostringstream out;
    out << "card      bank-ec " << maskSerial(text(cardInfo, "pan")) << " "
        << text(cardInfo, "application") << " on " << text(cardInfo, "reader") << "\n"
        << "valid     to " << text(cardInfo, "validUntil") << "\n"
        << "EC balance " << formatYuan(amount(cardInfo, "ecBalance")) << " (limit "
        << formatYuan(amount(cardInfo, "ecBalanceLimit")) << ")\n";
    return out.str();
}

}  // namespace

std::string formatYuan(std::int64_t fen) {
    const bool negative = fen < 0;
    // Magnitude as unsigned, so the most negative value does not overflow.
    const std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(fen)
                                             : static_cast<std::uint64_t>(fen);
    char digits[40];
    std::snprintf(digits, sizeof digits, "%llu.%02llu",
                  static_cast<unsigned long long>(magnitude / 100U),
                  static_cast<unsigned long long>(magnitude % 100U));
    return std::string(negative ? "-" : "") + "\u00A5" + digits;
}

std::string formatReaders(const nlohmann::json& readersList) {
    const auto& readers = readersList.at("readers");
    if (readers.empty()) {
        return "no card reader connected\n";
    }
    std::string out;
    for (const auto& reader : readers) {
        out += readerLine(reader) + "\n";
    }
    return out;
}

std::string formatCardInfo(const nlohmann::json& cardInfo) {
    if (cardInfo.value("scheme", "") == "bank-ec") {
        return formatBankCardInfo(cardInfo);
    }
    std::ostringstream out;
    out << "card      " << text(cardInfo, "scheme") << " " << maskSerial(text(cardInfo, "serial"))
        << " on " << text(cardInfo, "reader") << "\n"
        << "issuer    " << text(cardInfo, "issuerId") << "\n"
        << "valid     " << text(cardInfo, "validFrom") << " to " << text(cardInfo, "validUntil")
        << "\n"
        << "balance   " << formatYuan(amount(cardInfo, "balance")) << "\n";
    return out.str();
}

std::string formatHistory(const nlohmann::json& cardHistory) {
    const auto& records = cardHistory.at("records");
    if (records.empty()) {
        return "no transactions on the card\n";
    }
    std::ostringstream out;
    for (const auto& record : records) {
        const std::string type = text(record, "type");
        const std::int64_t value = amount(record, "amount");
        out << text(record, "date") << " " << text(record, "time") << "  " << std::left
            << std::setw(8) << type << "  " << (type == "purchase" ? "-" : "+")
            << formatYuan(value);
        if (record.contains("balanceAfter")) {
            out << "  balance " << formatYuan(amount(record, "balanceAfter"));
        }
        if (record.contains("terminalId")) {
            out << "  terminal " << text(record, "terminalId");
        } else if (record.contains("merchant")) {
            out << "  merchant " << text(record, "merchant");
        }
        out << "  ATC " << record.at("atc").get<std::int64_t>() << "\n";
    }
    return out.str();
}

std::string formatProgress(const nlohmann::json& progress) {
    const std::string stage = text(progress, "stage");
    if (stage == "waiting_for_card") {
        return "waiting for the card: tap it on the reader\n";
    }
    if (stage == "awaiting_confirmation") {
        return "waiting for the confirmation in the TapLink app\n";
    }
    if (stage == "authorizing") {
        return "authorizing with the top-up server\n";
    }
    if (stage == "writing") {
        return "writing to the card: keep it on the reader\n";
    }
    if (stage == "confirming") {
        return "confirming with the top-up server\n";
    }
    return stage + "\n";
}

std::string formatReceipt(const nlohmann::json& topupResult) {
    std::ostringstream out;
    out << "topped up " << formatYuan(amount(topupResult, "amount")) << " (order "
        << text(topupResult, "orderId") << ")\n"
        << "balance   " << formatYuan(amount(topupResult, "balanceBefore")) << " \u2192 "
        << formatYuan(amount(topupResult, "balanceAfter")) << "\n"
        << "TAC       " << text(topupResult, "tac") << "\n";
    out << settlementLines(topupResult);
    return out.str();
}

std::string formatEcloadProgress(const nlohmann::json& progress) {
    const std::string stage = text(progress, "stage");
    if (stage == "choosing_application") {
        return "the card has several applications: choose one in the TapLink app\n";
    }
    if (stage == "authorizing") {
        return "asking the bank to authorize the load\n";
    }
    if (stage == "confirming") {
        return "confirming with the bank\n";
    }
    return formatProgress(progress);
}

// The PAN is the daemon's masked one ("…1234"); maskSerial keeps it so.
std::string formatEcloadReceipt(const nlohmann::json& ecloadResult) {
    const auto& card = ecloadResult.at("card");
    std::ostringstream out;
    out << "EC load (圈存) of " << formatYuan(amount(ecloadResult, "amount")) << " onto card "
        << maskSerial(text(card, "pan")) << " " << text(card, "application") << " (order "
        << text(ecloadResult, "orderId") << ")\n"
        << "EC balance " << formatYuan(amount(ecloadResult, "balanceBefore")) << " \u2192 "
        << formatYuan(amount(ecloadResult, "balanceAfter")) << "\n";
    out << settlementLines(ecloadResult);
    return out.str();
}

std::string formatPayProgress(const nlohmann::json& progress) {
    const std::string stage = text(progress, "stage");
    if (stage == "entering_pin") {
        return "the card asks for its PIN\n";
    }
    if (stage == "authorizing") {
        return "asking the bank to authorize the payment: keep the card on the reader\n";
    }
    if (stage == "completing") {
        return "completing the payment with the card\n";
    }
    return formatEcloadProgress(progress);
}

std::string formatPayReceipt(const nlohmann::json& payResult) {
    const auto& card = payResult.at("card");
    std::ostringstream out;
    out << "paid " << formatYuan(amount(payResult, "amount")) << " to "
        << text(payResult, "merchant") << " with card " << maskSerial(text(card, "pan")) << " "
        << text(card, "application") << " (order " << text(payResult, "orderId") << ")\n"
        << "authorization code " << text(payResult, "authCode") << "\n";
    out << settlementLines(payResult);
    return out.str();
}

std::string formatPinPrompt(const nlohmann::json& pinRequest) {
    std::ostringstream out;
    out << "Pay " << formatYuan(amount(pinRequest, "amount")) << " to "
        << text(pinRequest, "merchant") << " with card " << maskSerial(text(pinRequest, "pan"))
        << "\n";
    if (const auto left = pinRequest.find("pinTriesLeft");
        left != pinRequest.end() && left->is_number_integer() && *left >= 0) {  // after a wrong PIN
        out << "\u8fd8\u53ef\u5c1d\u8bd5 " << *left << " \u6b21 \u00b7 " << *left
            << (*left == 1 ? " try" : " tries") << " left\n";
    }
    out << "PIN: ";
    return out.str();
}

std::string formatAsker(const nlohmann::json& uiRequest) {
    std::string origin = uiRequest.value("origin", "");
    if (origin.empty()) {
        return {};
    }
    for (char& c : origin) {  // taplinkd checks origins; still, no terminal controls
        c = (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    }
    const auto vouched = uiRequest.find("originVouched");
    const bool verified =
        vouched != uiRequest.end() && vouched->is_boolean() && vouched->get<bool>();
    return "Web page " + origin + "\n" +
           (verified ? "  \u5df2\u7531\u6d4f\u89c8\u5668\u9a8c\u8bc1 \u00b7 verified by your "
                       "browser\n"
                     : "  warning: \u7531\u672c\u673a\u7a0b\u5e8f\u58f0\u660e\uff0c"
                       "\u672a\u7ecf\u6d4f\u89c8\u5668\u9a8c\u8bc1 \u00b7 claimed by a local "
                       "program; not verified by the browser\n");
}

std::string formatEvent(std::string_view event, const nlohmann::json& params) {
    if (event == api::event::kCardInserted) {
        const auto scheme = params.find("scheme");
        return "card inserted: " + text(params, "reader") +
               (scheme != params.end() && scheme->is_string()
                    ? " (" + scheme->get<std::string>() + ")"
                    : std::string()) +
               "\n";
    }
    if (event == api::event::kCardRemoved) {
        return "card removed: " + text(params, "reader") + "\n";
    }
    if (event == api::event::kReaderAdded) {
        return "reader added: " + text(params, "name") + "\n";
    }
    if (event == api::event::kReaderRemoved) {
        return "reader removed: " + text(params, "name") + "\n";
    }
    return std::string(event) + " " + params.dump() + "\n";
}

namespace {

// "load-sam  operational" or "payment   installed, parameters v0, no keys".
std::string appletLine(const nlohmann::json& applet) {
    std::string line = applet.at("applet").get<std::string>();
    line += std::string(line.size() < 10 ? 10 - line.size() : 1, ' ');
    line += applet.at("lifecycle").get<std::string>();
    if (applet.contains("parametersVersion")) {
        line +=
            ", parameters v" + std::to_string(applet.at("parametersVersion").get<std::int64_t>());
        line += applet.value("keys", false) ? ", keys present" : ", no keys";
    }
    return line + "\n";
}

}  // namespace

std::string formatChipStatus(const nlohmann::json& chipStatus) {
    std::string out;
    for (const auto& applet : chipStatus.at("applets")) {
        out += appletLine(applet);
    }
    return out;
}

std::string formatChipSync(const nlohmann::json& chipSync) {
    std::string out;
    for (const auto& job : chipSync.at("jobs")) {
        out += "job " + job.at("jobId").get<std::string>() + ": " +
               job.at("operation").get<std::string>() + " of the " +
               job.at("applet").get<std::string>() + ": " + job.at("outcome").get<std::string>();
        if (job.contains("statusWord")) {
            out += " (SW " + job.at("statusWord").get<std::string>() + ")";
        }
        if (job.contains("message")) {
            out += ": " + job.at("message").get<std::string>();
        }
        out += "\n";
    }
    if (chipSync.at("jobs").empty()) {
        out += "no pending jobs\n";
    }
    return out + formatChipStatus(chipSync);
}

std::string formatToken(const nlohmann::json& token) {
    return "code " + token.at("code").get<std::string>() + " (counter " +
           std::to_string(token.at("counter").get<std::uint64_t>()) + ")\n";
}

}  // namespace taplink::cli
