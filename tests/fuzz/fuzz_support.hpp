// What every fuzz target shares (docs/fuzzing.md): libFuzzer's entry point and the check of
// an invariant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "taplink/base/bytes.hpp"

// Each target defines it; libFuzzer (the fuzz build) or replay_main.cpp (the others) calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace taplink::fuzz {

// A broken invariant is a finding: abort, so that libFuzzer keeps the input as a crash and a
// replay test fails. Not assert(): it must hold in every build type.
inline void require(bool holds, const char* invariant) {
    if (!holds) {
        std::fprintf(stderr, "fuzz: invariant broken: %s\n", invariant);
        std::abort();
    }
}

inline ByteView bytesOf(const std::uint8_t* data, std::size_t size) {
    return {data, size};
}

inline std::string_view textOf(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace taplink::fuzz
