#include "taplink/apdu/apdu.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace taplink::apdu {
namespace {

Bytes filled(std::size_t size) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = static_cast<std::uint8_t>(i * 7 + 1);
    }
    return out;
}

CommandApdu command(Bytes data, std::optional<std::size_t> le) {
    CommandApdu apdu;
    apdu.cla = 0x80;
    apdu.ins = 0xCA;
    apdu.p1 = 0x9F;
    apdu.p2 = 0x17;
    apdu.data = std::move(data);
    apdu.le = le;
    return apdu;
}

// Runs parse and returns the ApduError message, or fails the test if it does not throw.
std::string parseError(const Bytes& bytes) {
    try {
        CommandApdu::parse(bytes);
    } catch (const ApduError& e) {
        return e.what();
    }
    ADD_FAILURE() << "parse accepted " << toHex(bytes, true);
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// One command per case and per size boundary between the short and extended forms.
std::vector<CommandApdu> everyCase() {
    return {
        command({}, std::nullopt),             // 1
        command({}, 1),                        // 2S
        command({}, 255),                      // 2S
        command({}, 256),                      // 2S, Le = 00
        command({}, 257),                      // 2E
        command({}, 65535),                    // 2E
        command({}, 65536),                    // 2E, Le = 0000
        command(filled(1), std::nullopt),      // 3S
        command(filled(255), std::nullopt),    // 3S
        command(filled(256), std::nullopt),    // 3E
        command(filled(65535), std::nullopt),  // 3E
        command(filled(1), 1),                 // 4S
        command(filled(255), 256),             // 4S
        command(filled(256), 1),               // 4E because of the data
        command(filled(3), 257),               // 4E because of Le
        command(filled(300), 65536),           // 4E
        command(filled(65535), 65536),         // 4E, both at the maximum
    };
}

TEST(CommandApduTest, EveryCaseRoundTrips) {
    for (const CommandApdu& apdu : everyCase()) {
        const Bytes encoded = apdu.encode();
        SCOPED_TRACE("data " + std::to_string(apdu.data.size()) + " le " +
                     (apdu.le ? std::to_string(*apdu.le) : "none"));
        EXPECT_EQ(CommandApdu::parse(encoded), apdu);
    }
}

TEST(CommandApduTest, EncodedSizeMatchesTheCase) {
    EXPECT_EQ(command({}, std::nullopt).encode().size(), 4U);
    EXPECT_EQ(command({}, 256).encode().size(), 5U);
    EXPECT_EQ(command({}, 257).encode().size(), 7U);
    EXPECT_EQ(command(filled(255), std::nullopt).encode().size(), 4U + 1 + 255);
    EXPECT_EQ(command(filled(255), 256).encode().size(), 4U + 1 + 255 + 1);
    EXPECT_EQ(command(filled(256), std::nullopt).encode().size(), 4U + 3 + 256);
    EXPECT_EQ(command(filled(256), 256).encode().size(), 4U + 3 + 256 + 2);
}

TEST(CommandApduTest, IsExtendedOnlyWhenNeeded) {
    EXPECT_FALSE(command({}, std::nullopt).isExtended());
    EXPECT_FALSE(command({}, 256).isExtended());
    EXPECT_TRUE(command({}, 257).isExtended());
    EXPECT_FALSE(command(filled(255), 256).isExtended());
    EXPECT_TRUE(command(filled(256), std::nullopt).isExtended());
    EXPECT_TRUE(command(filled(1), 65536).isExtended());
}

TEST(CommandApduTest, SelectByAidKnownBytes) {
    CommandApdu select;
    select.cla = 0x00;
    select.ins = 0xA4;
    select.p1 = 0x04;
    select.p2 = 0x00;
    select.data = fromHex("A0000000031010");
    select.le = 256;
    const Bytes expected = fromHex("00A4040007A0000000031010 00");
    EXPECT_EQ(select.encode(), expected);
    EXPECT_EQ(CommandApdu::parse(expected), select);
}

TEST(CommandApduTest, GetBalanceKnownBytes) {
    const CommandApdu parsed = CommandApdu::parse(fromHex("805C000204"));
    EXPECT_EQ(parsed.cla, 0x80);
    EXPECT_EQ(parsed.ins, 0x5C);
    EXPECT_EQ(parsed.p1, 0x00);
    EXPECT_EQ(parsed.p2, 0x02);
    EXPECT_TRUE(parsed.data.empty());
    EXPECT_EQ(parsed.le, 4U);
    EXPECT_EQ(parsed.encode(), fromHex("805C000204"));
}

TEST(CommandApduTest, Case1KnownBytes) {
    const CommandApdu parsed = CommandApdu::parse(fromHex("00A40400"));
    EXPECT_TRUE(parsed.data.empty());
    EXPECT_FALSE(parsed.le.has_value());
    EXPECT_EQ(parsed.encode(), fromHex("00A40400"));
}

TEST(CommandApduTest, Case3SKnownBytes) {
    const CommandApdu parsed = CommandApdu::parse(fromHex("00DA0102 02 AABB"));
    EXPECT_EQ(parsed.data, fromHex("AABB"));
    EXPECT_FALSE(parsed.le.has_value());
}

TEST(CommandApduTest, ShortLe256EncodesAs00) {
    const Bytes encoded = command({}, 256).encode();
    EXPECT_EQ(encoded, fromHex("80CA9F17 00"));
    EXPECT_EQ(CommandApdu::parse(fromHex("00B00000 00")).le, 256U);
}

TEST(CommandApduTest, Case4SLe00Means256) {
    const CommandApdu parsed = CommandApdu::parse(fromHex("00A40400 02 3F00 00"));
    EXPECT_EQ(parsed.data, fromHex("3F00"));
    EXPECT_EQ(parsed.le, 256U);
}

TEST(CommandApduTest, Case2EKnownBytes) {
    EXPECT_EQ(command({}, 257).encode(), fromHex("80CA9F17 00 0101"));
    EXPECT_EQ(command({}, 65536).encode(), fromHex("80CA9F17 00 0000"));
    EXPECT_EQ(CommandApdu::parse(fromHex("00B00000 000000")).le, 65536U);
    EXPECT_EQ(CommandApdu::parse(fromHex("00B00000 000101")).le, 257U);
}

TEST(CommandApduTest, Case3EKnownBytes) {
    const Bytes data = filled(256);
    const Bytes encoded = command(data, std::nullopt).encode();
    const Bytes header = fromHex("80CA9F17 00 0100");
    ASSERT_EQ(encoded.size(), header.size() + data.size());
    EXPECT_TRUE(std::equal(header.begin(), header.end(), encoded.begin()));
    EXPECT_TRUE(std::equal(data.begin(), data.end(), encoded.begin() + 7));
}

TEST(CommandApduTest, Case4EWith300BytesAndLe65536) {
    CommandApdu apdu;
    apdu.cla = 0x00;
    apdu.ins = 0xD6;
    apdu.data = filled(300);
    apdu.le = 65536;
    const Bytes encoded = apdu.encode();
    ASSERT_EQ(encoded.size(), 4U + 3 + 300 + 2);
    EXPECT_EQ(Bytes(encoded.begin(), encoded.begin() + 7), fromHex("00D60000 00 012C"));
    EXPECT_EQ(Bytes(encoded.begin() + 7, encoded.end() - 2), apdu.data);
    EXPECT_EQ(Bytes(encoded.end() - 2, encoded.end()), fromHex("0000"));
    EXPECT_EQ(CommandApdu::parse(encoded), apdu);
}

TEST(CommandApduTest, Case4EBecauseOfLeKnownBytes) {
    EXPECT_EQ(command(fromHex("010203"), 1000).encode(), fromHex("80CA9F17 00 0003 010203 03E8"));
}

TEST(CommandApduTest, ParsesExtendedFormEvenWhenShortWouldDo) {
    // 7816-4 allows the extended form for small values; re-encoding picks the short form.
    const CommandApdu le = CommandApdu::parse(fromHex("00B00000 000005"));
    EXPECT_EQ(le.le, 5U);
    EXPECT_EQ(le.encode(), fromHex("00B00000 05"));

    const CommandApdu data = CommandApdu::parse(fromHex("00DA0000 000002 AABB"));
    EXPECT_EQ(data.data, fromHex("AABB"));
    EXPECT_FALSE(data.le.has_value());

    const CommandApdu both = CommandApdu::parse(fromHex("00DA0000 000002 AABB 0010"));
    EXPECT_EQ(both.data, fromHex("AABB"));
    EXPECT_EQ(both.le, 16U);
}

TEST(CommandApduTest, EncodeRejectsLeZero) {
    EXPECT_THROW(command({}, 0).encode(), ApduError);
    EXPECT_THROW(command(filled(3), 0).encode(), ApduError);
}

TEST(CommandApduTest, EncodeRejectsOversizedFields) {
    EXPECT_THROW(command({}, 65537).encode(), ApduError);
    EXPECT_THROW(command(filled(65536), std::nullopt).encode(), ApduError);
    EXPECT_THROW(command(filled(65536), 1).encode(), ApduError);
    EXPECT_NO_THROW(command(filled(65535), 65536).encode());
}

TEST(CommandApduTest, ParseRejectsShortHeader) {
    EXPECT_THROW(CommandApdu::parse(Bytes{}), ApduError);
    EXPECT_THROW(CommandApdu::parse(fromHex("00")), ApduError);
    EXPECT_THROW(CommandApdu::parse(fromHex("00A4")), ApduError);
    EXPECT_TRUE(contains(parseError(fromHex("00A404")), "header"));
}

TEST(CommandApduTest, ParseRejectsShortLcBeyondInput) {
    EXPECT_TRUE(contains(parseError(fromHex("00DA0000 05 0102")), "Lc 5"));
    EXPECT_THROW(CommandApdu::parse(fromHex("00DA0000 FF 01")), ApduError);
}

TEST(CommandApduTest, ParseRejectsShortLcWithTrailingBytes) {
    // Lc 1 + data + two more bytes: a short Le is only one byte.
    EXPECT_TRUE(contains(parseError(fromHex("00DA0000 01 AA BBCC")), "trailing"));
    EXPECT_THROW(CommandApdu::parse(fromHex("00DA0000 01 AA BBCCDD")), ApduError);
}

TEST(CommandApduTest, ParseRejectsTruncatedExtendedLength) {
    // A 00 after the header followed by more bytes starts the extended form.
    EXPECT_TRUE(contains(parseError(fromHex("00A40400 00 01")), "extended"));
}

TEST(CommandApduTest, ParseRejectsExtendedLcZeroWithData) {
    EXPECT_TRUE(contains(parseError(fromHex("00DA0000 000000 AA")), "0000"));
    EXPECT_THROW(CommandApdu::parse(fromHex("00DA0000 000000 AABBCC")), ApduError);
}

TEST(CommandApduTest, ParseRejectsExtendedLcMismatch) {
    EXPECT_TRUE(contains(parseError(fromHex("00DA0000 000003 AABB")), "Lc 3"));
    // Lc + 1: a one-byte Le is not legal in the extended form.
    EXPECT_THROW(CommandApdu::parse(fromHex("00DA0000 000002 AABB 00")), ApduError);
    EXPECT_THROW(CommandApdu::parse(fromHex("00DA0000 000002 AABB 000000")), ApduError);
    EXPECT_THROW(CommandApdu::parse(fromHex("00DA0000 00FFFF AABB")), ApduError);
}

TEST(CommandApduTest, ParseRejectsTruncatedLongCommand) {
    Bytes encoded = command(filled(300), 65536).encode();
    encoded.pop_back();
    EXPECT_THROW(CommandApdu::parse(encoded), ApduError);
    encoded.resize(200);
    EXPECT_THROW(CommandApdu::parse(encoded), ApduError);
}

// Every prefix and every single-byte mutation either parses or throws ApduError; what parses
// re-encodes to something that parses to the same command. Under ASan this also proves that
// parse never reads past its input.
TEST(CommandApduTest, PrefixesAndMutationsParseOrThrowApduError) {
    const std::vector<Bytes> seeds{
        fromHex("00A4040007A0000000031010 00"),
        fromHex("805C000204"),
        command(filled(3), 1000).encode(),
        command(filled(20), std::nullopt).encode(),
        command({}, 65536).encode(),
    };
    const auto check = [](const Bytes& bytes) {
        // Copy into an exactly sized buffer so that ASan sees any overread.
        const Bytes exact(bytes.begin(), bytes.end());
        try {
            const CommandApdu parsed = CommandApdu::parse(exact);
            EXPECT_EQ(CommandApdu::parse(parsed.encode()), parsed) << toHex(exact, true);
        } catch (const ApduError&) {
            // Rejected cleanly.
        }
    };
    for (const Bytes& seed : seeds) {
        for (std::size_t size = 0; size <= seed.size(); ++size) {
            check(Bytes(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(size)));
        }
        for (std::size_t pos = 0; pos < seed.size(); ++pos) {
            for (int value = 0; value < 256; ++value) {
                Bytes mutated = seed;
                mutated[pos] = static_cast<std::uint8_t>(value);
                check(mutated);
            }
        }
    }
}

TEST(ResponseApduTest, ParsesStatusWordOnly) {
    const ResponseApdu response = ResponseApdu::parse(fromHex("9000"));
    EXPECT_TRUE(response.data.empty());
    EXPECT_EQ(response.sw, sw::kOk);
    EXPECT_EQ(response.sw1(), 0x90);
    EXPECT_EQ(response.sw2(), 0x00);
    EXPECT_TRUE(response.ok());
}

TEST(ResponseApduTest, ParsesDataAndStatusWord) {
    const ResponseApdu response = ResponseApdu::parse(fromHex("6F07 8407A000 0000 6110"));
    EXPECT_EQ(response.data, fromHex("6F078407A0000000"));
    EXPECT_EQ(response.sw, 0x6110);
    EXPECT_EQ(response.sw1(), sw::kMoreDataSw1);
    EXPECT_EQ(response.sw2(), 0x10);
    EXPECT_FALSE(response.ok());
}

TEST(ResponseApduTest, ErrorStatusIsNotOk) {
    const ResponseApdu response = ResponseApdu::parse(fromHex("6A82"));
    EXPECT_EQ(response.sw, sw::kFileNotFound);
    EXPECT_FALSE(response.ok());
}

TEST(ResponseApduTest, ParseRejectsMissingStatusWord) {
    EXPECT_THROW(ResponseApdu::parse(Bytes{}), ApduError);
    EXPECT_THROW(ResponseApdu::parse(fromHex("90")), ApduError);
}

TEST(ResponseApduTest, EncodeAppendsStatusWord) {
    ResponseApdu response;
    response.data = fromHex("0102");
    response.sw = sw::kWrongLength;
    EXPECT_EQ(response.encode(), fromHex("0102 6700"));
    response.data.clear();
    response.sw = sw::kOk;
    EXPECT_EQ(response.encode(), fromHex("9000"));
}

TEST(ResponseApduTest, RoundTrips) {
    ResponseApdu response;
    response.data = filled(258);
    response.sw = 0x6C10;
    EXPECT_EQ(ResponseApdu::parse(response.encode()), response);
}

}  // namespace
}  // namespace taplink::apdu

namespace taplink::apdu {
namespace {

TEST(StatusWordHexTest, FormatsFourUpperCaseDigits) {
    EXPECT_EQ(statusWordHex(0x9302), "9302");
    EXPECT_EQ(statusWordHex(0x6a82), "6A82");
    EXPECT_EQ(statusWordHex(0x0001), "0001");
}

}  // namespace
}  // namespace taplink::apdu
