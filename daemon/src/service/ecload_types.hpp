// What an EC load (圈存, a bank card's electronic cash) is asked with and answers
// (docs/api.md, "ecload.start"), beside the city top-up's topup_types.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "journal/ecload_journal.hpp"
#include "service/bank_attempt_support.hpp"
#include "service/topup_types.hpp"

namespace taplink::service {

struct EcLoadOutcome {
    std::string orderId;
    std::uint32_t amount = 0;
    std::uint32_t balanceBefore = 0;
    std::uint32_t balanceAfter = 0;
    std::string pan;  // "…1234"
    std::string application;
    bool settled = false;    // false: loaded, the server's confirmation still pending
    nlohmann::json receipt;  // the server's (PAN masked); empty while not settled
    // For a load that ran now (not answered from the journal): where its time went, as a
    // top-up's, and the commands sent to the bank card.
    std::optional<TopupTimings> timings;
    std::uint32_t cardApdus = 0;
};

// The outcome a journal record stands for.
EcLoadOutcome ecOutcomeOf(const journal::EcLoadRecord& record);

}  // namespace taplink::service
