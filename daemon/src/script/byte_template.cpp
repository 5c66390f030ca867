#include "script/byte_template.hpp"

#include <cctype>
#include <stdexcept>

#include "script/json_reader.hpp"
#include "script/script_error.hpp"

namespace taplink::script {

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isHexDigit(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// "name:encoding" between the braces.
TemplatePart parseReference(std::string_view reference) {
    const auto colon = reference.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        throw std::invalid_argument("{" + std::string(reference) +
                                    "}: a reference is {variable:encoding}");
    }
    TemplatePart part;
    part.variable = std::string(reference.substr(0, colon));
    const std::string_view encoding = reference.substr(colon + 1);
    if (encoding == "hex") {
        part.kind = TemplatePart::Kind::Bytes;
        return part;
    }
    part.kind = TemplatePart::Kind::Integer;
    if (encoding == "u8") {
        part.width = 1;
    } else if (encoding == "u16") {
        part.width = 2;
    } else if (encoding == "u24") {
        part.width = 3;
    } else if (encoding == "u32") {
        part.width = 4;
    } else if (encoding == "u64") {
        part.width = 8;
    } else {
        throw std::invalid_argument("{" + std::string(reference) + "}: unknown encoding \"" +
                                    std::string(encoding) + "\" (u8, u16, u24, u32, u64, hex)");
    }
    return part;
}

void flushLiteral(ByteTemplate& out, std::string& digits) {
    if (digits.empty()) {
        return;
    }
    const auto bytes = strictHex(digits);
    if (!bytes) {
        throw std::invalid_argument("odd number of hex digits in \"" + digits + "\"");
    }
    out.parts.push_back(TemplatePart{TemplatePart::Kind::Literal, *bytes, {}, 0});
    digits.clear();
}

}  // namespace

std::optional<Bytes> ByteTemplate::literal() const {
    Bytes out;
    for (const TemplatePart& part : parts) {
        if (part.kind != TemplatePart::Kind::Literal) {
            return std::nullopt;
        }
        out.insert(out.end(), part.literal.begin(), part.literal.end());
    }
    return out;
}

ByteTemplate parseByteTemplate(std::string_view source) {
    ByteTemplate out;
    out.source = std::string(source);
    std::string digits;
    for (std::size_t i = 0; i < source.size(); ++i) {
        const char c = source[i];
        if (isSpace(c)) {
            continue;
        }
        if (isHexDigit(c)) {
            digits.push_back(c);
            continue;
        }
        if (c != '{') {
            throw std::invalid_argument(std::string("unexpected character '") + c + "'");
        }
        flushLiteral(out, digits);
        const auto close = source.find('}', i);
        if (close == std::string_view::npos) {
            throw std::invalid_argument("a { without its }");
        }
        out.parts.push_back(parseReference(source.substr(i + 1, close - i - 1)));
        i = close;
    }
    flushLiteral(out, digits);
    return out;
}

bool appendInteger(Bytes& out, std::uint64_t value, std::size_t width) {
    if (width < 8 && (value >> (8 * width)) != 0) {
        return false;
    }
    for (std::size_t i = width; i > 0; --i) {
        out.push_back(static_cast<std::uint8_t>((value >> (8 * (i - 1))) & 0xFFU));
    }
    return true;
}

Bytes renderByteTemplate(const ByteTemplate& byteTemplate, const Variables& variables,
                         const std::string& step) {
    Bytes out;
    for (const TemplatePart& part : byteTemplate.parts) {
        if (part.kind == TemplatePart::Kind::Literal) {
            out.insert(out.end(), part.literal.begin(), part.literal.end());
            continue;
        }
        const Variables::Value* value = variables.find(part.variable);
        if (value == nullptr) {
            throw ScriptError(ErrorCode::ValueInvalid, step,
                              "variable " + part.variable + " is not set");
        }
        if (part.kind == TemplatePart::Kind::Bytes) {
            if (!isBytes(*value)) {
                throw ScriptError(ErrorCode::ValueInvalid, step,
                                  "variable " + part.variable + " is not bytes");
            }
            const Bytes& bytes = std::get<Bytes>(*value);
            out.insert(out.end(), bytes.begin(), bytes.end());
            continue;
        }
        if (isBytes(*value) || !appendInteger(out, std::get<std::uint64_t>(*value), part.width)) {
            throw ScriptError(ErrorCode::ValueInvalid, step,
                              "variable " + part.variable + " does not fit in " +
                                  std::to_string(part.width) + " byte(s)");
        }
    }
    return out;
}

}  // namespace taplink::script
