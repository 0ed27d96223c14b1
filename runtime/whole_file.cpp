#include "runtime/whole_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <ios>
#include <iterator>
#include <system_error>

namespace axon {

file_bytes read_whole_file(const std::filesystem::path& file, std::uintmax_t limit) {
  file_bytes out;
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    out.error = "is a directory, expected a file";
    return out;
  }
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    out.error = std::string{"cannot open it ("} + std::strerror(errno) + ")";
    return out;
  }
  // The size first where the file has one (not a pipe): a limit is checked before reading.
  if (const auto size = std::filesystem::file_size(file, ec); !ec && size > limit) {
    out.error = "is " + std::to_string(size) + " bytes, more than the "
                + std::to_string(limit) + " a valid one can have";
    return out;
  }
  try { // libstdc++'s filebuf throws on a failed read(2) instead of setting badbit
    out.bytes.assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
  } catch (const std::ios_base::failure&) {
    in.setstate(std::ios::badbit);
  }
  if (in.bad()) {
    out.error = std::string{"cannot read it ("} + std::strerror(errno) + ")";
    out.bytes.clear();
  } else if (out.bytes.size() > limit) { // grew while read, or had no size
    out.error = "holds more than the " + std::to_string(limit)
                + " bytes a valid one can have";
    out.bytes.clear();
  }
  return out;
}

} // namespace axon
