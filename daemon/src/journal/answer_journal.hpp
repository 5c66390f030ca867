// The server's signed money answers as taplinkd received them, each kept before it is acted
// on (table server_answers, journal_schema.cpp version 4): the load, EC load and purchase
// authorizations and the receipts, with the digest of the requests they answer (never the
// request itself, which may hold a PAN) and the allowance key's signature, so that the journal
// proves who allowed what (docs/daemon.md, "Signed answers").
#pragma once

#include <string_view>
#include <vector>

#include "journal/topup_journal.hpp"
#include "taplink/protocol/signed_answer.hpp"

namespace taplink::journal {

class AnswerJournal {
  public:
    // Shares the top-up journal's open database (which must outlive it) and durability.
    explicit AnswerJournal(TopupJournal& journal) : database_(journal.database()) {}

    // JournalError when it cannot be written: the answer must not be acted on then. One
    // autocommit INSERT on the shared connection; its callers (the server client's money
    // calls) hold the top-up service's run slot, as every money step's journal write does, so
    // no other write transaction of the journal is open beside it.
    void keep(const net::wire::SignedAnswer& answer);
    // The order's answers, oldest first.
    std::vector<net::wire::SignedAnswer> ofOrder(std::string_view orderId);

  private:
    sqlite3* database_;
};

}  // namespace taplink::journal
