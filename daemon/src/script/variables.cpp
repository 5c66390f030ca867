#include "script/variables.hpp"

#include <utility>

namespace taplink::script {

void Variables::set(std::string name, Value value) {
    values_.insert_or_assign(std::move(name), std::move(value));
}

const Variables::Value* Variables::find(std::string_view name) const {
    const auto found = values_.find(name);
    return found == values_.end() ? nullptr : &found->second;
}

const Bytes& Variables::bytes(std::string_view name) const {
    const Value* value = find(name);
    if (value == nullptr) {
        throw VariableError("variable " + std::string(name) + " is not set");
    }
    if (!isBytes(*value)) {
        throw VariableError("variable " + std::string(name) + " is an integer, not bytes");
    }
    return std::get<Bytes>(*value);
}

std::uint64_t Variables::integer(std::string_view name) const {
    const Value* value = find(name);
    if (value == nullptr) {
        throw VariableError("variable " + std::string(name) + " is not set");
    }
    if (isBytes(*value)) {
        throw VariableError("variable " + std::string(name) + " is bytes, not an integer");
    }
    return std::get<std::uint64_t>(*value);
}

}  // namespace taplink::script
