#include "cards/profiles.hpp"

#include <stdexcept>

#include "apdu/tlv.hpp"
#include "applets/diag_applet.hpp"
#include "card/atr.hpp"

namespace taplink::sim {

namespace {

Bytes counting(std::size_t length, std::uint8_t start) {
    Bytes bytes(length);
    for (std::size_t i = 0; i < length; ++i) {
        bytes[i] = static_cast<std::uint8_t>((start + i) & 0xFFU);
    }
    return bytes;
}

// EF.DIR record (ISO/IEC 7816-4 clause 12.2.2): application template 61 { 4F AID, 50 label }.
Bytes dirRecord(const Bytes& aid, std::string_view label) {
    return tlv::Tlv::constructedOf(0x61,
                                   {tlv::Tlv::primitive(0x4F, aid),
                                    tlv::Tlv::primitive(0x50, Bytes(label.begin(), label.end()))})
        .encode();
}

DedicatedFile isoFiles() {
    DedicatedFile diagDf;
    diagDf.fid = 0x5000;
    diagDf.aid = diagAid();
    diagDf.applet = std::make_shared<DiagApplet>();
    diagDf.efs.push_back(ElementaryFile{0x0101, 0x01, false, counting(300, 0), {}});
    diagDf.efs.push_back(ElementaryFile{
        0x0102, 0x02, true, {}, {counting(23, 0x10), counting(23, 0x20), counting(23, 0x30)}});

    DedicatedFile mf;
    mf.efs.push_back(
        ElementaryFile{0x2F00, 0x1E, true, {}, {dirRecord(diagAid(), "TAPLINK DIAG")}});
    mf.efs.push_back(ElementaryFile{0x2F02, 0x02, false, counting(64, 0), {}});
    mf.dfs.push_back(std::move(diagDf));
    return mf;
}

}  // namespace

std::vector<std::string> profileNames() {
    return {"iso-t1", "iso-t0"};
}

std::shared_ptr<VirtualCard> makeCard(std::string_view profile) {
    if (profile == "iso-t1") {
        return std::make_shared<VirtualCard>(
            std::string(profile), atrT1(historicalBytes("TAPLINK-T1")), isoFiles(), false);
    }
    if (profile == "iso-t0") {
        return std::make_shared<VirtualCard>(
            std::string(profile), atrT0(historicalBytes("TAPLINK-T0")), isoFiles(), true);
    }
    throw std::invalid_argument("unknown card profile '" + std::string(profile) + "'");
}

}  // namespace taplink::sim
