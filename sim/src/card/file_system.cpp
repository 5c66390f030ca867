#include "card/file_system.hpp"

#include <algorithm>

#include "taplink/apdu/tlv.hpp"

namespace taplink::sim {

namespace sw = apdu::sw;

namespace {
constexpr std::uint16_t kMfFid = 0x3F00;

// ISO/IEC 7816-4 clause 11.1.1 (SELECT) P1 values.
constexpr std::uint8_t kSelectFid = 0x00;
constexpr std::uint8_t kSelectChildDf = 0x01;
constexpr std::uint8_t kSelectEfUnderDf = 0x02;
constexpr std::uint8_t kSelectParent = 0x03;
constexpr std::uint8_t kSelectByAid = 0x04;
constexpr std::uint8_t kSelectPathFromMf = 0x08;
// P2 (clause 11.1.1, table 40): bits 4-3 select the answer (00 FCI, 01 FCP, 10 FMD,
// 11 none), bits 2-1 the occurrence (00 first or only). This card gives the FCI or
// nothing, and only the first occurrence; other P2 values are refused with 6A86.
constexpr std::uint8_t kAnswerMask = 0x0C;
constexpr std::uint8_t kAnswerFci = 0x00;
constexpr std::uint8_t kAnswerNone = 0x0C;
constexpr std::uint8_t kOccurrenceMask = 0x03;

ResponseApdu status(std::uint16_t word) {
    return ResponseApdu{{}, word};
}

std::uint16_t fidOf(const CommandApdu& command) {
    return static_cast<std::uint16_t>((command.data[0] << 8U) | command.data[1]);
}

void resetApplets(DedicatedFile& df) {
    if (df.applet) {
        df.applet->onReset();
    }
    for (auto& child : df.dfs) {
        resetApplets(child);
    }
}

bool findByAid(DedicatedFile& df, ByteView aid, std::vector<DedicatedFile*>& path) {
    path.push_back(&df);
    // An AID given partially selects the first application whose AID starts with it
    // (ISO/IEC 7816-4 clause 12.2.3).
    if (!df.aid.empty() && df.aid.size() >= aid.size() &&
        std::equal(aid.begin(), aid.end(), df.aid.begin())) {
        return true;
    }
    for (auto& child : df.dfs) {
        if (findByAid(child, aid, path)) {
            return true;
        }
    }
    path.pop_back();
    return false;
}
}  // namespace

ElementaryFile* DedicatedFile::efBySfi(std::uint8_t sfi) {
    auto it = std::find_if(efs.begin(), efs.end(), [sfi](const auto& ef) { return ef.sfi == sfi; });
    return it == efs.end() ? nullptr : &*it;
}

ElementaryFile* DedicatedFile::efByFid(std::uint16_t wanted) {
    auto it =
        std::find_if(efs.begin(), efs.end(), [wanted](const auto& ef) { return ef.fid == wanted; });
    return it == efs.end() ? nullptr : &*it;
}

DedicatedFile* DedicatedFile::dfByFid(std::uint16_t wanted) {
    auto it =
        std::find_if(dfs.begin(), dfs.end(), [wanted](const auto& df) { return df.fid == wanted; });
    return it == dfs.end() ? nullptr : &*it;
}

FileSystem::FileSystem(DedicatedFile mf) : mf_(std::move(mf)) {
    mf_.fid = kMfFid;
    path_.assign(1, &mf_);
}

void FileSystem::reset() {
    resetApplets(mf_);
    path_.assign(1, &mf_);
    currentEf_ = nullptr;
}

std::optional<ResponseApdu> FileSystem::process(const CommandApdu& command) {
    switch (command.ins) {
        case apdu::kInsSelect:
            return select(command);
        case apdu::kInsReadBinary:
            return readBinary(command);
        case apdu::kInsReadRecord:
            return readRecord(command);
        default:
            return std::nullopt;
    }
}

ResponseApdu FileSystem::select(const CommandApdu& command) {
    const auto answer = static_cast<std::uint8_t>(command.p2 & kAnswerMask);
    if ((answer != kAnswerFci && answer != kAnswerNone) || (command.p2 & kOccurrenceMask) != 0 ||
        (command.p2 & 0xF0U) != 0) {
        return status(sw::kIncorrectP1P2);
    }
    switch (command.p1) {
        case kSelectByAid:
            return selectByAid(command);
        case kSelectFid:
        case kSelectChildDf:
        case kSelectEfUnderDf:
        case kSelectParent:
            return selectByFid(command);
        case kSelectPathFromMf:
            return selectByPath(command);
        default:
            return status(sw::kIncorrectP1P2);
    }
}

ResponseApdu FileSystem::selectByAid(const CommandApdu& command) {
    if (command.data.empty() || command.data.size() > 16) {
        return status(sw::kWrongLength);
    }
    std::vector<DedicatedFile*> path;
    if (!findByAid(mf_, command.data, path)) {
        return status(sw::kFileNotFound);
    }
    return selected(command, std::move(path));
}

ResponseApdu FileSystem::selectByFid(const CommandApdu& command) {
    if (command.p1 == kSelectParent) {
        auto path = path_;
        if (path.size() > 1) {
            path.pop_back();
        }
        return selected(command, std::move(path));
    }
    if (command.data.empty() && command.p1 == kSelectFid) {
        return selected(command, {&mf_});  // P1 00 without data selects the MF
    }
    if (command.data.size() != 2) {
        return status(sw::kWrongLength);
    }
    const std::uint16_t fid = fidOf(command);
    if (fid == kMfFid && command.p1 == kSelectFid) {
        return selected(command, {&mf_});
    }
    if (command.p1 != kSelectEfUnderDf) {
        if (DedicatedFile* child = currentDf().dfByFid(fid)) {
            auto path = path_;
            path.push_back(child);
            return selected(command, std::move(path));
        }
    }
    if (command.p1 != kSelectChildDf) {
        if (ElementaryFile* ef = currentDf().efByFid(fid)) {
            currentEf_ = ef;
            return status(sw::kOk);
        }
    }
    return status(sw::kFileNotFound);
}

ResponseApdu FileSystem::selectByPath(const CommandApdu& command) {
    if (command.data.empty() || command.data.size() % 2 != 0) {
        return status(sw::kWrongLength);
    }
    std::vector<DedicatedFile*> path{&mf_};
    for (std::size_t i = 0; i < command.data.size(); i += 2) {
        const auto fid = static_cast<std::uint16_t>((command.data[i] << 8U) | command.data[i + 1]);
        const bool last = i + 2 == command.data.size();
        if (DedicatedFile* child = path.back()->dfByFid(fid)) {
            path.push_back(child);
        } else if (ElementaryFile* ef = last ? path.back()->efByFid(fid) : nullptr) {
            enter(std::move(path), false);
            currentEf_ = ef;
            return status(sw::kOk);
        } else {
            return status(sw::kFileNotFound);
        }
    }
    return selected(command, std::move(path));
}

ResponseApdu FileSystem::selected(const CommandApdu& command, std::vector<DedicatedFile*> path) {
    enter(std::move(path), true);
    currentEf_ = nullptr;
    DedicatedFile& df = currentDf();
    if ((command.p2 & kAnswerMask) == kAnswerNone) {
        return status(sw::kOk);
    }
    if (!df.fci.empty()) {
        return ResponseApdu{df.fci, sw::kOk};
    }
    Bytes fid{static_cast<std::uint8_t>(df.fid >> 8U), static_cast<std::uint8_t>(df.fid & 0xFFU)};
    auto fci = tlv::Tlv::constructedOf(0x6F, {df.aid.empty() ? tlv::Tlv::primitive(0x83, fid)
                                                             : tlv::Tlv::primitive(0x84, df.aid)});
    return ResponseApdu{fci.encode(), sw::kOk};
}

void FileSystem::enter(std::vector<DedicatedFile*> path, bool bySelect) {
    DedicatedFile* left = path_.back();
    DedicatedFile* entered = path.back();
    path_ = std::move(path);
    if (left != entered && left->applet) {
        left->applet->onDeselect();
    }
    // Entering an application, or selecting it again, starts a new session.
    if ((left != entered || bySelect) && entered->applet) {
        entered->applet->onSelect();
    }
}

ElementaryFile* FileSystem::efFor(std::uint8_t sfi) {
    if (sfi == 0) {
        return currentEf_;
    }
    ElementaryFile* ef = currentDf().efBySfi(sfi);
    if (ef != nullptr) {
        currentEf_ = ef;  // referencing by SFI also selects the EF (clause 7.2.2)
    }
    return ef;
}

ResponseApdu FileSystem::readBinary(const CommandApdu& command) {
    // P1 bit 8 set: bits 5-1 are an SFI and P2 the offset; else P1-P2 is a 15-bit offset.
    const bool bySfi = (command.p1 & 0x80U) != 0;
    if (bySfi && (command.p1 & 0x60U) != 0) {
        return status(sw::kIncorrectP1P2);  // P1 bits 7-6 are RFU when bit 8 is set
    }
    const std::uint8_t sfi = bySfi ? static_cast<std::uint8_t>(command.p1 & 0x1FU) : 0;
    const std::size_t offset =
        bySfi ? command.p2 : ((static_cast<std::size_t>(command.p1 & 0x7FU) << 8U) | command.p2);
    ElementaryFile* ef = efFor(sfi);
    if (ef == nullptr) {
        return status(bySfi ? sw::kFileNotFound : sw::kNoCurrentEf);
    }
    if (ef->recordBased) {
        return status(sw::kCommandIncompatible);
    }
    if (offset > ef->content.size()) {
        return status(sw::kWrongP1P2);
    }
    const std::size_t available = ef->content.size() - offset;
    const std::size_t wanted = command.le.value_or(apdu::kMaxShortLe);
    const std::size_t count = std::min(available, wanted);
    const auto first = ef->content.begin() + static_cast<std::ptrdiff_t>(offset);
    ResponseApdu response{Bytes(first, first + static_cast<std::ptrdiff_t>(count)), sw::kOk};
    const bool askedForAll = command.le == apdu::kMaxShortLe || command.le == apdu::kMaxExtendedLe;
    if (count < wanted && command.le && !askedForAll) {
        response.sw = sw::kEndOfFileReached;
    }
    return response;
}

ResponseApdu FileSystem::readRecord(const CommandApdu& command) {
    // P2 bits 8-4: SFI (0 = current EF); bits 3-1 = 100: record number in P1.
    const auto sfi = static_cast<std::uint8_t>(command.p2 >> 3U);
    if ((command.p2 & 0x07U) != 0x04 || command.p1 == 0) {
        return status(sw::kIncorrectP1P2);
    }
    ElementaryFile* ef = efFor(sfi);
    if (ef == nullptr) {
        return status(sfi != 0 ? sw::kFileNotFound : sw::kNoCurrentEf);
    }
    if (!ef->recordBased) {
        return status(sw::kCommandIncompatible);
    }
    if (command.p1 > ef->records.size()) {
        return status(sw::kRecordNotFound);
    }
    return ResponseApdu{ef->records[command.p1 - 1U], sw::kOk};
}

}  // namespace taplink::sim
