// The highest signed-script version taplinkd accepted per scheme, in the journal's SQLite
// file (table script_versions, journal_schema.cpp version 3): it survives a restart, so a
// server cannot roll a scheme back by waiting for one (docs/daemon.md, "Script versions").
#pragma once

#include <cstdint>
#include <string_view>

#include "journal/script_version_store.hpp"
#include "journal/topup_journal.hpp"

namespace taplink::journal {

class ScriptVersionJournal final : public ScriptVersionStore {
  public:
    // Shares the top-up journal's open database (which must outlive it) and durability.
    explicit ScriptVersionJournal(TopupJournal& journal) : database_(journal.database()) {}

    std::uint64_t highest(std::string_view scheme) override;
    // One statement: INSERT, or max() of the stored version and this one.
    void raise(std::string_view scheme, std::uint64_t version) override;

  private:
    sqlite3* database_;
};

}  // namespace taplink::journal
