// ISO 9564-1 PIN blocks (crypto/pin_block), format 4 and format 0.
//
// Published examples pin the formulas:
//   - ANSI X9.24-3:2017 Supplement Test Vectors for AES-128 BDK, "Calculation of AES PIN Block
//     Format 4": the first eight PIN keys and their enciphered blocks of PIN 1234, PAN
//     4111111111111111 (quoted by openemv/dukpt, test/dukpt_aes128_test.c);
//   - ep2 Security Specification 8.0.0, 8.4 PIN Encryption (quoted by knovichikhin/psec,
//     tests/test_pinblock.py), and psec's own format 4 and format 0 examples (same file).
// Every other expected value comes from tests/unit/vectors/pin_block_vectors.json, which
// make_pin_block_vectors.py computes without this code (pycryptodome); the ctest
// crypto.pin_block_vectors_reproduce checks that the committed file is its output.

#include "taplink/crypto/pin_block.hpp"

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "unit_vectors.hpp"

namespace taplink::crypto {
namespace {

using test::hexField;
using test::textField;

PinBlockErrorCode codeOf(const std::function<void()>& action) {
    return test::errorCodeOf<PinBlockError>(action, PinBlockErrorCode::BadLength);
}

const nlohmann::json& vectors(const char* kind) {
    static const nlohmann::json all = test::loadUnitVectors("pin_block_vectors.json");
    return all.at(kind);
}

PinBlockErrorCode codeNamed(const std::string& name) {
    static const std::map<std::string, PinBlockErrorCode> codes{
        {"WrongFormat", PinBlockErrorCode::WrongFormat},
        {"BadPinLength", PinBlockErrorCode::BadPinLength},
        {"BadPinDigit", PinBlockErrorCode::BadPinDigit},
        {"BadFill", PinBlockErrorCode::BadFill}};
    return codes.at(name);
}

// ANSI X9.24-3:2017 supplement: one PIN field (random part 2F69ADDE2E9E7ACE) under eight keys.
constexpr std::string_view kX9PinField = "441234AAAAAAAAAA2F69ADDE2E9E7ACE";
constexpr std::string_view kX9Pan = "4111111111111111";
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kX9KeysAndBlocks{{
    {"AF8CB133A78F8DC2D1359F18527593FB", "A912150391AB65A67E52883D81CE2D15"},
    {"D30BDC73EC9714B000BEC66BDB7B6D09", "52A00503BD34BA1383F6A7EE9FE2547F"},
    {"7D69F01F3B45449F62C7816ECE723268", "A5A27E82B43A9A866A93D7ABE89CEF93"},
    {"91A0588318EC2673214271F70137896E", "71B3D0528669498777555A8BE6698E44"},
    {"35A43BC9EFEB09C756204B57E3FB7D4D", "881A7F77A2E04E5BEA985E342FD0B628"},
    {"02DCC6CD1201A3A2CA7099559C862123", "BDC1C3871AFB0B340AA5B5CEFD08695E"},
    {"6ECF912F3B18CA11A7A27BB60705FD09", "4A8E6B8C7DBEE6CBA6DC774F0CB83396"},
    {"4D9DF3FBEE3448FC3E676D04320A90F5", "8308BB857C17F390369F761F8EB358FA"},
}};

Bytes x9Random() {
    const Bytes field = fromHex(kX9PinField);
    return {field.begin() + 8, field.end()};
}

TEST(PinBlockFormat4, AnsiX924_3SupplementFields) {
    EXPECT_EQ(toHex(format4PinField("1234", x9Random())), kX9PinField);
    EXPECT_EQ(toHex(format4PanField(kX9Pan)), "44111111111111111000000000000000");
}

TEST(PinBlockFormat4, AnsiX924_3SupplementBlocks) {
    for (const auto& [key, block] : kX9KeysAndBlocks) {
        SCOPED_TRACE(key);
        EXPECT_EQ(toHex(encipherFormat4(fromHex(key), "1234", kX9Pan, x9Random())), block);
        EXPECT_EQ(decipherFormat4(fromHex(key), fromHex(block), kX9Pan), "1234");
    }
}

TEST(PinBlockFormat4, Ep2SecuritySpecificationExample) {
    EXPECT_EQ(decipherFormat4(fromHex("C1D0F8FB4958670DBA40AB1F3752EF0D"),
                              fromHex("CC17F65586BFD0953010226C4FC5B3CA"), "432198765432109870"),
              "1234");
}

TEST(PinBlockFormat4, PsecExamples) {
    EXPECT_EQ(toHex(encipherFormat4(fromHex("00112233445566778899AABBCCDDEEFF"), "1234",
                                    "1234567890123456789", Bytes(8, 0xFF))),
              "28B41FDDD29B743E93124BD8E32D921E");
    EXPECT_EQ(toHex(format4PanField("112233445566778899")), "61122334455667788990000000000000");
}

TEST(PinBlockFormat4, IndependentVectors) {
    ASSERT_EQ(vectors("format4").size(), 12U);
    for (const auto& v : vectors("format4")) {
        const std::string pin = textField(v, "pin");
        const std::string pan = textField(v, "pan");
        SCOPED_TRACE(pan);
        EXPECT_EQ(toHex(format4PinField(pin, hexField(v, "random"))), textField(v, "pinField"));
        EXPECT_EQ(toHex(format4PanField(pan)), textField(v, "panField"));
        EXPECT_EQ(toHex(encipherFormat4(hexField(v, "key"), pin, pan, hexField(v, "random"))),
                  textField(v, "block"));
        EXPECT_EQ(decipherFormat4(hexField(v, "key"), hexField(v, "block"), pan), pin);
    }
}

TEST(PinBlockFormat4, MalformedPlainFieldsAreRefused) {
    for (const auto& v : vectors("malformedFormat4")) {
        SCOPED_TRACE(textField(v, "plainPinField"));
        EXPECT_EQ(codeOf([&] {
                      decipherFormat4(hexField(v, "key"), hexField(v, "block"),
                                      textField(v, "pan"));
                  }),
                  codeNamed(textField(v, "error")));
    }
}

TEST(PinBlockFormat4, TheRandomPartComesFromTheRng) {
    const Bytes key = fromHex(kX9KeysAndBlocks[0].first);
    const Bytes first = encipherFormat4(key, "271828", kX9Pan);
    const Bytes second = encipherFormat4(key, "271828", kX9Pan);
    EXPECT_NE(first, second);
    EXPECT_EQ(decipherFormat4(key, first, kX9Pan), "271828");
    EXPECT_EQ(decipherFormat4(key, second, kX9Pan), "271828");
}

TEST(PinBlockFormat4, AnotherPanDoesNotDecipher) {
    const auto& [key, block] = kX9KeysAndBlocks[0];
    EXPECT_THROW(decipherFormat4(fromHex(key), fromHex(block), "4111111111111112"), PinBlockError);
}

TEST(PinBlockFormat4, RefusesWrongSizes) {
    const Bytes key = fromHex(kX9KeysAndBlocks[0].first);
    EXPECT_EQ(codeOf([&] { encipherFormat4(Bytes(15, 1), "1234", kX9Pan); }),
              PinBlockErrorCode::BadLength);
    EXPECT_EQ(codeOf([&] { encipherFormat4(key, "1234", kX9Pan, Bytes(7, 1)); }),
              PinBlockErrorCode::BadLength);
    EXPECT_EQ(codeOf([&] { decipherFormat4(key, Bytes(15, 1), kX9Pan); }),
              PinBlockErrorCode::BadLength);
    EXPECT_EQ(codeOf([&] { decipherFormat4(key, Bytes(17, 1), kX9Pan); }),
              PinBlockErrorCode::BadLength);
}

// psec's format 0 examples (tests/test_pinblock.py): PAN 5555555551234567.
TEST(PinBlockFormat0, PsecExamples) {
    constexpr std::string_view pan = "5555555551234567";
    EXPECT_EQ(toHex(format0PinBlock("1234", pan)), "041261AAAAEDCBA9");
    EXPECT_EQ(toHex(format0PinBlock("123456789012", pan)), "0C1261032D8226A9");
    EXPECT_EQ(decodeFormat0(fromHex("091261032D8DCBA9"), pan), "123456789");
    EXPECT_EQ(decodeFormat0(fromHex("0A1261032D82CBA9"), pan), "1234567890");
}

TEST(PinBlockFormat0, IndependentVectors) {
    ASSERT_EQ(vectors("format0").size(), 9U);
    for (const auto& v : vectors("format0")) {
        const std::string pin = textField(v, "pin");
        const std::string pan = textField(v, "pan");
        SCOPED_TRACE(pan);
        EXPECT_EQ(toHex(format0PinBlock(pin, pan)), textField(v, "block"));
        EXPECT_EQ(decodeFormat0(hexField(v, "block"), pan), pin);
    }
}

TEST(PinBlockFormat0, MalformedBlocksAreRefused) {
    for (const auto& v : vectors("malformedFormat0")) {
        SCOPED_TRACE(textField(v, "plainPinField"));
        EXPECT_EQ(codeOf([&] { decodeFormat0(hexField(v, "block"), textField(v, "pan")); }),
                  codeNamed(textField(v, "error")));
    }
    EXPECT_EQ(codeOf([] { decodeFormat0(Bytes(9, 0), "5555555551234567"); }),
              PinBlockErrorCode::BadLength);
}

TEST(PinBlock, RefusesPinsOutsideFourToTwelveDigits) {
    for (const std::string_view pin : {"", "123", "1234567890123", "12a4", "12 4", "-123"}) {
        SCOPED_TRACE(pin);
        EXPECT_EQ(codeOf([&] { format0PinBlock(pin, kX9Pan); }), PinBlockErrorCode::BadPin);
        EXPECT_EQ(codeOf([&] { format4PinField(pin, Bytes(8, 0)); }), PinBlockErrorCode::BadPin);
    }
}

TEST(PinBlock, RefusesPansOutsideTwelveToNineteenDigits) {
    for (const std::string_view pan : {"", "41111111111", "41111111111111111111", "41111111111a"}) {
        SCOPED_TRACE(pan);
        EXPECT_EQ(codeOf([&] { format0PinBlock("1234", pan); }), PinBlockErrorCode::BadPan);
        EXPECT_EQ(codeOf([&] { format4PanField(pan); }), PinBlockErrorCode::BadPan);
    }
}

TEST(PinBlock, ErrorsNeverCarryThePin) {
    // A format 0 block of PIN 918273 with the fill broken: the decoder reads the PIN before
    // it finds the fill wrong, and must not put it in the message.
    constexpr std::string_view pan = "5555555551234567";
    Bytes block = format0PinBlock("918273", pan);
    block.back() ^= 0x01;
    try {
        decodeFormat0(block, pan);
        ADD_FAILURE() << "no PinBlockError";
    } catch (const PinBlockError& error) {
        EXPECT_EQ(error.code(), PinBlockErrorCode::BadFill);
        EXPECT_EQ(std::string(error.what()).find("918273"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace taplink::crypto
