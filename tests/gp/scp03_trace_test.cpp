// Our host side against real cards' SCP03 sessions published by osmocom pySim
// (https://gitea.osmocom.org/sim-card/pysim, tests/unit/test_globalplatform.py, classes
// SCP03_Test_AES{128,192,256}_{11,03,33}): each is an INITIALIZE UPDATE, the card's answer,
// the EXTERNAL AUTHENTICATE, one wrapped GET DATA (EID) and the card's wrapped answer, with
// the static keys given there. The card's answers and MACs come from the card, so they pin
// our reading of Amendment D (KDF, cryptograms, C-MAC chaining, C-DEC, R-MAC, R-ENC) to
// someone else's implementation. The same file's wrappings of four further commands
// (pySim's own output, not a card's) pin the encryption counter rule.

#include <gtest/gtest.h>

#include <array>
#include <string_view>

#include "taplink/gp/secure_channel.hpp"

namespace taplink::gp {
namespace {

struct Trace {
    std::string_view name;
    std::size_t keySize;
    std::string_view initializeUpdate;  // without Le, as published
    std::string_view answer;            // INITIALIZE UPDATE answer data
    std::string_view externalAuthenticate;
    std::string_view wrappedCommand;
    std::string_view wrappedResponse;  // data only; SW 9000
};

constexpr std::array kTraces{
    Trace{"AES128_11", 16, "8050300008B13E5F938FC108C4",
          "000000000000000000003003703EB51047495B249F66C484C1D2EF1948000002",
          "84821100107D5F5826A993EBC89EEA24957FA0B3CE", "84E291000EBF3E035C015A558D036518A28297",
          "BF3E125A1089882119900000000000000000000005971BE68992DBBDFA"},
    Trace{"AES128_03", 16, "80503000088E1552D0513C60F3",
          "0000000000000000000030037030760CD2C47C1DD395065FE5EAD8A9D7000001",
          "8482030010FD4721A14D9B07003C451D2F8AE6BB21",
          "84E2910018CA9C00F6713D79BC8BAA642BDFF51C3F6A4082D3BD9AD26C",
          "BF3E125A1089882119900000000000000000000005"},
    Trace{"AES128_33", 16, "8050300008FDF38259A1E0DE44",
          "000000000000000000003003703B1ACA81E821F219081CDC01C26B372D000003",
          "84823300108C36F96BCC00724A4E13AD591D7DA3F0",
          "84E2910018267A85DFE4A98FCA6FB0527E0DFECCE4914E40401433C87F",
          "F3BA2B1013AA6224F5E1C138D71805C569E5439B47576260B75FC021B25097CB2E68F8A0144975B9"},
    Trace{"AES192_11", 24, "80503100087396430B768B085B",
          "000000000000000000003103708CFC23522FFDBF1E5DF5542CAC8FD866000003",
          "84821100102145ED30B146F5DB252FB7E624CEC244", "84E291000EBF3E035C015AFF42CF801D143944",
          "BF3E125A1089882119900000000000000000000005162FBD33E04940A9"},
    Trace{"AES192_33", 24, "80503100089B3F2EEF0E8C9374",
          "00000000000000000000310370F6BB305A15BAE1A68F79FB08212FBED7000002",
          "84823300109100BC22D58B45B86A26365CE39FF3CF",
          "84E29100188F7F946C84F70D17994BC6E8791251BB1BB1BF02CF8DE589",
          "C05176C1B6F72AAE50C32CBEE63B0E95998928FD4DFB2BE9F27FFDE8C8476F5909B4805CC4039599"},
    Trace{"AES256_03", 32, "8050320008C6066990FC426E1D",
          "000000000000000000003203708682CD81BBD8919F2DE3F2664581F118000001",
          "848203001077C493B632EDADAF865A1E64ACC07CE9",
          "84E29100183DDAA60594963BEFAADA3525B492EDE23C2AB2C1CE3AFE44",
          "BF3E125A1089882119900000000000000000000005"},
    Trace{"AES256_33", 32, "805032000897B2055FE58599FD",
          "00000000000000000000320370A8439A22CEDF045FA9F1903B2834F26E000002",
          "8482330010508A0FD959D2E547C6B33154A6BE2057",
          "84E29100187A5EF717EAF1E135AE92FE54429D0E465DECDA65F5FE5AEA",
          "EA90DBFA648A67C5EB6ABC57F8530B97D0CD5647C5E8732016B55203B078DD2ACE7F8BC5D1C1CD99"},
};

// pySim's key sets: K-ENC 00 01 .., K-MAC 10 11 .., K-DEK 20 21 .. (each 16-byte pattern
// repeated to the key size).
Bytes patternKey(std::uint8_t first, std::size_t size) {
    Bytes key(size);
    for (std::size_t i = 0; i < size; ++i) {
        key[i] = static_cast<std::uint8_t>(first + i % 16);
    }
    return key;
}

HostChannel hostFor(const Trace& t) {
    const Bytes initializeUpdate = fromHex(t.initializeUpdate);
    return {{patternKey(0x00, t.keySize), patternKey(0x10, t.keySize), patternKey(0x20, t.keySize)},
            Bytes(initializeUpdate.begin() + 5, initializeUpdate.end())};
}

TEST(Scp03Trace, HostSideReproducesRealCardSessions) {
    const auto getEid = apdu::CommandApdu::parse(fromHex("80E2910006BF3E035C015A"));
    const Bytes eid = fromHex("BF3E125A1089882119900000000000000000000005");
    for (const Trace& t : kTraces) {
        SCOPED_TRACE(t.name);
        const Bytes initializeUpdate = fromHex(t.initializeUpdate);
        const Bytes external = fromHex(t.externalAuthenticate);
        HostChannel host(
            {patternKey(0x00, t.keySize), patternKey(0x10, t.keySize), patternKey(0x20, t.keySize)},
            Bytes(initializeUpdate.begin() + 5, initializeUpdate.end()));
        EXPECT_EQ(toHex(host.initializeUpdate(initializeUpdate[2]).encode()),
                  toHex(initializeUpdate) + "00");
        const auto authenticate =
            host.externalAuthenticate({fromHex(t.answer), 0x9000}, external[2]);
        EXPECT_EQ(toHex(authenticate.encode()), toHex(external));
        host.confirm({{}, 0x9000});
        EXPECT_EQ(toHex(host.wrap(getEid).encode()), std::string(t.wrappedCommand));
        EXPECT_EQ(toHex(host.unwrap({fromHex(t.wrappedResponse), 0x9000}).data), toHex(eid));
    }
}

// pySim's own wrapping of four more commands after GET DATA (test_06_mac_command): two
// without data, then two with. Under C-DEC the encrypted ones only match when the
// encryption counter also went up for the commands without data.
struct FollowUp {
    std::size_t trace;  // index in kTraces
    std::array<std::string_view, 4> wrapped;
};

constexpr std::array kFollowUps{
    FollowUp{
        0,
        {"84F220020863A63F8959827FB2", "84CA006608A0C6A4A74166F7CE00",
         "84F22002124F0212345C054F9F70C52249B50272656536", "84F280020A4F00E91443F6DCE6B8ED00"}},
    FollowUp{1,
             {"84F2200208C9811B11F1264CF1", "84CA006608E10AB60B3054798800",
              "84F22002184E2908BDB48B2315A55482E9E936CA122D6ECFAE7D17416E",
              "84F28002180DD10A6B6193E5340B9E77D32D5A179CD710AC2773AEFB2800"}},
    FollowUp{2,
             {"84F2200208AC6A59024BED84CC", "84CA006608409912AD8FB7AED000",
              "84F22002185F3DAFC3AC14C381536A488BF44E06D056DF9D74DBD21E5A",
              "84F280021865165105BE3373347D0424D4400AF2AC393F569EC779389E00"}},
    FollowUp{5,
             {"84F2200208480DDC8E419DA38D", "84CA0066083E9D6A6C0B2D732000",
              "84F22002183EBFEF2DA8B04AF2A85F491F299B76973DF76FF08A4031BE",
              "84F2800218783FFF80990F5585B1055010EA95094A26E4A8F1EF4B18E100"}},
};

TEST(Scp03Trace, HostSideMatchesPySimWrappingWithAndWithoutData) {
    const std::array plain{fromHex("80F22002"), fromHex("80CA006600"),
                           fromHex("80F220020A4F0212345C054F9F70C5"), fromHex("80F28002024F0000")};
    for (const FollowUp& f : kFollowUps) {
        const Trace& t = kTraces.at(f.trace);
        SCOPED_TRACE(t.name);
        HostChannel host = hostFor(t);
        const Bytes external = fromHex(t.externalAuthenticate);
        host.externalAuthenticate({fromHex(t.answer), 0x9000}, external[2]);
        host.confirm({{}, 0x9000});
        host.wrap(apdu::CommandApdu::parse(fromHex("80E2910006BF3E035C015A")));
        for (std::size_t i = 0; i < plain.size(); ++i) {
            EXPECT_EQ(toHex(host.wrap(apdu::CommandApdu::parse(plain.at(i))).encode()),
                      std::string(f.wrapped.at(i)))
                << "case " << i + 1;
        }
    }
}

}  // namespace
}  // namespace taplink::gp
