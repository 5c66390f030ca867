// The server's signed money answers on the device's side: the statement's bytes
// (taplink/protocol/signed_answer.hpp), taplinkd's check of a signature with its pinned keys
// (net/answer_verifier.hpp) and the journal that keeps each verified answer as the proof
// (journal/answer_journal.hpp), on a real journal file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "journal/answer_journal.hpp"
#include "net/answer_verifier.hpp"
#include "signed_scripts.hpp"
#include "taplink/base/base64.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/protocol/signed_answer.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::net {
namespace {

constexpr const char* kPath = "/v1/orders/ORD-1/authorize";
constexpr const char* kRequest = R"({"cardSerial":"00000000000000000042"})";
constexpr const char* kAnswer = R"({"orderId":"ORD-1"})";

Bytes chipSerial() {
    return fromHex("544C434800000001");
}

wire::AnswerStatement statement(int status = 200) {
    return {status, "POST", kPath, chipSerial(), wire::bodyDigest(kRequest), kAnswer};
}

TEST(AnswerStatement, IsLaidOutByteForByte) {
    const Bytes encoded = wire::encodeAnswerStatement(statement(409));
    const std::string line = "POST " + std::string(kPath);
    Bytes expected = fromHex(
        "544C4131"
        "0199");  // "TLA1", 409
    expected.push_back(static_cast<std::uint8_t>(line.size()));
    expected.insert(expected.end(), line.begin(), line.end());
    expected.push_back(8);
    const Bytes serial = chipSerial();
    expected.insert(expected.end(), serial.begin(), serial.end());
    const std::string requestBody = kRequest;
    const std::string answerBody = kAnswer;
    const Bytes request = crypto::sha256(Bytes(requestBody.begin(), requestBody.end()));
    const Bytes answer = crypto::sha256(Bytes(answerBody.begin(), answerBody.end()));
    expected.insert(expected.end(), request.begin(), request.end());
    expected.insert(expected.end(), answer.begin(), answer.end());
    EXPECT_EQ(toHex(encoded), toHex(expected));
}

TEST(AnswerStatement, RefusesWhatItCannotHold) {
    EXPECT_THROW(wire::encodeAnswerStatement(statement(99)), wire::WireFormatError);
    EXPECT_THROW(wire::encodeAnswerStatement(statement(600)), wire::WireFormatError);
    auto noChip = statement();
    noChip.chipSerial.clear();
    EXPECT_THROW(wire::encodeAnswerStatement(noChip), wire::WireFormatError);
    auto longChip = statement();
    longChip.chipSerial.assign(33, 0x01);
    EXPECT_THROW(wire::encodeAnswerStatement(longChip), wire::WireFormatError);
    auto shortDigest = statement();
    shortDigest.requestDigest.pop_back();
    EXPECT_THROW(wire::encodeAnswerStatement(shortDigest), wire::WireFormatError);
    auto longPath = statement();
    longPath.path = "/v1/orders/" + std::string(250, 'A');
    EXPECT_THROW(wire::encodeAnswerStatement(longPath), wire::WireFormatError);
    EXPECT_TRUE(wire::isSignedAnswerRequest("POST", kPath));
    EXPECT_FALSE(wire::isSignedAnswerRequest("GET", "/v1/orders/ORD-1"));
    EXPECT_FALSE(wire::isSignedAnswerRequest("POST", "/v1/tsm/sync"));
}

class AnswerVerifierTest : public ::testing::Test {
  protected:
    crypto::PkeyPtr serverKey = testing::makeSigningKey();
    crypto::PkeyPtr otherKey = testing::makeSigningKey();
    std::vector<wire::SignedAnswer> kept;

    AnswerKey pinned(EVP_PKEY* key) const {
        const auto trusted = testing::trustedKeyOf(key);
        return {trusted.keyId(), trusted.sharedKey()};
    }
    AnswerVerifier verifier() {
        return AnswerVerifier({pinned(serverKey.get())}, chipSerial(),
                              [this](const wire::SignedAnswer& answer) { kept.push_back(answer); });
    }
    // The answer as the server sends it, signed by `key` over `signedStatement`.
    HttpResponse answer(EVP_PKEY* key, const wire::AnswerStatement& signedStatement) const {
        HttpResponse response{200, kAnswer, {}};
        response.headers = {
            {"taplink-signature",
             base64Encode(testing::signBytes(key, wire::encodeAnswerStatement(signedStatement)))},
            {"taplink-signature-key", pinned(key).keyId}};
        return response;
    }
    // The message of the AnswerNotSigned error, or "" when it verified.
    std::string refusal(const HttpResponse& response) {
        try {
            verifier().verify("ORD-1", kPath, kRequest, response);
            return "";
        } catch (const NetError& error) {
            EXPECT_EQ(error.kind(), NetErrorKind::AnswerNotSigned);
            return error.what();
        }
    }
};

TEST_F(AnswerVerifierTest, AnAnswerSignedByThePinnedKeyIsKeptWithItsProof) {
    EXPECT_EQ(refusal(answer(serverKey.get(), statement())), "");
    ASSERT_EQ(kept.size(), 1U);
    EXPECT_EQ(kept[0].orderId, "ORD-1");
    EXPECT_EQ(kept[0].statement.requestDigest, wire::bodyDigest(kRequest));
    EXPECT_EQ(kept[0].statement.answerBody, kAnswer);
    EXPECT_EQ(kept[0].statement.chipSerial, chipSerial());
    EXPECT_EQ(kept[0].keyId, pinned(serverKey.get()).keyId);
}

TEST_F(AnswerVerifierTest, AnythingElseIsRefusedAndNothingIsKept) {
    HttpResponse bare = answer(serverKey.get(), statement());
    bare.headers.clear();
    EXPECT_NE(refusal(bare).find("not signed"), std::string::npos);
    EXPECT_NE(refusal(answer(otherKey.get(), statement())).find("not pinned"), std::string::npos);
    HttpResponse tampered = answer(serverKey.get(), statement());
    tampered.body = R"({"orderId":"ORD-2"})";
    EXPECT_NE(refusal(tampered).find("does not verify"), std::string::npos);
    auto otherDevice = statement();
    otherDevice.chipSerial = fromHex("544C434800000002");
    EXPECT_NE(refusal(answer(serverKey.get(), otherDevice)).find("does not verify"),
              std::string::npos);
    EXPECT_NE(refusal(answer(serverKey.get(), statement(409))).find("does not verify"),
              std::string::npos)
        << "a 200's signature does not cover a 409";
    HttpResponse notBase64 = answer(serverKey.get(), statement());
    notBase64.headers[0].second = "not base64!";
    EXPECT_NE(refusal(notBase64).find("base64"), std::string::npos);
    EXPECT_TRUE(kept.empty());
}

TEST_F(AnswerVerifierTest, AProofThatCannotBeKeptStopsTheAnswer) {
    AnswerVerifier failing({pinned(serverKey.get())}, chipSerial(), [](const wire::SignedAnswer&) {
        throw std::runtime_error("disk full");
    });
    EXPECT_THROW(failing.verify("ORD-1", kPath, kRequest, answer(serverKey.get(), statement())),
                 std::runtime_error);
    EXPECT_THROW(AnswerVerifier({}, chipSerial(), nullptr), NetError) << "no pinned key";
}

TEST(AnswerJournal, KeepsEachAnswerAsReceivedAcrossAReopen) {
    const std::string dir = ::testing::TempDir() + "/answer-journal-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    const wire::SignedAnswer first{"ORD-1", statement(), std::string(64, 'a'), fromHex("3006")};
    const wire::SignedAnswer second{"ORD-1", statement(409), std::string(64, 'b'), fromHex("30")};
    {
        auto topups = journal::TopupJournal::open(dir + "/journal.sqlite");
        journal::AnswerJournal answers(topups);
        answers.keep(first);
        answers.keep(second);
        answers.keep({"ORD-2", statement(), std::string(64, 'c'), fromHex("30")});
    }
    auto topups = journal::TopupJournal::open(dir + "/journal.sqlite");
    const auto kept = journal::AnswerJournal(topups).ofOrder("ORD-1");
    ASSERT_EQ(kept.size(), 2U);
    EXPECT_EQ(wire::encodeAnswerStatement(kept[0].statement),
              wire::encodeAnswerStatement(first.statement));
    EXPECT_EQ(kept[0].keyId, first.keyId);
    EXPECT_EQ(kept[0].signature, first.signature);
    EXPECT_EQ(kept[1].statement.status, 409);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace taplink::net
