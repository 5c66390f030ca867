// Application selection (EMV Book 1 12; the PPSE of EMV Contactless Book B 3.3): SELECT
// 2PAY.SYS.DDF01, the candidate list from its directory, the cardholder's choice, the
// final SELECT and its FCI.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/apdu/apdu.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::emv {

// PBOC debit, credit and quasi-credit (JR/T 0025.5).
inline constexpr std::array<std::uint8_t, 8> kPbocDebitAid{0xA0, 0x00, 0x00, 0x03,
                                                           0x33, 0x01, 0x01, 0x01};
inline constexpr std::array<std::uint8_t, 8> kPbocCreditAid{0xA0, 0x00, 0x00, 0x03,
                                                            0x33, 0x01, 0x01, 0x02};
inline constexpr std::array<std::uint8_t, 8> kPbocQuasiCreditAid{0xA0, 0x00, 0x00, 0x03,
                                                                 0x33, 0x01, 0x01, 0x03};
inline constexpr std::string_view kPpseName = "2PAY.SYS.DDF01";

struct Candidate {
    Bytes aid;
    std::string label;                     // 50, may be empty
    std::optional<std::uint8_t> priority;  // 87 b4-b1, 1 highest; none when absent or 0
    bool needsConfirmation = false;        // 87 b8

    bool operator==(const Candidate&) const = default;
};

// The daemon's trusted UI (and the tests) pick among candidates.
class ApplicationChooser {
  public:
    ApplicationChooser() = default;
    ApplicationChooser(const ApplicationChooser&) = delete;
    ApplicationChooser& operator=(const ApplicationChooser&) = delete;
    virtual ~ApplicationChooser() = default;

    // candidates in priority order; the index chosen, or nullopt when the cardholder declines.
    virtual std::optional<std::size_t> choose(const std::vector<Candidate>& candidates) = 0;

  protected:
    ApplicationChooser(ApplicationChooser&&) = default;
    ApplicationChooser& operator=(ApplicationChooser&&) = default;
};

// The selected application's FCI (Book 1 11.3.4, table 45).
struct ApplicationFci {
    Bytes dfName;                          // 84
    std::string label;                     // A5/50
    std::optional<std::uint8_t> priority;  // A5/87
    Bytes pdol;                            // A5/9F38, empty when absent
    Bytes logEntry;                        // A5/BF0C/9F4D, empty when absent
};

struct SelectedApplication {
    Candidate candidate;
    ApplicationFci fci;
};

// SELECT by DF name, first or only occurrence (Book 1 11.3.2): 00 A4 04 00 Lc name 00.
apdu::CommandApdu selectByName(ByteView name);

// Every directory entry (61: 4F, 50, 87) of the PPSE's FCI:
// 6F { 84 "2PAY.SYS.DDF01", A5 { BF0C { 61 ... } } } (Book B 3.3.1).
std::vector<Candidate> parsePpseFci(ByteView fci);

// The entries whose AID is one the terminal supports (equal, or longer with a supported
// AID as its start: partial selection, Book 1 12.3.1), ordered by priority, 1 first, those
// without priority last, in directory order among equals (Book 1 12.4).
std::vector<Candidate> candidateList(const std::vector<Candidate>& directory,
                                     const std::vector<Bytes>& supportedAids);

// The final SELECT's FCI; its 84 must be the AID selected (Book 1 12.4).
ApplicationFci parseApplicationFci(ByteView fci, ByteView selectedAid);

// The whole of Book 1 12.4 over the PPSE: the cardholder is asked when more than one
// candidate remains or the only one needs confirmation; an application whose SELECT
// answers 6A81, 6A82 or 6283 (blocked) leaves the list and the choice starts again.
// EmvError NoApplication, Cancelled, CardRefused or CardAnsweredWrongly otherwise.
SelectedApplication selectApplication(apdu::ApduChannel& channel,
                                      const std::vector<Bytes>& supportedAids,
                                      ApplicationChooser& chooser);

}  // namespace taplink::emv
