// GENERATE AC (taplink/emv/generate_ac.hpp), EMV Book 3 6.5.5 and 9.3, hand-built answers.
#include "taplink/emv/generate_ac.hpp"

#include <gtest/gtest.h>

#include "emv_test_support.hpp"

namespace taplink::emv {
namespace {

using test::expectEmvError;

TEST(GenerateAc, CommandsForEachCryptogram) {
    const Bytes cdol = fromHex("000000010000");
    EXPECT_EQ(toHex(generateAcCommand(CryptogramType::Arqc, cdol).encode()),
              "80AE80000600000001000000");
    EXPECT_EQ(toHex(generateAcCommand(CryptogramType::Tc, cdol).encode()),
              "80AE40000600000001000000");
    EXPECT_EQ(toHex(generateAcCommand(CryptogramType::Aac, cdol).encode()),
              "80AE00000600000001000000");
}

TEST(GenerateAc, BothFormatsGiveTheSameResult) {
    const GenerateAcResult one =
        parseGenerateAcAnswer(fromHex("8012 80 0012 1122334455667788 07010103A00000"));
    const GenerateAcResult two = parseGenerateAcAnswer(
        fromHex("771E 9F270180 9F36020012 9F26081122334455667788 9F100707010103A00000"));
    for (const GenerateAcResult& result : {one, two}) {
        EXPECT_EQ(result.cid, 0x80);
        EXPECT_EQ(result.type, CryptogramType::Arqc);
        EXPECT_EQ(result.atc, 0x0012);
        EXPECT_EQ(result.cryptogram, fromHex("1122334455667788"));
    }
    EXPECT_EQ(one.issuerApplicationData, fromHex("07010103A00000"));
    EXPECT_EQ(two.issuerApplicationData, fromHex("07010103A00000"));
}

TEST(GenerateAc, IadIsOptional) {
    EXPECT_TRUE(parseGenerateAcAnswer(fromHex("800B 40 0012 1122334455667788"))
                    .issuerApplicationData.empty());
    EXPECT_EQ(
        parseGenerateAcAnswer(fromHex("7714 9F270100 9F36020012 9F26081122334455667788")).type,
        CryptogramType::Aac);
}

TEST(GenerateAc, RefusesMalformedAnswers) {
    for (const char* bad : {
             "800A 80 0012 11223344556677",                               // cryptogram cut short
             "8002 8000",                                                 // no ATC
             "7710 9F36020012 9F26081122334455667788",                    // no CID
             "770F 9F270180 9F26081122334455667788",                      // no ATC
             "7709 9F270180 9F36020012",                                  // no AC
             "7718 9F270180 9F270180 9F36020012 9F26081122334455667788",  // CID twice
             "7715 9F27020080 9F36020012 9F26081122334455667788",         // CID of 2 bytes
             "800B C0 0012 1122334455667788",                             // CID 11: RFU
             "800B 80 0012 1122334455667788 01",                          // trailing bytes
             "",
         }) {
        expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                       [&] { parseGenerateAcAnswer(fromHex(bad)); });
    }
    // IAD over 32 bytes in format 1.
    const Bytes longIad = concat(fromHex("802C 80 0012 1122334455667788"), Bytes(33, 0x01));
    expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] { parseGenerateAcAnswer(longIad); });
}

TEST(GenerateAc, NeverAnUpgrade) {
    using enum CryptogramType;
    EXPECT_NO_THROW(checkCryptogramType(Arqc, Arqc, false));
    EXPECT_NO_THROW(checkCryptogramType(Arqc, Aac, false));
    EXPECT_NO_THROW(checkCryptogramType(Tc, Tc, true));
    EXPECT_NO_THROW(checkCryptogramType(Tc, Aac, true));
    EXPECT_NO_THROW(checkCryptogramType(Aac, Aac, true));
    expectEmvError(EmvErrorCode::CardAnsweredWrongly, [] { checkCryptogramType(Arqc, Tc, false); });
    expectEmvError(EmvErrorCode::CardAnsweredWrongly, [] { checkCryptogramType(Aac, Tc, true); });
    expectEmvError(EmvErrorCode::CardAnsweredWrongly, [] { checkCryptogramType(Aac, Arqc, true); });
    // The second GENERATE AC never answers an ARQC, even when a TC was asked.
    expectEmvError(EmvErrorCode::CardAnsweredWrongly, [] { checkCryptogramType(Tc, Arqc, true); });
}

TEST(GenerateAc, TheCardsAnswerIsCheckedAgainstTheRequest) {
    test::ScriptedChannel card(
        {apdu::ResponseApdu{fromHex("800B 40 0012 1122334455667788"), 0x9000}});
    expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] { firstGenerateAc(card, Bytes(4)); });
    test::ScriptedChannel refusing({apdu::ResponseApdu{{}, 0x6985}});
    expectEmvError(EmvErrorCode::CardRefused, [&] { secondGenerateAc(refusing, true, Bytes(4)); });
}

}  // namespace
}  // namespace taplink::emv
