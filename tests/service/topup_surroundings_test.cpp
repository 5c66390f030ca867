// Failures of the parts around the card that docs/api.md ("Errors") names apart: the chip
// leaving, a card no script loads, pcscd down, a reader that is not there. Each answers at
// once with its own code, not after the card wait with timeout or as the card's fault.
#include <gtest/gtest.h>

#include "cards/profiles.hpp"
#include "service_bed.hpp"

namespace taplink::service::testing {
namespace {

using api::ErrorCode;

class TopupSurroundings : public ::testing::Test {
  protected:
    TopupSurroundings() { bed.addOrder("ORD-1"); }

    ServiceError runErrorOn(const std::string& reader) {
        try {
            bed.service.run(
                "ORD-1", reader, [](const std::string&) {}, [] { return false; });
        } catch (const ServiceError& error) {
            return error;
        }
        throw std::logic_error("the top-up did not fail");
    }

    ServiceBed bed{ServiceBed::Options{.cardWait = std::chrono::seconds(1)}};
};

TEST_F(TopupSurroundings, AChipPulledMidRunIsChipUnavailable) {
    bed.insertCard();
    bed.port.beforeCommand(ServiceBed::kChipReader, chip_command::kSelectLoadSam,
                           [this] { bed.port.remove(ServiceBed::kChipReader); });
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::ChipUnavailable);
}

TEST_F(TopupSurroundings, ACardOfNoSupportedSchemeIsUnsupportedCard) {
    bed.port.insert(ServiceBed::kCardReader, sim::makeCard("iso-t1"));
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::UnsupportedCard);
}

TEST_F(TopupSurroundings, PcscdDownIsPcscUnavailable) {
    bed.insertCard();
    bed.port.setServiceDown(true);
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::PcscUnavailable);
}

TEST_F(TopupSurroundings, AReaderThatDoesNotExistIsNoReader) {
    bed.insertCard();
    EXPECT_EQ(runErrorOn("No Such Reader").code(), ErrorCode::NoReader);
}

TEST_F(TopupSurroundings, TheChipsReaderIsNoCardReader) {
    bed.insertCard();
    EXPECT_EQ(runErrorOn(ServiceBed::kChipReader).code(), ErrorCode::InvalidParams);
}

}  // namespace
}  // namespace taplink::service::testing
