// CSV writing helpers (see csv_writer.hpp).
#include "runtime/data/csv_writer.hpp"

namespace axon::data {

std::string csv_quoted(const std::string& field) {
  std::string out = "\"";
  for (char c : field)
    out += c == '"' ? std::string{"\"\""} : std::string{c};
  return out + "\"";
}

void write_labelled_csv(std::ostream& out, const labelled_dataset& data) {
  out << "text,label\n";
  for (std::size_t row = 0; row < data.texts.size(); ++row)
    out << csv_quoted(data.texts[row]) << ','
        << csv_quoted(data.label_names.at(static_cast<std::size_t>(data.labels[row]))) << '\n';
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

void create_output_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw data_error(dir.string() + ": cannot create the directory (" + ec.message() + ")");
}

} // namespace axon::data
