// Tap & Pay on the test bed: the TSM (taplink-server) personalises the chip's payment applet
// and taplinkd applies the job at once (chip.sync), for the browser bed and the benchmark.
#pragma once

#include <string>
#include <vector>

#include "topup_bed.hpp"

namespace taplink::testbed {

// The chip's serial as taplinkd reports it (device.info).
std::string chipSerial(const TopupBed& bed);

// `taplink-server tsm ACTION --chip-serial ... ARGUMENTS` (e.g. update-params --cvm 50.00,
// lock --applet payment), then chip.sync; throws unless the chip took every job.
void applyTsmJob(TopupBed& bed, const std::string& action,
                 const std::vector<std::string>& arguments = {});

// `taplink-server tsm personalise --chip-serial ... --applet payment` (with `--cvm` when
// cvmLimitYuan is not empty, e.g. "60.00"; the TSM's defaults otherwise), then chip.sync;
// throws unless the chip took every job.
void personalisePaymentApplet(TopupBed& bed, const std::string& cvmLimitYuan = "");

}  // namespace taplink::testbed
