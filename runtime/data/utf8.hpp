// UTF-8 helpers for the data pipeline: validation (with the offset of the first bad byte),
// Latin-1 -> UTF-8 conversion, and decoding/encoding single code points.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace axon::data {

/// Byte offset of the first byte that is not part of a well-formed UTF-8 sequence
/// (overlong forms, surrogates and code points above U+10FFFF are ill-formed), or npos.
std::size_t find_invalid_utf8(std::string_view bytes);

/// Each byte is the code point of the same value (ISO-8859-1).
std::string latin1_to_utf8(std::string_view bytes);

/// Decodes the code point starting at `bytes[pos]` and advances `pos` past it.
/// The input must be valid UTF-8 (check with find_invalid_utf8 first).
char32_t next_code_point(std::string_view bytes, std::size_t& pos);

/// Appends the UTF-8 form of `code_point` to `out`.
void append_utf8(std::string& out, char32_t code_point);

} // namespace axon::data
