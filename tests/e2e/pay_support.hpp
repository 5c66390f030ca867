// What the Tap & Pay purchase end-to-end tests share: the chip's payment applet personalised
// by the TSM, the demo bank card and its cardholder's account (with a purchase PIN), a
// bank-purchase order, `taplink pay` on a terminal, the purchase's card commands by their
// place, and the money invariant (the account charged once, or not at all / refunded once).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ecload_support.hpp"
#include "payment_applet.hpp"
#include "pty_process.hpp"

namespace taplink::testbed {

inline constexpr std::uint64_t kPurchaseAmount = 8800;  // each order: ¥88.00
inline constexpr const char* kPurchaseYuan = "88.00";
inline constexpr const char* kMerchant = "E2E \u6D4B\u8BD5\u5546\u5E97 Test Shop";
// Twelve digits (the most ISO 9564 allows): long enough that finding them in a log or a
// database is the PIN, not chance.
inline constexpr const char* kPin = "583920174635";
inline constexpr const char* kWrongPin = "902746183551";

// A bed with no card at start, the payment applet personalised (TSM defaults, or this CVM
// limit in yuan), the demo bank card of `profile` and its account of ¥500.00 with kPin.
struct PurchaseSetup {
    explicit PurchaseSetup(const std::string& profile = "bank-3des",
                           const std::string& cvmLimitYuan = "", bool traceApdus = false)
        : e2e(options(traceApdus)) {
        personalisePaymentApplet(e2e.bed(), cvmLimitYuan);
        account = bankCardAndAccount(e2e, profile, {"--pin", kPin});
    }

    static TopupBedOptions options(bool traceApdus) {
        TopupBedOptions options;
        options.cardProfile = "";
        options.traceApdus = traceApdus;
        return options;
    }

    // A new bank-purchase order of that many yuan for kMerchant.
    std::string order(const std::string& yuan = kPurchaseYuan) {
        return e2e.bed()
            .serverCommand({"order", "create", "--amount", yuan, "--scheme", "bank-purchase",
                            "--merchant", kMerchant})
            .at("orderId")
            .get<std::string>();
    }

    Outcome pay(const std::string& orderId) {
        return e2e.call("pay.start", {{"orderId", orderId}});
    }

    // update-params of the payment applet (e.g. {"--daily", "100.00"}), applied at once.
    void updateParameters(const std::vector<std::string>& limits) {
        std::vector<std::string> arguments{"--applet", "payment"};
        arguments.insert(arguments.end(), limits.begin(), limits.end());
        applyTsmJob(e2e.bed(), "update-params", arguments);
    }

    std::uint64_t balance() { return accountBalance(e2e, account); }

    E2e e2e;
    std::string account;
};

// `taplink pay --order ID` with a pty as its controlling terminal (where it asks the PIN).
inline testsupport::PtyProcess payOnTerminal(E2e& e2e, const std::string& orderId) {
    return testsupport::PtyProcess({TopupBed::program("taplink"), "pay", "--order", orderId,
                                    "--socket", e2e.bed().socketPath()});
}

// A purchase's card commands by their place in scripts/recharge/bank-purchase.json (SELECT
// PPSE, SELECT the AID, GET PROCESSING OPTIONS, two READ RECORDs for the simulated card's
// AFL, then these), counted after taplinkd's own read of the card (daemonReadApdus).
enum class PurchaseApdu : unsigned {
    FirstGenerateAc = 6,  // the ARQC: the chip seals after it, then the authorization
    SecondGenerateAc = 7,
};
inline constexpr unsigned kPurchaseCardApdus = 7;

inline unsigned nextPurchaseApdu(E2e& e2e, PurchaseApdu apdu) {
    return daemonReadApdus(e2e) + static_cast<unsigned>(apdu);
}

// The money invariant of an ended purchase: charged once and settled, or the account as
// before (never charged, or refunded once) and the order not settled.
inline void expectChargedOnceOrNot(PurchaseSetup& setup, const std::string& order,
                                   std::uint64_t before, bool charged) {
    EXPECT_EQ(setup.balance(), before - (charged ? kPurchaseAmount : 0U));
    const std::string status = setup.e2e.orderStatus(order);
    if (charged) {
        EXPECT_EQ(status, "settled");
    } else {
        EXPECT_NE(status, "settled");
    }
}

// The cardholder data a purchase must leave nowhere: the PAN's digits (also its BCD hex, the
// same digits), its BCD bytes, and each PIN typed, as digits and as the hex of their ASCII
// (the PUT PIN command's data).
inline std::vector<std::string> cardholderSecrets(const std::vector<std::string>& pins) {
    const Bytes panBcd = fromHex(kDemoBankPan);
    std::vector<std::string> secrets{kDemoBankPan, std::string(panBcd.begin(), panBcd.end())};
    for (const std::string& pin : pins) {
        secrets.push_back(pin);
        secrets.push_back(toHex(Bytes(pin.begin(), pin.end())));
    }
    return secrets;
}

// The PAN as a space-separated hex trace shows the card's records ("62 88 88 ...").
inline std::string spacedPanHex() {
    return toHex(fromHex(kDemoBankPan), true);
}

// Every regular file of the bed folder (taplinkd's, the server's, pcscd's and the sim's
// logs, the journal and the server's database with their WAL files) and the texts given
// (what the CLI printed): none holds a secret. sim.log, the card simulator's own APDU trace,
// shows the card's records and the PUT CARD DATA it relays as spaced hex by design (it is
// the card's side of the reader): only the spaced form of the PAN is allowed there.
inline void expectNoCardholderData(TopupBed& bed, const std::vector<std::string>& printed,
                                   const std::vector<std::string>& pins) {
    const std::vector<std::string> secrets = cardholderSecrets(pins);
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(bed.dir())) {
        if (!entry.is_regular_file()) {
            continue;
        }
        ++files;
        const std::string text = fileText(entry.path().string());
        for (const std::string& secret : secrets) {
            EXPECT_EQ(text.find(secret), std::string::npos) << entry.path();
        }
        if (entry.path().filename() != "sim.log") {
            EXPECT_EQ(text.find(spacedPanHex()), std::string::npos) << entry.path();
        }
    }
    EXPECT_GT(files, 5U) << "the bed's files were read";
    EXPECT_NE(fileText(bed.dir() + "/sim.log").find(spacedPanHex()), std::string::npos)
        << "the sim's trace was on: the search would have seen the PAN";
    for (const std::string& text : printed) {
        for (const std::string& secret : secrets) {
            EXPECT_EQ(text.find(secret), std::string::npos) << text;
        }
    }
}

}  // namespace taplink::testbed
