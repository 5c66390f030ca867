// Known-answer tests for crypto/emv_keys (PBOC 3.0 debit/credit key derivation and
// cryptograms, both suites).
//
// Two published worked examples of real PBOC cards pin the triple-DES formulas:
//   1. "PBOC联机交易中ARQC及ARPC的计算", https://www.shuzhiduo.com/A/l1dyep1Vde
//      (card master key given, ATC 000E: session key and ARQC);
//   2. "金融IC卡 ARQC和ARPC计算方法和实例", https://www.cnblogs.com/1024Planet/p/6256545.html
//      (IMK-AC, PAN as printed, PSN 01: master key, session key, ARQC and ARPC).
// Every other expected value comes from tests/unit/vectors/emv_vectors.json, which
// make_emv_vectors.py computes without this code (pycryptodome for DES, the openssl command
// line for SM4); the ctest emv.vectors_reproduce checks that the committed file is its output.

#include "taplink/crypto/emv_keys.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "taplink/base/byte_reader.hpp"

namespace taplink::crypto::emv {
namespace {

using nlohmann::json;

Bytes h(std::string_view hex) {
    return fromHex(hex);
}

// Runs f and returns the CryptoError message, or fails the test if it does not throw one.
std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const CryptoError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no CryptoError thrown";
    return {};
}

bool mentions(const std::string& message, std::string_view part) {
    return message.find(part) != std::string::npos;
}

struct NamedSuite {
    Suite suite;
    std::string_view name;   // the suite's member in emv_vectors.json
    std::string_view label;  // as error messages name it
};
constexpr std::array kSuites{NamedSuite{Suite::TripleDes, "tripleDes", "3DES"},
                             NamedSuite{Suite::Sm4, "sm4", "SM4"}};

json loadVectors() {
    const std::string path =
        std::string(TAPLINK_SOURCE_DIR) + "/tests/unit/vectors/emv_vectors.json";
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot open " + path);
    }
    return json::parse(in);
}

const json& vectorsOf(std::string_view suiteName, std::string_view kind) {
    static const json vectors = loadVectors();
    return vectors.at(suiteName).at(kind);
}

std::string text(const json& vector, std::string_view name) {
    return vector.at(name).get<std::string>();
}
Bytes field(const json& vector, std::string_view name) {
    return fromHex(text(vector, name));
}
std::uint16_t atcOf(const json& vector) {
    return static_cast<std::uint16_t>(bigEndian(field(vector, "atc")));
}
std::uint8_t psnOf(const json& vector) {
    return field(vector, "psn").at(0);
}

// Keys of the refusal tests: published test values (GB/T 32907-2016 appendix A key).
Bytes key16() {
    return h("0123456789ABCDEFFEDCBA9876543210");
}
Bytes arqc8() {
    return h("5D016C91005E7CC2");
}

// ---------------------------------------------------------------------------------------
// Published examples of real PBOC cards (triple DES)

TEST(EmvKeysPublished, Example1SessionKeyAndArqc) {
    const Bytes sk = sessionKey(Suite::TripleDes, h("0D2E3CB0BC1F9E03AED58F663A2F9679"), 0x000E);
    EXPECT_EQ(toHex(sk), "C3D3F062E9992B4E923D338D66193526");
    // CDOL1 data || AIP 7C00 || ATC 000E || CVR 03A4B904
    const Bytes data =
        h("0000000012340000000000340156D86004A80001561205160101010101 7C00 000E 03A4B904");
    EXPECT_EQ(toHex(applicationCryptogram(Suite::TripleDes, sk, data)), "F294D7022FA9B058");
}

TEST(EmvKeysPublished, Example2MasterKeyToArpc) {
    // PAN "6228000100001" as printed, PSN 01: Y = 0622800010000101 (left-padded with 0).
    const Bytes mk = iccMasterKey(Suite::TripleDes, h("F0C34A8124CEE0A91A0B034AA97D6EAC"),
                                  "6228000100001", 0x01);
    EXPECT_EQ(toHex(mk), "014D996FCC8F49157DC8B49E3BCDFD99");
    const Bytes sk = sessionKey(Suite::TripleDes, mk, 0x0240);
    EXPECT_EQ(toHex(sk), "D4102725E6E5AD329E55AAB50BF23DA9");
    const Bytes data =
        h("000000000001000000000000015600800460000156140701001E78EEBC7D00024003A04002");
    const Bytes arqc = applicationCryptogram(Suite::TripleDes, sk, data);
    EXPECT_EQ(toHex(arqc), "5D016C91005E7CC2");
    EXPECT_EQ(toHex(arpcMethod1(Suite::TripleDes, sk, arqc, h("3031"))), "21415243527CE78F");
}

// ---------------------------------------------------------------------------------------
// Vectors from make_emv_vectors.py, both suites

TEST(EmvKeysVectors, FileHasEveryKindForBothSuites) {
    for (const auto& [suite, name, label] : kSuites) {
        SCOPED_TRACE(name);
        EXPECT_EQ(vectorsOf(name, "masterKeys").size(), 3U);
        EXPECT_EQ(vectorsOf(name, "sessionKeys").size(), 4U);
        EXPECT_EQ(vectorsOf(name, "transactions").size(), 2U);
    }
}

TEST(EmvKeysVectors, MasterKeys) {
    for (const auto& [suite, name, label] : kSuites) {
        for (const json& v : vectorsOf(name, "masterKeys")) {
            SCOPED_TRACE(std::string(name) + " PAN " + text(v, "pan"));
            EXPECT_EQ(toHex(iccMasterKey(suite, field(v, "imk"), text(v, "pan"), psnOf(v))),
                      text(v, "mk"));
        }
    }
}

TEST(EmvKeysVectors, SessionKeys) {
    for (const auto& [suite, name, label] : kSuites) {
        for (const json& v : vectorsOf(name, "sessionKeys")) {
            SCOPED_TRACE(std::string(name) + " ATC " + text(v, "atc"));
            EXPECT_EQ(toHex(sessionKey(suite, field(v, "mk"), atcOf(v))), text(v, "sk"));
        }
    }
}

TEST(EmvKeysVectors, TransactionKeys) {
    for (const auto& [suite, name, label] : kSuites) {
        for (const json& v : vectorsOf(name, "transactions")) {
            SCOPED_TRACE(std::string(name) + " PAN " + text(v, "pan"));
            const Bytes mkAc = iccMasterKey(suite, field(v, "imkAc"), text(v, "pan"), psnOf(v));
            const Bytes mkMac = iccMasterKey(suite, field(v, "imkMac"), text(v, "pan"), psnOf(v));
            EXPECT_EQ(toHex(mkAc), text(v, "mkAc"));
            EXPECT_EQ(toHex(mkMac), text(v, "mkMac"));
            EXPECT_EQ(toHex(sessionKey(suite, mkAc, atcOf(v))), text(v, "skAc"));
            EXPECT_EQ(toHex(sessionKey(suite, mkMac, atcOf(v))), text(v, "skMac"));
        }
    }
}

TEST(EmvKeysVectors, ApplicationCryptograms) {
    for (const auto& [suite, name, label] : kSuites) {
        for (const json& v : vectorsOf(name, "transactions")) {
            SCOPED_TRACE(std::string(name) + " PAN " + text(v, "pan"));
            EXPECT_EQ(
                toHex(applicationCryptogram(suite, field(v, "skAc"), field(v, "cryptogramData"))),
                text(v, "arqc"));
        }
    }
}

TEST(EmvKeysVectors, Arpcs) {
    for (const auto& [suite, name, label] : kSuites) {
        for (const json& v : vectorsOf(name, "transactions")) {
            SCOPED_TRACE(std::string(name) + " ARC " + text(v, "arc"));
            const Bytes arpc =
                arpcMethod1(suite, field(v, "skAc"), field(v, "arqc"), field(v, "arc"));
            EXPECT_EQ(toHex(arpc), text(v, "arpc"));
        }
    }
}

// PUT DATA 9F79 (electronic cash balance) 04 DA 9F 79 0A <6-byte BCD balance> || MAC.
TEST(EmvKeysVectors, ScriptMacs) {
    for (const auto& [suite, name, label] : kSuites) {
        for (const json& v : vectorsOf(name, "transactions")) {
            SCOPED_TRACE(std::string(name) + " PAN " + text(v, "pan"));
            const Bytes input = scriptMacInput(field(v, "scriptHeader"), atcOf(v), field(v, "arqc"),
                                               field(v, "scriptData"));
            EXPECT_EQ(toHex(input), text(v, "scriptMacInput"));
            EXPECT_EQ(toHex(scriptMac(suite, field(v, "skMac"), input)), text(v, "scriptMac"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Algorithm indicator and the edges of Y

TEST(EmvKeysIndicator, BothSuitesRoundTrip) {
    EXPECT_EQ(algorithmIndicatorOf(Suite::TripleDes), 0x01);
    EXPECT_EQ(algorithmIndicatorOf(Suite::Sm4), 0x04);
    EXPECT_EQ(suiteFromAlgorithmIndicator(0x01), Suite::TripleDes);
    EXPECT_EQ(suiteFromAlgorithmIndicator(0x04), Suite::Sm4);
}

TEST(EmvKeysIndicator, UnknownIndicatorThrows) {
    for (const std::uint8_t indicator : h("00 02 03 FF")) {
        EXPECT_TRUE(mentions(errorOf([&] { suiteFromAlgorithmIndicator(indicator); }),
                             "unknown algorithm indicator"));
    }
}

// A 12-digit PAN is padded on the left, a longer one cut on the left: both give the same Y
// when the longer one only adds leading zeros.
TEST(EmvKeysMasterKey, ShortPanPadsAsLeadingZerosWould) {
    for (const auto& [suite, name, label] : kSuites) {
        SCOPED_TRACE(name);
        EXPECT_EQ(iccMasterKey(suite, key16(), "622800010000", 0x01),
                  iccMasterKey(suite, key16(), "000000622800010000", 0x01));
    }
}

TEST(EmvKeysMasterKey, PsnIsPartOfY) {
    for (const auto& [suite, name, label] : kSuites) {
        SCOPED_TRACE(name);
        EXPECT_NE(iccMasterKey(suite, key16(), "6228480012345671", 0x00),
                  iccMasterKey(suite, key16(), "6228480012345671", 0x01));
    }
}

// ---------------------------------------------------------------------------------------
// Refusals

TEST(EmvKeysRefusals, IssuerMasterKeyNot16Bytes) {
    for (const NamedSuite& each : kSuites) {
        const Suite suite = each.suite;  // clang < 16 cannot capture a structured binding
        const std::string message = errorOf([&] {
            iccMasterKey(suite, h("00112233445566778899AABBCCDDEE"), "6228480012345671", 0x00);
        });
        EXPECT_TRUE(mentions(message, "emv::iccMasterKey (" + std::string(each.label) + ")"))
            << message;
        EXPECT_TRUE(mentions(message, "issuer master key must be 16 bytes, got 15")) << message;
        EXPECT_TRUE(mentions(errorOf([&] {
                                 iccMasterKey(suite, concat(key16(), h("00")), "6228480012345671",
                                              0x00);
                             }),
                             "got 17"));
        EXPECT_TRUE(mentions(
            errorOf([&] { iccMasterKey(suite, Bytes{}, "6228480012345671", 0x00); }), "got 0"));
    }
}

TEST(EmvKeysRefusals, PanWithANonDigit) {
    for (const std::string_view pan :
         {"622848001234567A", "6228480012345671F", "6228 480012345671", "-228480012345671"}) {
        const std::string message = errorOf([&] { iccMasterKey(Suite::Sm4, key16(), pan, 0x00); });
        EXPECT_TRUE(mentions(message, "PAN has a non-digit")) << message;
        EXPECT_FALSE(mentions(message, "6228")) << "the PAN is not repeated: " << message;
    }
}

TEST(EmvKeysRefusals, PanTooShortOrTooLong) {
    for (const NamedSuite& each : kSuites) {
        const Suite suite = each.suite;
        EXPECT_TRUE(mentions(errorOf([&] { iccMasterKey(suite, key16(), "62280001000", 0x01); }),
                             "PAN must be 12 to 19 digits, got 11"));
        EXPECT_TRUE(
            mentions(errorOf([&] { iccMasterKey(suite, key16(), "62170000123456789070", 0x01); }),
                     "got 20"));
        EXPECT_TRUE(mentions(errorOf([&] { iccMasterKey(suite, key16(), "", 0x01); }), "got 0"));
    }
}

TEST(EmvKeysRefusals, PsnNotBcd) {
    for (const std::uint8_t psn : h("0A A0 FF")) {
        EXPECT_TRUE(mentions(
            errorOf([&] { iccMasterKey(Suite::TripleDes, key16(), "6228480012345671", psn); }),
            "is not two BCD digits"));
    }
}

TEST(EmvKeysRefusals, SessionKeysNeed16ByteKeys) {
    const Bytes desKey = h("0123456789ABCDEF");
    for (const NamedSuite& each : kSuites) {
        const Suite suite = each.suite;
        EXPECT_TRUE(mentions(errorOf([&] { sessionKey(suite, desKey, 1); }),
                             "master key must be 16 bytes, got 8"));
        EXPECT_TRUE(mentions(errorOf([&] { applicationCryptogram(suite, desKey, h("00")); }),
                             "session key must be 16 bytes, got 8"));
        EXPECT_TRUE(mentions(errorOf([&] { arpcMethod1(suite, desKey, arqc8(), h("3030")); }),
                             "session key must be 16 bytes, got 8"));
        EXPECT_TRUE(mentions(errorOf([&] { scriptMac(suite, desKey, h("00")); }),
                             "MAC session key must be 16 bytes, got 8"));
    }
}

TEST(EmvKeysRefusals, ArpcNeeds8ByteArqcAnd2ByteArc) {
    for (const NamedSuite& each : kSuites) {
        const Suite suite = each.suite;
        EXPECT_TRUE(
            mentions(errorOf([&] { arpcMethod1(suite, key16(), h("5D016C91005E7C"), h("3030")); }),
                     "ARQC must be 8 bytes, got 7"));
        EXPECT_TRUE(mentions(
            errorOf([&] { arpcMethod1(suite, key16(), concat(arqc8(), h("00")), h("3030")); }),
            "ARQC must be 8 bytes, got 9"));
        EXPECT_TRUE(mentions(errorOf([&] { arpcMethod1(suite, key16(), arqc8(), h("30")); }),
                             "ARC must be 2 bytes, got 1"));
        EXPECT_TRUE(mentions(errorOf([&] { arpcMethod1(suite, key16(), arqc8(), h("303030")); }),
                             "ARC must be 2 bytes, got 3"));
    }
}

TEST(EmvKeysRefusals, ScriptMacInputChecksHeaderArqcAndLc) {
    const Bytes balance = h("000000020000");
    EXPECT_TRUE(mentions(errorOf([&] { scriptMacInput(h("04DA9F79"), 1, arqc8(), balance); }),
                         "command header must be 5 bytes, got 4"));
    EXPECT_TRUE(mentions(errorOf([&] { scriptMacInput(h("04DA9F790A00"), 1, arqc8(), balance); }),
                         "command header must be 5 bytes, got 6"));
    EXPECT_TRUE(
        mentions(errorOf([&] { scriptMacInput(h("04DA9F790A"), 1, h("5D016C91"), balance); }),
                 "ARQC must be 8 bytes, got 4"));
    // Lc 06 counts the data but not the MAC.
    EXPECT_TRUE(mentions(errorOf([&] { scriptMacInput(h("04DA9F7906"), 1, arqc8(), balance); }),
                         "Lc 6 does not count 6 data bytes and the 4-byte MAC"));
}

}  // namespace
}  // namespace taplink::crypto::emv
