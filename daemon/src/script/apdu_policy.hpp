// Which APDUs a script may send, per target. The policy is the daemon's, not the script's:
// a signed script can only ever ask for these commands, so even a script-signing key in the
// wrong hands cannot make the card spend (no purchase) or the chip sign or unlock (no PIV).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::script {

enum class Target { Card, Chip };

std::string_view targetName(Target target);  // "card", "chip"
std::optional<Target> targetFromName(std::string_view name);

// One allowed command. Unset P1/P2 are free; an exact data constraint pins the data bytes
// (the chip's SELECT may name the load SAM only).
struct ApduRule {
    std::string_view name;  // "CREDIT FOR LOAD", for messages
    std::uint8_t cla = 0;
    std::uint8_t ins = 0;
    std::optional<std::uint8_t> p1;
    std::optional<std::uint8_t> p2;
    std::optional<Bytes> data;
    // The command moves money on the card: the engine journals right before and right after
    // it (checkpoints), and never cancels or stops between it and the checkpoint after it.
    bool movesMoney = false;
    // The command may come inside an issuer script (template 71/72) from the server.
    bool inIssuerScript = false;
    // Lc: the data is exactly this long (a field that is not known does not match).
    std::optional<std::size_t> dataLength;
    // Only inside an issuer script: never a script's own apdu step nor a kernel step.
    bool issuerScriptOnly = false;
    // Only through the engine's own step for it (PUT CARD DATA: relayCardData, PUT PIN:
    // onlinePin), never a script's apdu step: the card's objects and the PIN are the
    // engine's to send, and no script can make the chip seal made-up card data.
    bool engineStepOnly = false;
};

// What is known of a command: everything at send time; at load time P1, P2 or the data may
// still hold variables (nullopt).
struct ApduShape {
    std::uint8_t cla = 0;
    std::uint8_t ins = 0;
    std::optional<std::uint8_t> p1;
    std::optional<std::uint8_t> p2;
    std::optional<Bytes> data;

    static ApduShape of(const apdu::CommandApdu& command);
};

class ApduPolicy {
  public:
    explicit ApduPolicy(std::vector<ApduRule> rules) : rules_(std::move(rules)) {}

    // The daemon's policies.
    //   card: SELECT (00 A4), READ BINARY (00 B0), READ RECORD (00 B2), GET BALANCE (80 5C),
    //         INITIALIZE FOR LOAD (80 50, P1 00 only), CREDIT FOR LOAD (80 52, moves money),
    //         GET TRANSACTION PROVE (80 5A).
    //   chip: SELECT of the load SAM AID (00 A4 04 00), GET CHIP INFO (80 30), IMPORT LOAD
    //         AUTHORIZATION (80 34), COMPUTE LOAD MAC2 (80 36). Never a PIV command.
    static const ApduPolicy& card();
    static const ApduPolicy& chip();
    static const ApduPolicy& forTarget(Target target);
    //   bank card (scheme bank-ec), by command family: SELECT by name (00 A4 04 00), GET
    //         PROCESSING OPTIONS (80 A8 00 00), READ RECORD (00 B2), GET DATA (80 CA),
    //         GENERATE AC (80 AE 80/40/00 00: ARQC, TC, AAC; never CDA), EXTERNAL
    //         AUTHENTICATE (00 82 00 00), PUT DATA of the EC balance under secure messaging
    //         (04 DA 9F 79, Lc 0A, moves money; the only command an issuer script may carry
    //         and only there), GET RESPONSE (00 C0 00 00).
    //         Never VERIFY, purchase, application block/unblock or PIN change.
    static const ApduPolicy& bankCard();
    //   bank card (scheme bank-purchase): bankCard() without the PUT DATA of the EC balance,
    //         so nothing an issuer script could carry.
    static const ApduPolicy& bankPurchaseCard();
    //   chip, scheme bank-purchase: SELECT of the payment applet (00 A4 04 00, its AID
    //         exactly), BEGIN PURCHASE (80 40 00 00), SEAL (80 44 00 00), GET RESPONSE
    //         (00 C0 00 00), and through the engine's steps only PUT CARD DATA (80 42 00 00)
    //         and PUT PIN (80 46 00 00). Never GENERATE TOKEN, MANAGE, SCP03, the load SAM
    //         or PIV.
    static const ApduPolicy& purchaseChip();
    //   chip, scheme tsm (the TSM's management session): SELECT of the load SAM or the
    //         payment applet (00 A4 04 00, those AIDs exactly), INITIALIZE UPDATE (80 50,
    //         P2 00), EXTERNAL AUTHENTICATE (84 82), MANAGE (84 E2 00 00). Nothing else: no
    //         plain SET LIFECYCLE, no load command, no PIV.
    static const ApduPolicy& tsmChip();
    // Nothing at all (the chip, for a bank script; the card, for a management script).
    static const ApduPolicy& none();

    // The rule the command falls under; nullptr when it falls under none. A constrained
    // field that is not known (nullopt) does not match: it could be anything.
    const ApduRule* find(const ApduShape& shape) const;
    // Whether any command may come in an issuer script.
    bool takesIssuerScripts() const;

  private:
    std::vector<ApduRule> rules_;
};

}  // namespace taplink::script
