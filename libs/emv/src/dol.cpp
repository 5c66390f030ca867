#include "taplink/emv/dol.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <string>

#include "taplink/apdu/tlv.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"

namespace taplink::emv {

namespace {

enum class Format { Numeric, CompressedNumeric, Other };

// Format n data objects the rest of the kernel has no use for (Book 3 Annex A1).
constexpr std::uint32_t kAcquirerIdentifier = 0x9F01;                    // n 6-11
constexpr std::uint32_t kTransactionReferenceCurrencyCode = 0x9F3C;      // n 3
constexpr std::uint32_t kTransactionReferenceCurrencyExponent = 0x9F3D;  // n 1
constexpr std::uint32_t kApplicationCurrencyCode = 0x9F42;               // n 3
constexpr std::uint32_t kApplicationCurrencyExponent = 0x9F44;           // n 1
constexpr std::uint32_t kTransactionCurrencyExponent = 0x5F36;           // n 1

// Data in format n (Book 3 Annex A1): a DOL pads or cuts them on the left (Book 3 5.4).
constexpr std::array kNumericTags{
    tag::kAmountAuthorised,
    tag::kAmountOther,
    tag::kTerminalCountryCode,
    tag::kTransactionCurrencyCode,
    kTransactionCurrencyExponent,
    kTransactionReferenceCurrencyCode,
    kTransactionReferenceCurrencyExponent,
    tag::kTransactionDate,
    tag::kTransactionTime,
    tag::kTransactionType,
    tag::kTerminalType,
    tag::kTransactionSequenceCounter,
    tag::kMerchantCategoryCode,
    kAcquirerIdentifier,
    tag::kIssuerCountryCode,
    kApplicationCurrencyCode,
    kApplicationCurrencyExponent,
    tag::kExpirationDate,
    tag::kEffectiveDate,
    tag::kPanSequenceNumber,
};

Format formatOf(std::uint32_t tag) {
    if (tag == tag::kPan) {
        return Format::CompressedNumeric;
    }
    const bool numeric =
        std::find(kNumericTags.begin(), kNumericTags.end(), tag) != kNumericTags.end();
    return numeric ? Format::Numeric : Format::Other;
}

Bytes fitted(ByteView value, std::size_t length, Format format) {
    if (format == Format::Numeric) {
        const std::size_t kept = std::min(value.size(), length);
        Bytes out(length - kept, 0x00);
        out.insert(out.end(), value.end() - static_cast<std::ptrdiff_t>(kept), value.end());
        return out;
    }
    Bytes out(value.begin(),
              value.begin() + static_cast<std::ptrdiff_t>(std::min(value.size(), length)));
    out.resize(length, format == Format::CompressedNumeric ? 0xFF : 0x00);
    return out;
}

bool isConstructed(std::uint32_t tag) {
    return tlv::Tlv{tag, {}, {}}.constructed();
}

}  // namespace

std::vector<DolEntry> parseDol(ByteView dol) {
    std::vector<DolEntry> entries;
    for (std::size_t offset = 0; offset < dol.size();) {
        tlv::TagAtFront tag;
        try {
            tag = tlv::readTag(dol.subspan(offset));
        } catch (const tlv::TlvError& error) {
            throw MalformedAnswer(std::string("DOL: ") + error.what());
        }
        offset += tag.size;
        if (offset >= dol.size()) {
            throw MalformedAnswer("DOL: entry " + tagName(tag.tag) + " has no length");
        }
        entries.push_back(DolEntry{tag.tag, dol[offset++]});
    }
    return entries;
}

Bytes buildDolData(const std::vector<DolEntry>& dol, const TerminalData& data) {
    Bytes out;
    for (const DolEntry& entry : dol) {
        const auto found = data.find(entry.tag);
        const Bytes value = found == data.end() || isConstructed(entry.tag)
                                ? Bytes(entry.length, 0x00)
                                : fitted(found->second, entry.length, formatOf(entry.tag));
        out.insert(out.end(), value.begin(), value.end());
    }
    return out;
}

bool dolDataFits(const std::vector<DolEntry>& dol, ByteView data) {
    const std::size_t total =
        std::accumulate(dol.begin(), dol.end(), std::size_t{0},
                        [](std::size_t sum, const DolEntry& entry) { return sum + entry.length; });
    return total == data.size();
}

TerminalData readDolData(const std::vector<DolEntry>& dol, ByteView data) {
    if (!dolDataFits(dol, data)) {
        throw EmvError(
            EmvErrorCode::TerminalDataInvalid,
            "DOL data of " + std::to_string(data.size()) + " bytes does not fit the list");
    }
    TerminalData values;
    std::size_t offset = 0;
    for (const DolEntry& entry : dol) {
        const ByteView value = data.subspan(offset, entry.length);
        values.emplace(entry.tag, Bytes(value.begin(), value.end()));
        offset += entry.length;
    }
    return values;
}

}  // namespace taplink::emv
