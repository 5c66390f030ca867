// An ISO/IEC 7816-4 file system: MF, DFs (some of them applications with an AID),
// transparent and record EFs, and the interindustry commands that work on them.
// The tree's shape is fixed once the card is built; file contents may change.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::sim {

using apdu::CommandApdu;
using apdu::ResponseApdu;

struct ElementaryFile {
    std::uint16_t fid = 0;
    std::uint8_t sfi = 0;  // short EF identifier 1..30; 0 = none
    bool recordBased = false;
    Bytes content;               // transparent EF
    std::vector<Bytes> records;  // record EF; records[0] is record number 1
};

struct DedicatedFile;

// Proprietary commands of an application. The card asks the applet of the selected DF
// first; an applet returns nullopt for commands it leaves to the file system.
class Applet {
  public:
    Applet() = default;
    Applet(const Applet&) = delete;
    Applet& operator=(const Applet&) = delete;
    virtual ~Applet() = default;

    virtual void onSelect() {}
    // Another application was selected: security status tied to this one ends
    // (ISO/IEC 7816-4 clause 5.4, SP 800-73-4 part 2 clause 3.1.1).
    virtual void onDeselect() {}
    virtual void onReset() {}
    // A command of the selected application's DF went to the file system instead (SELECT,
    // READ BINARY...): a two-part exchange waiting for its second half ends here.
    virtual void onFileSystemCommand() {}
    virtual std::optional<ResponseApdu> process(const CommandApdu& command, DedicatedFile& df) = 0;
};

struct DedicatedFile {
    std::uint16_t fid = 0;
    Bytes aid;  // empty for a DF that is not an application
    Bytes fci;  // SELECT answer; when empty the card answers 6F { 84 aid }
    std::vector<ElementaryFile> efs;
    std::vector<DedicatedFile> dfs;
    std::shared_ptr<Applet> applet;

    ElementaryFile* efBySfi(std::uint8_t sfi);
    ElementaryFile* efByFid(std::uint16_t fid);
    DedicatedFile* dfByFid(std::uint16_t fid);
};

class FileSystem {
  public:
    explicit FileSystem(DedicatedFile mf);
    FileSystem(const FileSystem&) = delete;
    FileSystem& operator=(const FileSystem&) = delete;

    // SELECT, READ BINARY, READ RECORD; nullopt for any other instruction.
    std::optional<ResponseApdu> process(const CommandApdu& command);
    DedicatedFile& currentDf() { return *path_.back(); }
    // Back to the MF, as after a reset; every applet in the tree hears of it.
    void reset();

  private:
    ResponseApdu select(const CommandApdu& command);
    ResponseApdu selectByAid(const CommandApdu& command);
    ResponseApdu selectByFid(const CommandApdu& command);
    ResponseApdu selectByPath(const CommandApdu& command);
    ResponseApdu selected(const CommandApdu& command, std::vector<DedicatedFile*> path);
    ResponseApdu readBinary(const CommandApdu& command);
    ResponseApdu readRecord(const CommandApdu& command);
    ElementaryFile* efFor(std::uint8_t sfi);
    // Every change of the current DF goes through here: the application left hears
    // onDeselect, the one entered (or re-selected by SELECT) onSelect.
    void enter(std::vector<DedicatedFile*> path, bool bySelect);

    DedicatedFile mf_;
    std::vector<DedicatedFile*> path_;  // MF first, current DF last
    ElementaryFile* currentEf_ = nullptr;
};

}  // namespace taplink::sim
