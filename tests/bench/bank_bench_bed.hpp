// What the bank-card benchmarks (ecload_bench.cpp, pay_bench.cpp) set up alike on the test
// bed: the demo bank card in the card slot and the server's account for its PAN.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "topup_bed.hpp"

namespace taplink::bench {

// The demo bank card (triple DES) with `ecBalance` fen on it (9F79) in the card slot, and an
// account of ¥500.00 for its PAN; its account id.
inline std::string bankCardAndAccount(testbed::TopupBed& bed, std::uint32_t ecBalance) {
    using namespace taplink::testbed;
    bed.bed().sim().insert(kCardSlot, "bank-3des", {{"pan", kDemoBankPan}, {"balance", ecBalance}});
    if (!bed.bed().waitForCard(kCardSlot, true)) {
        throw std::runtime_error("the bank card did not appear in the card reader");
    }
    return bed
        .serverCommand({"account", "create", "--holder", "Bench Cardholder", "--pan", kDemoBankPan,
                        "--balance", "500.00"})
        .at("accountId")
        .get<std::string>();
}

}  // namespace taplink::bench
