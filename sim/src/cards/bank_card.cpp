#include "cards/bank_card.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <stdexcept>

#include "applets/pboc_applet.hpp"
#include "card/atr.hpp"
#include "cards/bank_records.hpp"
#include "cards/test_issuer.hpp"
#include "taplink/emv/bcd.hpp"

namespace taplink::sim {

namespace {

namespace keys = crypto::emv;

constexpr std::size_t kPanBodyDigits = 18;  // and the check digit: 19 (ISO/IEC 7812-1)
constexpr std::size_t kMinPanDigits = 16;
constexpr std::size_t kMaxPanDigits = 19;
constexpr std::uint8_t kPsn = 0x01;
constexpr std::uint16_t kPpseFid = 0x7F00;
constexpr std::uint16_t kFirstApplicationFid = 0x7F10;

struct BankProfile {
    std::string_view name;
    keys::Suite suite;
    bool withCredit;
    int defaultNumber;  // the end of the default PAN
    std::string_view atrText;
};

constexpr std::array<BankProfile, 3> kBankProfiles{{
    {"bank-3des", keys::Suite::TripleDes, false, 42, "BANK-3DES"},
    {"bank-sm4", keys::Suite::Sm4, false, 43, "BANK-SM4"},
    {"bank-dual", keys::Suite::TripleDes, true, 44, "BANK-DUAL"},
}};

const BankProfile& bankProfile(std::string_view name) {
    const auto* found =
        std::find_if(kBankProfiles.begin(), kBankProfiles.end(),
                     [&](const BankProfile& profile) { return profile.name == name; });
    if (found == kBankProfiles.end()) {
        throw std::invalid_argument("unknown bank card profile '" + std::string(name) + "'");
    }
    return *found;
}

// Outside any application the EMV commands have no transaction to work on (EMV Book 3
// 6.5.8.5: GET PROCESSING OPTIONS before an application is selected), and there are no data
// objects to GET (a reader asking for the CPLC, 9F7F, gets 6A88).
class NoApplication : public Applet {
  public:
    std::optional<ResponseApdu> process(const CommandApdu& command, DedicatedFile&) override {
        if (command.cla != pboc::kClaEmv) {
            return std::nullopt;
        }
        return ResponseApdu{{},
                            command.ins == pboc::kInsGetData ? pboc::sw::kDataNotFound
                                                             : apdu::sw::kConditionsNotSatisfied};
    }
};

bool allDigits(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string checkedPan(const std::string& pan, const BankIssuer& issuer) {
    if (!allDigits(pan) || pan.size() < kMinPanDigits || pan.size() > kMaxPanDigits ||
        bank::luhnCheckDigit(std::string_view(pan).substr(0, pan.size() - 1)) != pan.back()) {
        throw std::invalid_argument("a bank card PAN is 16-19 digits with a valid Luhn digit");
    }
    if (!pan.starts_with(issuer.panPrefix)) {
        throw std::invalid_argument("PAN " + pan + " is not under the issuer's prefix " +
                                    issuer.panPrefix);
    }
    return pan;
}

// YYMMDD with a month 01-12 and a day 01-31 (5F24, n6): the digits are the hex of its bytes.
std::string checkedExpiry(const std::string& expiry) {
    if (expiry.empty()) {
        return "311231";
    }
    if (expiry.size() != emv::kDateSize * 2 || !allDigits(expiry) ||
        !emv::isDate(fromHex(expiry))) {
        throw std::invalid_argument("a bank card expiry date is YYMMDD");
    }
    return expiry;
}

std::mutex defaultBankIssuerMutex;
std::shared_ptr<const BankIssuer>& defaultBankIssuerSlot() {
    static std::shared_ptr<const BankIssuer> issuer =
        std::make_shared<const BankIssuer>(testBankIssuer());
    return issuer;
}

PbocState initialState(const std::string& stateFile, const CardOptions& options) {
    if (!stateFile.empty()) {
        if (auto saved = PbocState::load(stateFile)) {
            return *saved;  // the same card, back in the field
        }
    }
    PbocState state;
    state.ecBalance = options.balance.value_or(0);
    if (state.ecBalance > state.ecBalanceLimit) {
        throw std::invalid_argument("the EC balance is over the card's limit of " +
                                    std::to_string(state.ecBalanceLimit) + " fen");
    }
    if (!stateFile.empty()) {
        state.save(stateFile);
    }
    return state;
}

struct Personalisation {
    keys::Suite suite;
    const BankMasterKeys* masterKeys;
    bank::CardData data;
    std::string stateDir;
};

PbocConfig applicationConfig(const Personalisation& card, const bank::Application& application) {
    PbocConfig config;
    config.suite = card.suite;
    config.acMasterKey = keys::iccMasterKey(card.suite, card.masterKeys->ac, card.data.pan, kPsn);
    config.scriptMasterKey =
        keys::iccMasterKey(card.suite, card.masterKeys->smi, card.data.pan, kPsn);
    config.pin = "123456";
    config.aip = bank::applicationInterchangeProfile();
    config.afl = bank::applicationFileLocator();
    config.pdol = application.pdol;
    config.cdol1 = bank::cdol1();
    config.cdol2 = bank::cdol2();
    config.logFormat = bank::logFormat();
    config.logSfi = bank::kLogSfi;
    config.logRecords = bank::kLogRecords;
    if (!card.stateDir.empty()) {
        config.stateFile =
            card.stateDir + "/bank-" + card.data.pan + "-" + toHex(application.aid) + ".json";
    }
    return config;
}

DedicatedFile applicationDf(const Personalisation& card, const bank::Application& application,
                            std::uint16_t fid, const CardOptions& options) {
    PbocConfig config = applicationConfig(card, application);
    PbocState state = initialState(config.stateFile, options);
    DedicatedFile df;
    df.fid = fid;
    df.aid = application.aid;
    df.fci = bank::applicationFci(application);
    df.efs.push_back(
        ElementaryFile{0x0001, bank::kRecordSfi, true, {}, bank::applicationRecords(card.data)});
    df.efs.push_back(ElementaryFile{0x000B, bank::kLogSfi, true, {}, state.log});
    df.applet = std::make_shared<PbocApplet>(std::move(config), std::move(state));
    return df;
}

// Debit first in the directory; on the dual card the credit application has the higher
// priority (87 = 1), so a terminal choosing by priority does not simply take the first.
std::vector<bank::Application> applicationsOf(const BankProfile& profile) {
    bank::Application debit{fromHex(kDebitAidHex), "PBOC DEBIT", 0x01, bank::qpbocPdol()};
    if (!profile.withCredit) {
        return {debit};
    }
    debit.priority = 0x02;
    return {debit, bank::Application{fromHex(kCreditAidHex), "PBOC CREDIT", 0x01, {}}};
}

DedicatedFile bankFiles(const Personalisation& card, const BankProfile& profile,
                        const CardOptions& options) {
    const std::vector<bank::Application> applications = applicationsOf(profile);
    DedicatedFile ppse;
    ppse.fid = kPpseFid;
    ppse.aid = Bytes(kPpseName.begin(), kPpseName.end());
    ppse.fci = bank::ppseFci(applications);
    ppse.applet = std::make_shared<NoApplication>();
    DedicatedFile mf;
    mf.applet = std::make_shared<NoApplication>();
    mf.dfs.push_back(std::move(ppse));
    std::uint16_t fid = kFirstApplicationFid;
    for (const bank::Application& application : applications) {
        mf.dfs.push_back(applicationDf(card, application, fid++, options));
    }
    return mf;
}

// The issuer's master keys for the profile's suite, the PAN (given, or the profile's default
// under the issuer's prefix), the expiry (given, or 311231) and the PSN.
Personalisation personalisationOf(std::string_view name, const BankProfile& profile,
                                  const BankIssuer& issuer, const CardOptions& options) {
    Personalisation card{profile.suite, issuer.keysFor(profile.suite), {}, options.stateDir};
    if (card.masterKeys == nullptr) {
        throw std::invalid_argument("bank issuer " + issuer.name + " has no " +
                                    std::string(suiteName(profile.suite)) + " keys");
    }
    card.data.pan =
        options.pan.empty() ? defaultBankPan(name, issuer) : checkedPan(options.pan, issuer);
    card.data.expiry = checkedExpiry(options.expiry);
    card.data.psn = kPsn;
    return card;
}

// A card with a state file comes back (after a remove and insert) with the same PAN, even
// when it was the issuer's default for the profile.
void reopenWithPan(VirtualCard& virtualCard, std::string_view name, const CardOptions& options,
                   const std::string& pan) {
    CardOptions again = options;
    again.pan = pan;
    virtualCard.setReopen(
        [profileName = std::string(name), again] { return makeBankCard(profileName, again); });
}

}  // namespace

bool isBankProfile(std::string_view profile) {
    return std::any_of(kBankProfiles.begin(), kBankProfiles.end(),
                       [&](const BankProfile& known) { return known.name == profile; });
}

std::string defaultBankPan(std::string_view profile, const BankIssuer& issuer) {
    const std::string number = std::to_string(bankProfile(profile).defaultNumber);
    if (issuer.panPrefix.size() + number.size() > kPanBodyDigits) {
        throw std::invalid_argument("the issuer's PAN prefix leaves no room for a default PAN");
    }
    std::string body = issuer.panPrefix;
    body.append(kPanBodyDigits - body.size() - number.size(), '0');
    body += number;
    return body + bank::luhnCheckDigit(body);
}

std::shared_ptr<VirtualCard> makeBankCard(std::string_view name, const CardOptions& options) {
    const BankProfile& profile = bankProfile(name);
    if (!options.serial.empty()) {
        throw std::invalid_argument("a bank card has a PAN, not a serial");
    }
    // Held here: the personalisation points into the issuer's keys.
    const auto issuer = options.bankIssuer ? options.bankIssuer : defaultBankIssuer();
    const Personalisation card = personalisationOf(name, profile, *issuer, options);
    auto virtualCard =
        std::make_shared<VirtualCard>(std::string(name), atrT1(historicalBytes(profile.atrText)),
                                      bankFiles(card, profile, options), false);
    virtualCard->setIdentity("bank-" + card.data.pan);
    if (!options.stateDir.empty()) {
        reopenWithPan(*virtualCard, name, options, card.data.pan);
    }
    return virtualCard;
}

void setDefaultBankIssuer(std::shared_ptr<const BankIssuer> issuer) {
    if (!issuer) {
        throw std::invalid_argument("the default bank issuer cannot be none");
    }
    const std::lock_guard lock(defaultBankIssuerMutex);
    defaultBankIssuerSlot() = std::move(issuer);
}

std::shared_ptr<const BankIssuer> defaultBankIssuer() {
    const std::lock_guard lock(defaultBankIssuerMutex);
    return defaultBankIssuerSlot();
}

}  // namespace taplink::sim
