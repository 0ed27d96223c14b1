// CSV writing helpers (see csv_writer.hpp).
#include "runtime/data/csv_writer.hpp"

namespace axon::data {

std::string csv_quoted(const std::string& field) {
  std::string out = "\"";
  for (char c : field)
    out += c == '"' ? std::string{"\"\""} : std::string{c};
  return out + "\"";
}

file_set::~file_set() {
  std::error_code ignored;
  for (const auto& [temporary, final_path] : written_)
    std::filesystem::remove(temporary, ignored);
}

void file_set::commit() {
  for (auto& [temporary, final_path] : written_) {
    std::error_code ec;
    std::filesystem::rename(temporary, final_path, ec);
    if (ec)
      throw data_error(final_path.string() + ": cannot rename into place (" + ec.message() + ")");
    temporary.clear();
  }
  written_.clear();
}

} // namespace axon::data
