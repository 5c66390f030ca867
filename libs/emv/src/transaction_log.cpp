#include "taplink/emv/transaction_log.hpp"

#include <string>

#include "taplink/apdu/apdu.hpp"
#include "taplink/emv/ec_checks.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"
#include "taplink/emv/emv_transport.hpp"
#include "taplink/emv/processing.hpp"

namespace taplink::emv {

namespace {

constexpr std::size_t kLogEntrySize = 2;
constexpr std::uint8_t kFirstIssuerSfi = 11;  // Book 3 Annex D: SFI 11..30
constexpr std::uint8_t kLastIssuerSfi = 30;

std::vector<DolEntry> readLogFormat(apdu::ApduChannel& card) {
    const std::string what = "GET DATA 9F4F";
    const Bytes answer = requireSuccess(exchange(card, getDataCommand(tag::kLogFormat)), what);
    return parseDol(parseSingleObject(answer, tag::kLogFormat, what));
}

TerminalData readLogRecord(const std::vector<DolEntry>& format, ByteView record,
                           std::uint8_t number) {
    if (!dolDataFits(format, record)) {
        throw MalformedAnswer("log record " + std::to_string(number) + " has " +
                              std::to_string(record.size()) +
                              " bytes, not the length its format 9F4F gives");
    }
    return readDolData(format, record);
}

}  // namespace

LogLocation parseLogEntry(ByteView logEntry) {
    if (logEntry.size() != kLogEntrySize || logEntry[0] < kFirstIssuerSfi ||
        logEntry[0] > kLastIssuerSfi || logEntry[1] == 0) {
        throw MalformedAnswer("log entry 9F4D " + toHex(logEntry) +
                              " is not an SFI in 11..30 and a record count");
    }
    return LogLocation{logEntry[0], logEntry[1]};
}

std::vector<TerminalData> readTransactionLog(apdu::ApduChannel& card, ByteView logEntry) {
    const LogLocation location = parseLogEntry(logEntry);
    const std::vector<DolEntry> format = readLogFormat(card);
    std::vector<TerminalData> records;
    for (std::uint8_t number = 1; number <= location.records; ++number) {
        const apdu::ResponseApdu answer = exchange(card, readRecordCommand(location.sfi, number));
        if (answer.sw == apdu::sw::kRecordNotFound) {
            break;  // the log holds fewer records than it may
        }
        const std::string what = "READ RECORD " + std::to_string(number) + " of the log";
        records.push_back(readLogRecord(format, requireSuccess(answer, what), number));
    }
    return records;
}

}  // namespace taplink::emv
