// Reading tests/unit/vectors/scp03_vectors.json (written by make_scp03_vectors.py).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "taplink/base/bytes.hpp"
#include "taplink/gp/gp_error.hpp"

namespace taplink::gp::test {

inline nlohmann::json loadScp03Vectors() {
    std::ifstream in(std::string(TAPLINK_SOURCE_DIR) + "/tests/unit/vectors/scp03_vectors.json");
    if (!in) {
        throw std::runtime_error("cannot open scp03_vectors.json");
    }
    return nlohmann::json::parse(in);
}

inline Bytes hexField(const nlohmann::json& object, const char* name) {
    return fromHex(object.at(name).get<std::string>());
}

// The code of the GpError `action` throws; a test failure when it throws none.
inline GpErrorCode codeOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const GpError& error) {
        return error.code();
    }
    ADD_FAILURE() << "no GpError thrown";
    return GpErrorCode::NotOpen;
}

}  // namespace taplink::gp::test
