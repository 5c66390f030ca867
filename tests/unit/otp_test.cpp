// One-time codes (crypto/hmac, crypto/hotp, crypto/ocra).
//
// Published values pin the formulas: RFC 4226 Appendix D (all ten counters: the HMAC-SHA-1,
// the truncated number and the code) and the worked example of RFC 4226 5.4; RFC 6287
// Appendix C, every table without a timestamp (C.1 one-way, C.2 mutual, C.3 plain
// signature). Every other expected value comes from tests/unit/vectors/otp_vectors.json,
// which make_otp_vectors.py computes without this code (Python's hmac and hashlib); the ctest
// crypto.otp_vectors_reproduce checks that the committed file is its output.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/hmac.hpp"
#include "taplink/crypto/hotp.hpp"
#include "taplink/crypto/ocra.hpp"
#include "unit_vectors.hpp"

namespace taplink::crypto {
namespace {

using test::hexField;
using test::textField;

// The RFCs' "standard" keys: the ASCII digits 1234567890 repeated to 20, 32 and 64 bytes.
Bytes standardKey(std::size_t size) {
    Bytes key(size);
    for (std::size_t i = 0; i < size; ++i) {
        key[i] = static_cast<std::uint8_t>('0' + (i + 1) % 10);
    }
    return key;
}

// SHA-1 of the PIN 1234, as RFC 6287 Appendix C gives it.
Bytes pin1234Sha1() {
    return fromHex("7110EDA4D09E062AA5E4A390B0A572AC0D2C0220");
}

OtpErrorCode codeOf(const std::function<void()>& action) {
    return test::errorCodeOf<OtpError>(action, OtpErrorCode::BadInput);
}

const nlohmann::json& vectors(const char* kind) {
    static const nlohmann::json all = test::loadUnitVectors("otp_vectors.json");
    return all.at(kind);
}

struct Rfc4226Row {
    std::string_view hmac;
    std::uint32_t truncated;
    std::string_view code;
};
// RFC 4226 Appendix D, tables 1 and 2, counters 0..9.
constexpr std::array<Rfc4226Row, 10> kRfc4226{{
    {"CC93CF18508D94934C64B65D8BA7667FB7CDE4B0", 1284755224, "755224"},
    {"75A48A19D4CBE100644E8AC1397EEA747A2D33AB", 1094287082, "287082"},
    {"0BACB7FA082FEF30782211938BC1C5E70416FF44", 137359152, "359152"},
    {"66C28227D03A2D5529262FF016A1E6EF76557ECE", 1726969429, "969429"},
    {"A904C900A64B35909874B33E61C5938A8E15ED1C", 1640338314, "338314"},
    {"A37E783D7B7233C083D4F62926C7A25F238D0316", 868254676, "254676"},
    {"BC9CD28561042C83F219324D3C607256C03272AE", 1918287922, "287922"},
    {"A4FB960C0BC06E1EABB804E5B397CDC4B45596FA", 82162583, "162583"},
    {"1B3C89F65E6C9E883012052823443F048B4332DB", 673399871, "399871"},
    {"1637409809A679DC698207310C8C7FC07290D9E5", 645520489, "520489"},
}};

TEST(Hotp, Rfc4226AppendixD) {
    const Bytes key = standardKey(20);
    for (std::uint64_t counter = 0; counter < kRfc4226.size(); ++counter) {
        SCOPED_TRACE(counter);
        const Rfc4226Row& row = kRfc4226[counter];
        const Bytes mac = hmac(Digest::Sha1, key, ByteWriter().u64(counter).take());
        EXPECT_EQ(toHex(mac), row.hmac);
        EXPECT_EQ(dynamicTruncation(mac), row.truncated);
        EXPECT_EQ(hotp(key, counter), row.code);
    }
}

TEST(Hotp, Rfc4226WorkedExampleOfTruncation) {
    const Bytes mac = fromHex("1F8698690E02CA16618550EF7F19DA8E945B555A");  // RFC 4226 5.4
    EXPECT_EQ(dynamicTruncation(mac), 0x50EF7F19U);
    EXPECT_EQ(decimalCode(dynamicTruncation(mac), 6), "872921");
}

TEST(Hotp, IndependentVectors) {
    ASSERT_EQ(vectors("hotp").size(), 48U);
    for (const auto& v : vectors("hotp")) {
        const auto counter = std::stoull(textField(v, "counter"));
        SCOPED_TRACE(textField(v, "counter"));
        EXPECT_EQ(hotp(hexField(v, "key"), counter, v.at("digits").get<int>()),
                  textField(v, "code"));
    }
}

TEST(Hotp, RefusesOtherLengthsAndShortKeys) {
    const Bytes key = standardKey(20);
    for (const int digits : {0, 5, 9, 10, -1}) {
        EXPECT_EQ(codeOf([&] { hotp(key, 0, digits); }), OtpErrorCode::BadDigits) << digits;
    }
    EXPECT_EQ(codeOf([] { hotp(Bytes(15, 1), 0); }), OtpErrorCode::BadKey);
    EXPECT_EQ(hotp(standardKey(16), 0).size(), 6U);
}

TEST(Hotp, TruncationNeedsTwentyBytes) {
    EXPECT_THROW(dynamicTruncation(Bytes(19, 0)), CryptoError);
}

std::string ocraOf(std::string_view suite, const Bytes& key, const OcraInput& input) {
    return ocra(parseOcraSuite(suite), key, input);
}

std::vector<std::string> sameDigitChallenges() {
    std::vector<std::string> out;
    for (char digit = '0'; digit <= '9'; ++digit) {
        out.emplace_back(8, digit);
    }
    return out;
}

// RFC 6287 C.1, OCRA-1:HOTP-SHA1-6:QN08 and OCRA-1:HOTP-SHA256-8:QN08-PSHA1.
TEST(Ocra, Rfc6287OneWayWithoutCounter) {
    const std::array<std::string_view, 10> sha1{"237653", "243178", "653583", "740991", "608993",
                                                "388898", "816933", "224598", "750600", "294470"};
    const std::array<std::string_view, 5> sha256{"83238735", "01501458", "17957585", "86776967",
                                                 "86807031"};
    const auto challenges = sameDigitChallenges();
    for (std::size_t i = 0; i < sha1.size(); ++i) {
        EXPECT_EQ(ocraOf("OCRA-1:HOTP-SHA1-6:QN08", standardKey(20), {{}, {challenges[i]}, {}}),
                  sha1[i]);
    }
    for (std::size_t i = 0; i < sha256.size(); ++i) {
        EXPECT_EQ(ocraOf("OCRA-1:HOTP-SHA256-8:QN08-PSHA1", standardKey(32),
                         {{}, {challenges[i]}, pin1234Sha1()}),
                  sha256[i]);
    }
}

// RFC 6287 C.1, OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1 and OCRA-1:HOTP-SHA512-8:C-QN08.
TEST(Ocra, Rfc6287OneWayWithCounter) {
    const std::array<std::string_view, 10> sha256{"65347737", "86775851", "78192410", "71565254",
                                                  "10104329", "65983500", "70069104", "91771096",
                                                  "75011558", "08522129"};
    const std::array<std::string_view, 10> sha512{"07016083", "63947962", "70123924", "25341727",
                                                  "33203315", "34205738", "44343969", "51946085",
                                                  "20403879", "31409299"};
    const auto challenges = sameDigitChallenges();
    for (std::uint64_t c = 0; c < 10; ++c) {
        EXPECT_EQ(ocraOf("OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", standardKey(32),
                         {c, {"12345678"}, pin1234Sha1()}),
                  sha256[c]);
        EXPECT_EQ(ocraOf("OCRA-1:HOTP-SHA512-8:C-QN08", standardKey(64), {c, {challenges[c]}, {}}),
                  sha512[c]);
    }
}

struct MutualTable {
    std::string_view suite;
    std::size_t keySize;
    std::string_view first;  // the challenge first in Q, with its last digit i
    std::string_view second;
    std::array<std::string_view, 5> codes;
};

// RFC 6287 C.2: server and client computations, QA08 with SHA-256 and SHA-512.
TEST(Ocra, Rfc6287Mutual) {
    const std::array<MutualTable, 4> tables{{
        {"OCRA-1:HOTP-SHA256-8:QA08",
         32,
         "CLI2222",
         "SRV1111",
         {"28247970", "01984843", "65387857", "03351211", "83412541"}},
        {"OCRA-1:HOTP-SHA256-8:QA08",
         32,
         "SRV1111",
         "CLI2222",
         {"15510767", "90175646", "33777207", "95285278", "28934924"}},
        {"OCRA-1:HOTP-SHA512-8:QA08",
         64,
         "CLI2222",
         "SRV1111",
         {"79496648", "76831980", "12250499", "90856481", "12761449"}},
        {"OCRA-1:HOTP-SHA512-8:QA08-PSHA1",
         64,
         "SRV1111",
         "CLI2222",
         {"18806276", "70020315", "01600026", "18951020", "32528969"}},
    }};
    for (const MutualTable& table : tables) {
        SCOPED_TRACE(table.suite);
        const Bytes pin = table.suite.ends_with("PSHA1") ? pin1234Sha1() : Bytes{};
        for (std::size_t i = 0; i < table.codes.size(); ++i) {
            const std::string digit = std::to_string(i);
            const std::string first = std::string(table.first) + digit;
            const std::string second = std::string(table.second) + digit;
            EXPECT_EQ(ocraOf(table.suite, standardKey(table.keySize), {{}, {first, second}, pin}),
                      table.codes[i]);
        }
    }
}

// RFC 6287 C.3, OCRA-1:HOTP-SHA256-8:QA08 signing SIG10000..SIG14000.
TEST(Ocra, Rfc6287PlainSignature) {
    const std::array<std::string_view, 5> codes{"53095496", "04110475", "31331128", "76028668",
                                                "46554205"};
    for (std::size_t i = 0; i < codes.size(); ++i) {
        const std::string challenge = "SIG1" + std::to_string(i) + "000";
        EXPECT_EQ(ocraOf("OCRA-1:HOTP-SHA256-8:QA08", standardKey(32), {{}, {challenge}, {}}),
                  codes[i]);
    }
}

TEST(Ocra, IndependentVectors) {
    ASSERT_EQ(vectors("ocra").size(), 14U);
    for (const auto& v : vectors("ocra")) {
        SCOPED_TRACE(textField(v, "suite"));
        const auto challenges = v.at("challenges").get<std::vector<std::string>>();
        OcraInput input;
        input.challenges.assign(challenges.begin(), challenges.end());
        if (v.contains("counter")) {
            input.counter = std::stoull(textField(v, "counter"));
        }
        if (v.contains("pinHash")) {
            input.pinHash = hexField(v, "pinHash");
        }
        EXPECT_EQ(ocraOf(textField(v, "suite"), hexField(v, "key"), input), textField(v, "code"));
    }
}

TEST(OcraSuite, ThePaymentTokenSuite) {
    const OcraSuite suite = parseOcraSuite(kPaymentTokenSuite);
    EXPECT_EQ(suite.text, kPaymentTokenSuite);
    EXPECT_EQ(suite.digest, Digest::Sha1);
    EXPECT_EQ(suite.digits, 8);
    EXPECT_TRUE(suite.usesCounter);
    EXPECT_EQ(suite.questionFormat, 'N');
    EXPECT_EQ(suite.questionMax, 8U);
    EXPECT_FALSE(suite.pinDigest.has_value());
}

TEST(OcraSuite, RefusesMalformedSuites) {
    for (const std::string_view text : {"",
                                        "OCRA-1",
                                        "OCRA-2:HOTP-SHA1-6:QN08",
                                        "OCRA-1:HOTP-SHA1-6:QN08:",
                                        "ocra-1:HOTP-SHA1-6:QN08",
                                        "OCRA-1:TOTP-SHA1-6:QN08",
                                        "OCRA-1:HOTP-MD5-6:QN08",
                                        "OCRA-1:HOTP-SHA1-3:QN08",
                                        "OCRA-1:HOTP-SHA1-11:QN08",
                                        "OCRA-1:HOTP-SHA1-:QN08",
                                        "OCRA-1:HOTP-SHA1-006:QN08",
                                        "OCRA-1:HOTP-SHA1-6:QN03",
                                        "OCRA-1:HOTP-SHA1-6:QN65",
                                        "OCRA-1:HOTP-SHA1-6:QX08",
                                        "OCRA-1:HOTP-SHA1-6:QN8",
                                        "OCRA-1:HOTP-SHA1-6:C",
                                        "OCRA-1:HOTP-SHA1-6:C-C-QN08",
                                        "OCRA-1:HOTP-SHA1-6:QN08-C",
                                        "OCRA-1:HOTP-SHA1-6:QN08-PMD5",
                                        "OCRA-1:HOTP-SHA1-6:QN08-X",
                                        "OCRA-1:HOTP-SHA1-6:QN08-PSHA1-PSHA1"}) {
        EXPECT_EQ(codeOf([&] { parseOcraSuite(text); }), OtpErrorCode::BadSuite) << text;
    }
}

TEST(OcraSuite, RefusesWhatTapLinkDoesNotImplement) {
    for (const std::string_view text :
         {"OCRA-1:HOTP-SHA1-0:QN08", "OCRA-1:HOTP-SHA512-8:QN08-T1M",
          "OCRA-1:HOTP-SHA256-8:QN08-S064", "OCRA-1:HOTP-SHA256-8:QN08-PSHA1-S064"}) {
        EXPECT_EQ(codeOf([&] { parseOcraSuite(text); }), OtpErrorCode::Unsupported) << text;
    }
}

TEST(Ocra, RefusesInputThatDoesNotFitTheSuite) {
    const OcraSuite payment = parseOcraSuite(kPaymentTokenSuite);
    const Bytes key = standardKey(20);
    const auto codeFor = [&](const OcraSuite& suite, const Bytes& k, const OcraInput& input) {
        return codeOf([&] { ocra(suite, k, input); });
    };
    EXPECT_EQ(codeFor(payment, key, {{}, {"12345678"}, {}}), OtpErrorCode::BadInput);
    EXPECT_EQ(codeFor(payment, key, {1, {"12345678"}, Bytes(20, 0)}), OtpErrorCode::BadInput);
    EXPECT_EQ(codeFor(payment, Bytes(15, 1), {1, {"12345678"}, {}}), OtpErrorCode::BadKey);
    for (const std::string_view challenge : {"", "123", "123456789", "1234567a", "12 34"}) {
        EXPECT_EQ(codeFor(payment, key, {1, {challenge}, {}}), OtpErrorCode::BadChallenge)
            << challenge;
    }
    EXPECT_EQ(codeFor(payment, key, {1, {}, {}}), OtpErrorCode::BadChallenge);
    EXPECT_EQ(codeFor(payment, key, {1, {"1234", "5678", "9012"}, {}}), OtpErrorCode::BadChallenge);
    const OcraSuite hex = parseOcraSuite("OCRA-1:HOTP-SHA1-6:QH08");
    EXPECT_EQ(codeFor(hex, key, {{}, {"ABCG"}, {}}), OtpErrorCode::BadChallenge);
    const OcraSuite alnum = parseOcraSuite("OCRA-1:HOTP-SHA1-6:QA08");
    EXPECT_EQ(codeFor(alnum, key, {{}, {"SIG-1000"}, {}}), OtpErrorCode::BadChallenge);
    const OcraSuite withPin = parseOcraSuite("OCRA-1:HOTP-SHA256-8:QN08-PSHA1");
    EXPECT_EQ(codeFor(withPin, key, {{}, {"1234"}, {}}), OtpErrorCode::BadInput);
    EXPECT_EQ(codeFor(withPin, key, {{}, {"1234"}, Bytes(32, 0)}), OtpErrorCode::BadInput);
}

}  // namespace
}  // namespace taplink::crypto
