// Processing restrictions (taplink/emv/restrictions.hpp), EMV Book 3 10.4.
#include "taplink/emv/restrictions.hpp"

#include <gtest/gtest.h>

#include "emv_test_support.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::emv {
namespace {

RestrictionsInput today(const char* yymmdd) {
    return RestrictionsInput{fromHex("0030"), fromHex(yymmdd), fromHex("0156"), ServiceKind::Other,
                             false};
}

Tvr checked(const CardData& card, const RestrictionsInput& input) {
    Tvr tvr;
    checkProcessingRestrictions(card, input, tvr);
    return tvr;
}

TEST(Restrictions, NothingSetForAValidCard) {
    const CardData card{{tag::kCardApplicationVersion, fromHex("0030")},
                        {tag::kEffectiveDate, fromHex("200101")},
                        {tag::kExpirationDate, fromHex("311231")},
                        {tag::kApplicationUsageControl, fromHex("FF00")},
                        {tag::kIssuerCountryCode, fromHex("0156")}};
    EXPECT_EQ(checked(card, today("261206")).bytes(), fromHex("0000000000"));
}

TEST(Restrictions, DifferentApplicationVersion) {
    const Tvr tvr = checked({{tag::kCardApplicationVersion, fromHex("0020")}}, today("261206"));
    EXPECT_TRUE(tvr.isSet(TvrBit::DifferentApplicationVersions));
    EXPECT_EQ(tvr.bytes(), fromHex("0080000000"));  // byte 2 b8
}

TEST(Restrictions, ExpiredOnTheDayAfterTheExpiryDate) {
    const CardData card{{tag::kExpirationDate, fromHex("261205")}};
    EXPECT_TRUE(checked(card, today("261206")).isSet(TvrBit::ExpiredApplication));
    EXPECT_FALSE(checked(card, today("261205")).isSet(TvrBit::ExpiredApplication));
    EXPECT_EQ(checked(card, today("261206")).bytes(), fromHex("0040000000"));  // byte 2 b7
}

TEST(Restrictions, CenturyWindowForYears) {
    // 49 is 2049, 50 is 1950 (Book 4 6.7.3): a card expiring 491231 is valid in 2026, one
    // expiring 991231 (1999) is not.
    EXPECT_FALSE(checked({{tag::kExpirationDate, fromHex("491231")}}, today("261206"))
                     .isSet(TvrBit::ExpiredApplication));
    EXPECT_TRUE(checked({{tag::kExpirationDate, fromHex("991231")}}, today("261206"))
                    .isSet(TvrBit::ExpiredApplication));
}

TEST(Restrictions, NotYetEffective) {
    const Tvr tvr = checked({{tag::kEffectiveDate, fromHex("270101")}}, today("261206"));
    EXPECT_TRUE(tvr.isSet(TvrBit::ApplicationNotYetEffective));
    EXPECT_EQ(tvr.bytes(), fromHex("0020000000"));
}

TEST(Restrictions, UsageControlForDomesticAndInternationalCash) {
    const CardData domesticOnly{{tag::kApplicationUsageControl, fromHex("8100")},
                                {tag::kIssuerCountryCode, fromHex("0156")}};
    RestrictionsInput cash = today("261206");
    cash.service = ServiceKind::Cash;
    EXPECT_FALSE(checked(domesticOnly, cash).isSet(TvrBit::ServiceNotAllowed));
    cash.terminalCountryCode = fromHex("0344");  // Hong Kong: international
    const Tvr tvr = checked(domesticOnly, cash);
    EXPECT_TRUE(tvr.isSet(TvrBit::ServiceNotAllowed));
    EXPECT_EQ(tvr.bytes(), fromHex("0010000000"));  // byte 2 b5
}

TEST(Restrictions, UsageControlForGoodsServicesAndAtms) {
    const CardData goodsOnly{{tag::kApplicationUsageControl, fromHex("2100")},
                             {tag::kIssuerCountryCode, fromHex("0156")}};
    RestrictionsInput input = today("261206");
    input.service = ServiceKind::Goods;
    EXPECT_FALSE(checked(goodsOnly, input).isSet(TvrBit::ServiceNotAllowed));
    input.service = ServiceKind::Services;
    EXPECT_TRUE(checked(goodsOnly, input).isSet(TvrBit::ServiceNotAllowed));
    input.service = ServiceKind::Goods;
    input.atm = true;  // 2100: not valid at ATMs
    EXPECT_TRUE(checked(goodsOnly, input).isSet(TvrBit::ServiceNotAllowed));
    const CardData notAtOtherTerminals{{tag::kApplicationUsageControl, fromHex("FE00")}};
    input.atm = false;
    EXPECT_TRUE(checked(notAtOtherTerminals, input).isSet(TvrBit::ServiceNotAllowed));
}

TEST(Restrictions, BadDatesAreRefused) {
    test::expectEmvError(EmvErrorCode::CardAnsweredWrongly, [] {
        checked({{tag::kExpirationDate, fromHex("311331")}}, today("261206"));
    });
    test::expectEmvError(EmvErrorCode::CardAnsweredWrongly, [] {
        checked({{tag::kExpirationDate, fromHex("3112A1")}}, today("261206"));
    });
    test::expectEmvError(EmvErrorCode::CardAnsweredWrongly, [] {
        checked({{tag::kApplicationUsageControl, fromHex("FF")}}, today("261206"));
    });
    test::expectEmvError(EmvErrorCode::TerminalDataInvalid, [] { checked({}, today("261232")); });
    test::expectEmvError(EmvErrorCode::TerminalDataInvalid, [] { checked({}, today("2612")); });
}

TEST(LoadPolicy, RefusesExpiredAndNotYetEffective) {
    Tvr expired;
    expired.set(TvrBit::ExpiredApplication);
    test::expectEmvError(EmvErrorCode::NotAccepted, [&] { refuseUnusableForLoad(expired); });
    Tvr early;
    early.set(TvrBit::ApplicationNotYetEffective);
    test::expectEmvError(EmvErrorCode::NotAccepted, [&] { refuseUnusableForLoad(early); });
    Tvr versions;
    versions.set(TvrBit::DifferentApplicationVersions);
    EXPECT_NO_THROW(refuseUnusableForLoad(versions));
}

TEST(TvrAndTsi, BitsLandWhereAnnexC5AndC6PutThem) {
    Tvr tvr;
    tvr.set(TvrBit::OfflineDataAuthenticationNotPerformed);
    tvr.set(TvrBit::ScriptFailedAfterFinalGac);
    tvr.set(TvrBit::IssuerAuthenticationFailed);
    EXPECT_EQ(tvr.bytes(), fromHex("8000000050"));
    tvr.set(TvrBit::ScriptFailedBeforeFinalGac);
    EXPECT_EQ(tvr.bytes(), fromHex("8000000070"));
    Tsi tsi;
    tsi.set(TsiBit::ScriptProcessingPerformed);
    tsi.set(TsiBit::IssuerAuthenticationPerformed);
    EXPECT_EQ(tsi.bytes(), fromHex("1400"));
}

}  // namespace
}  // namespace taplink::emv
