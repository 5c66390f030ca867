// What the EMV kernel's tests share: a check of the error code, and a channel that answers
// from a script for the cases taplink-sim's cards never produce (a broken card).
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <utility>
#include <vector>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/emv/emv_error.hpp"

namespace taplink::emv::test {

// Runs action and expects EmvError with code; returns its message for further checks.
inline std::string expectEmvError(EmvErrorCode code, const std::function<void()>& action) {
    try {
        action();
    } catch (const EmvError& error) {
        EXPECT_EQ(codeName(error.code()), std::string(codeName(code))) << error.what();
        return error.what();
    }
    ADD_FAILURE() << "no EmvError; expected " << codeName(code);
    return {};
}

// Answers each command with the next queued answer and records what it was sent. Only for
// misbehaviour the simulated cards cannot be made to show.
class ScriptedChannel : public apdu::ApduChannel {
  public:
    explicit ScriptedChannel(std::vector<apdu::ResponseApdu> answers)
        : answers_(answers.begin(), answers.end()) {}

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        sent.push_back(command);
        if (answers_.empty()) {
            ADD_FAILURE() << "more commands than scripted answers";
            return apdu::ResponseApdu{{}, 0x6F00};
        }
        apdu::ResponseApdu next = std::move(answers_.front());
        answers_.pop_front();
        return next;
    }

    std::vector<apdu::CommandApdu> sent;

  private:
    std::deque<apdu::ResponseApdu> answers_;
};

}  // namespace taplink::emv::test
