#include "taplink/base/base64.hpp"

#include <gtest/gtest.h>

namespace taplink {
namespace {

TEST(Base64, RoundTripsEveryLengthAroundAPaddingBoundary) {
    for (std::size_t size = 0; size < 10; ++size) {
        Bytes bytes(size);
        for (std::size_t i = 0; i < size; ++i) {
            bytes[i] = static_cast<std::uint8_t>(0xF0 + i);
        }
        EXPECT_EQ(base64Decode(base64Encode(bytes)), bytes) << size;
    }
}

TEST(Base64, UsesTheStandardAlphabetWithPadding) {
    EXPECT_EQ(base64Encode(fromHex("414243")), "QUJD");
    EXPECT_EQ(base64Encode(fromHex("FBFF")), "+/8=");
    EXPECT_EQ(base64Decode("QQ=="), fromHex("41"));
    EXPECT_EQ(base64Decode(""), Bytes{});
}

TEST(Base64, RefusesAnythingNonCanonical) {
    for (const char* bad : {"QQ", "QR==", "Q===", "QQ==QQ==", " QQ==", "QQ=\n", "Q!==", "QQ=A",
                            "QUI=x", "QUJ", "QU JD", "QUJD\n", "=QUJ", "QU=D", "QUJD-_=="}) {
        EXPECT_FALSE(base64Decode(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace taplink
