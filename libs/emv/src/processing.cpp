#include "taplink/emv/processing.hpp"

#include <string>

#include "taplink/apdu/tlv.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"
#include "taplink/emv/emv_transport.hpp"

namespace taplink::emv {

namespace {

constexpr std::uint8_t kInsGetProcessingOptions = 0xA8;
constexpr std::size_t kAipSize = 2;
constexpr std::size_t kAflEntrySize = 4;
constexpr std::uint8_t kMaxSfi = 30;
constexpr std::uint8_t kLastEmvSfi = 10;  // 11-30: issuer proprietary (Book 3 5.3.2.2)

std::string entryName(std::size_t index) {
    return "AFL entry " + std::to_string(index + 1);
}

AflEntry checkedEntry(ByteView bytes, std::size_t index) {
    const AflEntry entry{static_cast<std::uint8_t>(bytes[0] >> 3U), bytes[1], bytes[2], bytes[3]};
    const bool sfiOk = entry.sfi >= 1 && entry.sfi <= kMaxSfi && (bytes[0] & 0x07U) == 0;
    const bool recordsOk = entry.firstRecord >= 1 && entry.lastRecord >= entry.firstRecord;
    if (!sfiOk || !recordsOk || entry.odaRecords > entry.lastRecord - entry.firstRecord + 1) {
        throw MalformedAnswer(entryName(index) + " " + toHex(bytes) + " is not valid");
    }
    return entry;
}

ProcessingOptions fromFormat1(const Bytes& value) {
    if (value.size() < kAipSize) {
        throw MalformedAnswer("GPO format 1: " + std::to_string(value.size()) + " bytes");
    }
    const ByteView bytes(value);
    return ProcessingOptions{Bytes(value.begin(), value.begin() + kAipSize),
                             parseAfl(bytes.subspan(kAipSize))};
}

}  // namespace

apdu::CommandApdu getProcessingOptionsCommand(ByteView pdolData) {
    const tlv::Tlv commandTemplate =
        tlv::Tlv::primitive(tag::kCommandTemplate, Bytes(pdolData.begin(), pdolData.end()));
    return apdu::CommandApdu{0x80, kInsGetProcessingOptions, 0x00,
                             0x00, commandTemplate.encode(), apdu::kMaxShortLe};
}

ProcessingOptions parseProcessingOptions(ByteView answer) {
    if (!answer.empty() && answer.front() == tag::kResponseFormat1) {
        const std::vector<tlv::Tlv> objects = [&] {
            try {
                return tlv::parse(answer);
            } catch (const tlv::TlvError& error) {
                throw MalformedAnswer(std::string("GPO format 1: ") + error.what());
            }
        }();
        if (objects.size() != 1) {
            throw MalformedAnswer("GPO format 1: more than the one 80 object");
        }
        return fromFormat1(objects.front().value);
    }
    const EmvTemplate format2 = EmvTemplate::parse(answer, tag::kResponseFormat2, "GPO answer");
    return ProcessingOptions{format2.required(tag::kAip), parseAfl(format2.required(tag::kAfl))};
}

std::vector<AflEntry> parseAfl(ByteView afl) {
    if (afl.empty() || afl.size() % kAflEntrySize != 0) {
        throw MalformedAnswer("AFL of " + std::to_string(afl.size()) +
                              " bytes is not a whole number of 4-byte entries");
    }
    std::vector<AflEntry> entries;
    for (std::size_t i = 0; i * kAflEntrySize < afl.size(); ++i) {
        entries.push_back(checkedEntry(afl.subspan(i * kAflEntrySize, kAflEntrySize), i));
    }
    return entries;
}

apdu::CommandApdu readRecordCommand(std::uint8_t sfi, std::uint8_t record) {
    const auto p2 = static_cast<std::uint8_t>((static_cast<unsigned>(sfi) << 3U) |
                                              0x04U);  // P1 is a record number
    return apdu::CommandApdu{0x00, apdu::kInsReadRecord, record, p2, {}, apdu::kMaxShortLe};
}

void collectRecord(ByteView record, std::uint8_t sfi, CardData& data) {
    if (sfi > kLastEmvSfi) {
        return;
    }
    const std::string what = "record of SFI " + std::to_string(sfi);
    const EmvTemplate parsed = EmvTemplate::parse(record, tag::kRecordTemplate, what);
    for (const tlv::Tlv& object : parsed.children()) {
        if (!data.emplace(object.tag, object.value).second) {
            throw MalformedAnswer(what + ": " + tagName(object.tag) +
                                  " was already in an earlier record");
        }
    }
}

ProcessingOptions getProcessingOptions(apdu::ApduChannel& channel, ByteView pdolData) {
    const apdu::ResponseApdu answer = exchange(channel, getProcessingOptionsCommand(pdolData));
    return parseProcessingOptions(requireSuccess(answer, "GET PROCESSING OPTIONS"));
}

CardData readApplicationData(apdu::ApduChannel& channel, const std::vector<AflEntry>& afl) {
    CardData data;
    for (const AflEntry& entry : afl) {
        for (unsigned record = entry.firstRecord; record <= entry.lastRecord; ++record) {
            const auto number = static_cast<std::uint8_t>(record);
            const apdu::ResponseApdu answer =
                exchange(channel, readRecordCommand(entry.sfi, number));
            collectRecord(requireSuccess(answer, "READ RECORD " + std::to_string(record) +
                                                     " of SFI " + std::to_string(entry.sfi)),
                          entry.sfi, data);
        }
    }
    return data;
}

}  // namespace taplink::emv
