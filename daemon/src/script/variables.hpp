// The values a script works on: named byte strings and unsigned integers. Inputs come from
// the daemon, steps add to them, and run() hands back the script's outputs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "taplink/base/bytes.hpp"

namespace taplink::script {

// A variable asked for that is not set, or not of the type asked for.
class VariableError : public std::logic_error {
  public:
    using std::logic_error::logic_error;
};

class Variables {
  public:
    using Value = std::variant<Bytes, std::uint64_t>;
    using Map = std::map<std::string, Value, std::less<>>;

    void set(std::string name, Value value);
    void setBytes(std::string name, Bytes value) { set(std::move(name), Value(std::move(value))); }
    void setInteger(std::string name, std::uint64_t value) { set(std::move(name), Value(value)); }

    bool contains(std::string_view name) const { return values_.find(name) != values_.end(); }
    // nullptr when not set.
    const Value* find(std::string_view name) const;

    // VariableError when not set or not of that type.
    const Bytes& bytes(std::string_view name) const;
    std::uint64_t integer(std::string_view name) const;

    std::size_t size() const { return values_.size(); }
    bool empty() const { return values_.empty(); }
    Map::const_iterator begin() const { return values_.begin(); }
    Map::const_iterator end() const { return values_.end(); }

    bool operator==(const Variables&) const = default;

  private:
    Map values_;
};

// True for a bytes value, false for an integer.
inline bool isBytes(const Variables::Value& value) {
    return std::holds_alternative<Bytes>(value);
}

}  // namespace taplink::script
