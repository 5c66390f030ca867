// What every journal-backed recovery (top-up, EC load, purchase) shares: the start-up pass over
// the unfinished records and the failing of an order that never reached the server; and what
// the bank-card ones (EC load, purchase) build alike from their journal: the signed result's
// and reversal's fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>

#include "taplink/base/byte_reader.hpp"
#include "taplink/base/log.hpp"
#include "taplink/protocol/ecload_wire.hpp"

namespace taplink::service {

// Tries each record of readUnfinished() once with resumeOne (true: still open) and counts
// what is still open. One record that cannot be resumed yet (server down, card gone) must not
// stop the others, and a journal that cannot be read must not stop taplinkd from starting.
template <typename ReadUnfinished, typename ResumeOne>
std::size_t resumeUnfinished(ReadUnfinished&& readUnfinished, ResumeOne&& resumeOne) noexcept {
    std::size_t open = 0;
    try {
        for (const auto& record : readUnfinished()) {
            try {
                open += resumeOne(record) ? 1U : 0U;
            } catch (const std::exception& error) {
                ++open;
                log::warning("order " + record.orderId + ": cannot resume yet: " + error.what());
            }
        }
    } catch (const std::exception& error) {
        log::error(std::string("cannot read the journal: ") + error.what());
    }
    return open;
}

// Records orderId failed for `reason` while isOpen(its state): nothing reached the card or the
// account yet. noexcept: the callers are already failing, so a journal error is only logged.
template <typename Journal, typename IsOpen>
void failIfStillOpen(Journal& journal, const std::string& orderId, const std::string& reason,
                     IsOpen&& isOpen) noexcept {
    try {
        const auto record = journal.find(orderId);
        if (record && isOpen(record->state)) {
            journal.recordFailed(orderId, reason);
        }
    } catch (const std::exception& error) {
        log::error("order " + orderId + ": cannot journal the failure: " + error.what());
    }
}

// The ATC the journal keeps (9F36: 2 bytes, big-endian).
template <typename BankRecord>
std::uint16_t journaledAtc(const BankRecord& record) {
    return ByteReader<std::out_of_range>(record.bytes("atc"), "the journaled ATC").u16("the ATC");
}

// The signed result's fields (TLE1, TLP1) the journal keeps for every bank card: the
// authorization's nonce, the second GENERATE AC (CID, AC, CDOL2 data, IAD) and the terminal,
// date and time it ran at. The caller adds its own.
template <typename Result, typename BankRecord>
Result journaledResult(const BankRecord& record) {
    Result result;
    result.orderId = record.orderId;
    result.nonce = record.bytes("nonce");
    result.atc = journaledAtc(record);
    result.cid = record.bytes("cid2").at(0);
    result.cryptogram = record.bytes("ac2");
    result.cdol2Data = record.bytes("cdol2Data");
    result.iad = record.bytes("iad2");
    result.terminalId = record.bytes("terminalId");
    result.date = record.bytes("txDate");
    result.time = record.bytes("txTime");
    return result;
}

// The reversal's fields (TLX1, and TLQ1 which is its layout under another magic).
template <typename BankRecord>
net::wire::EcLoadReversal journaledReversal(const BankRecord& record,
                                            net::wire::ReversalReason reason) {
    return net::wire::EcLoadReversal{record.orderId,
                                     record.bytes("nonce"),
                                     journaledAtc(record),
                                     reason,
                                     record.bytes("terminalId"),
                                     record.bytes("txDate"),
                                     record.bytes("txTime")};
}

}  // namespace taplink::service
