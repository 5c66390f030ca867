#include "taplink/base/utc_timestamp.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>

namespace taplink {

namespace {

constexpr std::string_view kPattern = "dddd-dd-ddTdd:dd:ddZ";  // RFC 3339 5.6, UTC

bool matchesPattern(std::string_view text) {
    if (text.size() != kPattern.size()) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        if (kPattern[i] == 'd' ? !digit : text[i] != kPattern[i]) {
            return false;
        }
    }
    return true;
}

// The decimal number of text[offset, offset + count): digits only, checked by the caller.
int number(std::string_view text, std::size_t offset, std::size_t count) {
    int value = 0;
    for (std::size_t i = offset; i < offset + count; ++i) {
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

}  // namespace

std::optional<std::int64_t> parseUtcTimestamp(std::string_view text) {
    if (!matchesPattern(text)) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{
        std::chrono::year{number(text, 0, 4)},
        std::chrono::month{static_cast<unsigned>(number(text, 5, 2))},
        std::chrono::day{static_cast<unsigned>(number(text, 8, 2))}};
    const int hour = number(text, 11, 2);
    const int minute = number(text, 14, 2);
    const int second = number(text, 17, 2);
    if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    const auto days = std::chrono::sys_days(date).time_since_epoch();
    return std::chrono::duration_cast<std::chrono::seconds>(days).count() +
           std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second;
}

std::string formatUtcTimestamp(std::int64_t unixSeconds) {
    const std::chrono::sys_seconds when{std::chrono::seconds{unixSeconds}};
    const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(when);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss time{when - day};
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%04d-%02u-%02uT%02d:%02d:%02dZ",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return text.data();
}

}  // namespace taplink
