// UTF-8 validation, Latin-1 conversion and code point decoding (see utf8.hpp).
#include "runtime/data/utf8.hpp"

namespace axon::data {

std::size_t find_invalid_utf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char lead = s[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // Allowed ranges of the second byte per lead byte (Unicode Table 3-7).
    std::size_t length;
    unsigned char second_min = 0x80, second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF)
      length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0)
        second_min = 0xA0; // no overlong forms
      if (lead == 0xED)
        second_max = 0x9F; // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0)
        second_min = 0x90;
      if (lead == 0xF4)
        second_max = 0x8F; // nothing above U+10FFFF
    } else
      return i;
    if (i + length > n || s[i + 1] < second_min || s[i + 1] > second_max)
      return i;
    for (std::size_t k = 2; k < length; ++k)
      if ((s[i + k] & 0xC0) != 0x80)
        return i;
    i += length;
  }
  return std::string_view::npos;
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (char byte : bytes)
    append_utf8(out, static_cast<unsigned char>(byte));
  return out;
}

char32_t next_code_point(std::string_view bytes, std::size_t& pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  unsigned char lead = s[pos];
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  char32_t code_point = lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k)
    code_point = (code_point << 6) | (s[pos + k] & 0x3F);
  pos += length;
  return code_point;
}

void append_utf8(std::string& out, char32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

} // namespace axon::data
