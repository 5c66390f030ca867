// The server's signed allowance end to end (docs/server.md, "Signed answers"): taplinkd acts
// on a load authorization or a receipt only when its signature verifies with the pinned
// allowance key, before the chip sees the authorization, and its journal keeps each answer
// with the request it answers as the proof of who allowed what.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/protocol/signed_answer.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::testbed {
namespace {

namespace wire = net::wire;

// One signed answer in taplinkd's journal (table server_answers).
struct KeptAnswer {
    std::string path;
    long status = 0;
    bool verifies = false;  // with the bed's allowance public key, over its statement
};

crypto::PkeyPtr allowancePublicKey(const TopupBed& bed) {
    const std::string path = bed.pkiDir() + "/allowance-signing.pub.pem";
    const crypto::BioPtr file(BIO_new_file(path.c_str(), "r"));
    return crypto::PkeyPtr(file ? PEM_read_bio_PUBKEY(file.get(), nullptr, nullptr, nullptr)
                                : nullptr);
}

// Read beside taplinkd (SQLite WAL), as an auditor would, each signature checked again.
std::vector<KeptAnswer> keptAnswers(const TopupBed& bed, const std::string& order) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open_v2(bed.journalPath().c_str(), &raw, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    const journal::DatabasePtr database(raw);
    sqlite3_busy_timeout(raw, 5000);
    const crypto::PkeyPtr key = allowancePublicKey(bed);
    journal::Statement query(raw,
                             "SELECT path, status, chip_serial, request_sha256, answer_body, "
                             "signature FROM server_answers WHERE order_id = ?1 ORDER BY id");
    query.bind(1, order);
    std::vector<KeptAnswer> answers;
    while (query.step()) {
        const wire::AnswerStatement statement{static_cast<int>(query.integer(1)),
                                              "POST",
                                              query.text(0),
                                              fromHex(query.text(2)),
                                              fromHex(query.text(3)),
                                              query.text(4)};
        answers.push_back(
            {statement.path, statement.status,
             key && crypto::verifySha256Signature(key.get(), wire::encodeAnswerStatement(statement),
                                                  fromHex(query.text(5)))});
    }
    return answers;
}

void expectNoMoneyMoved(E2e& e2e, const std::string& order, std::uint32_t before) {
    EXPECT_EQ(e2e.balance(), before) << "the card was not written";
    EXPECT_EQ(e2e.orderStatus(order), "open");
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 0U);
}

// An answer taplinkd cannot believe: the top-up stops before the chip imports anything.
void expectRefusedAllowance(const std::string& mode, const std::string& why) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    e2e.bed().serverAdmin("POST", "/admin/faults", {{"endpoint", "authorize"}, {"mode", mode}});
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "server_error") << topup.message;
    EXPECT_NE(topup.message.find(why), std::string::npos) << topup.message;
    EXPECT_EQ(e2e.journalState(order), "failed");
    EXPECT_TRUE(keptAnswers(e2e.bed(), order).empty()) << "nothing unbelievable is kept";
    expectNoMoneyMoved(e2e, order, before);
    e2e.retryAndCheckSettledOnce(order, before, 5000);
}

TEST(Allowance, ATopupKeepsItsSignedAuthorizationAndReceiptAsProof) {
    E2e e2e;
    const std::string order = e2e.bed().createOrder("50.00");
    const Outcome topup = e2e.topup(order);
    ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
    ASSERT_TRUE(e2e.waitForState(order, "reported"));
    const auto kept = keptAnswers(e2e.bed(), order);
    ASSERT_EQ(kept.size(), 2U);
    EXPECT_EQ(kept[0].path, "/v1/orders/" + order + "/authorize");
    EXPECT_EQ(kept[1].path, "/v1/orders/" + order + "/result");
    for (const KeptAnswer& answer : kept) {
        EXPECT_EQ(answer.status, 200) << answer.path;
        EXPECT_TRUE(answer.verifies) << answer.path;
    }
}

TEST(Allowance, AnUnsignedAuthorizationIsRefusedBeforeTheChipSeesIt) {
    expectRefusedAllowance("unsigned", "not signed");
}

TEST(Allowance, ATamperedAuthorizationIsRefusedBeforeTheChipSeesIt) {
    expectRefusedAllowance("forged", "does not verify");
}

// Another server's allowance key (a valid signature, just not the pinned key's).
TEST(Allowance, AnAuthorizationUnderAKeyTaplinkdDoesNotPinLoadsNothing) {
    const std::string other = "/tmp/taplink-other-allowance-" + std::to_string(::getpid());
    testsupport::runChecked(
        {"/bin/bash", std::string(TAPLINK_SOURCE_DIR) + "/certs/make-pki.sh", other});
    TopupBedOptions options;
    options.daemonAllowanceKey = other + "/allowance-signing.pub.pem";
    {
        E2e e2e(options);
        const std::uint32_t before = e2e.balance();
        const std::string order = e2e.bed().createOrder("50.00");
        const Outcome topup = e2e.topup(order);
        EXPECT_EQ(topup.code, "server_error") << topup.message;
        EXPECT_NE(topup.message.find("not pinned"), std::string::npos) << topup.message;
        expectNoMoneyMoved(e2e, order, before);
    }
    std::filesystem::remove_all(other);
}

// The money is on the card when the receipt cannot be believed: the result stays to be
// reported, and the next report takes the server's signed receipt of the same result.
TEST(Allowance, AnUnsignedReceiptIsNotBelievedAndTheResultIsReportedAgain) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    e2e.bed().serverAdmin("POST", "/admin/faults", {{"endpoint", "result"}, {"mode", "unsigned"}});
    e2e.topup(order);
    EXPECT_TRUE(e2e.waitForState(order, "reported")) << e2e.journalState(order);
    EXPECT_EQ(e2e.balance(), before + 5000);
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 5000U) << "settled once";
    const auto kept = keptAnswers(e2e.bed(), order);
    ASSERT_EQ(kept.size(), 2U) << "the unsigned receipt was not kept";
    EXPECT_EQ(kept[1].status, 409);  // already_settled, with the receipt, signed
    EXPECT_TRUE(kept[1].verifies);
}

}  // namespace
}  // namespace taplink::testbed
