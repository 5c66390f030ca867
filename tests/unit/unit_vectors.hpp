// Reading a known-answer file of tests/unit/vectors/ (each written by its make_*.py script).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "taplink/base/bytes.hpp"

namespace taplink::test {

inline nlohmann::json loadUnitVectors(const std::string& fileName) {
    const std::string path = std::string(TAPLINK_SOURCE_DIR) + "/tests/unit/vectors/" + fileName;
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot open " + path);
    }
    return nlohmann::json::parse(in);
}

inline std::string textField(const nlohmann::json& object, const char* name) {
    return object.at(name).get<std::string>();
}

inline Bytes hexField(const nlohmann::json& object, const char* name) {
    return fromHex(textField(object, name));
}

// The code of the Error `action` throws; a test failure (and `none`) when it throws none.
template <class Error, class Code>
Code errorCodeOf(const std::function<void()>& action, Code none) {
    try {
        action();
    } catch (const Error& error) {
        return error.code();
    }
    ADD_FAILURE() << "no error thrown";
    return none;
}

}  // namespace taplink::test
