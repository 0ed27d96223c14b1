// Writing the CSV files Axon's readers read back: fields quoted RFC 4180 style, files
// written to a temporary name first so that a failed write leaves no half file behind.
#pragma once

#include "runtime/data/labelled_data.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace axon::data {

/// `field` in double quotes, each quote doubled.
std::string csv_quoted(const std::string& field);

/// `text,label` and one row per example, label names as text: the CSV that
/// `axon data split` and a run's splits/ folder hold, read back by read_csv.
void write_labelled_csv(std::ostream& out, const labelled_dataset& data);

/// Writes `file`'s rows through `write_rows(std::ostream&)` into FILE.tmp and returns that
/// path, to be renamed once every file of a set is written. Throws data_error naming
/// `file` when it cannot be created or written (the temporary is removed).
template <class WriteRows>
std::string write_temporary(const std::filesystem::path& file, WriteRows write_rows) {
  auto temporary = file.string() + ".tmp";
  std::ofstream out(temporary, std::ios::binary);
  if (!out)
    throw data_error(file.string() + ": cannot create file");
  write_rows(out);
  if (!out.flush()) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw data_error(file.string() + ": write error");
  }
  return temporary;
}

/// Files that appear together or not at all: each is written to a temporary name, commit()
/// renames them all into place, and a set destroyed before commit() removes what it wrote.
class file_set {
public:
  file_set() = default;
  file_set(const file_set&) = delete;
  file_set& operator=(const file_set&) = delete;
  ~file_set();

  template <class WriteRows>
  void write(const std::filesystem::path& file, WriteRows write_rows) {
    written_.emplace_back(write_temporary(file, write_rows), file);
  }
  /// Throws data_error naming a file that cannot be renamed into place.
  void commit();

private:
  std::vector<std::pair<std::string, std::filesystem::path>> written_; // temporary, final
};

/// Creates `dir` (and its parents); throws data_error naming it when it cannot.
void create_output_dir(const std::filesystem::path& dir);

/// A generated data set's splits (`data.train`, `.dev`, `.test`) as DIR/train.csv, dev.csv
/// and test.csv in `files`: the `header` line, then `write_row(out, row)` for each row.
template <class Splits, class WriteRow>
void write_split_csvs(file_set& files, const std::filesystem::path& dir, const char* header,
                      const Splits& data, WriteRow write_row) {
  for (const auto& [name, rows] : {std::pair{"train.csv", &data.train},
                                   std::pair{"dev.csv", &data.dev},
                                   std::pair{"test.csv", &data.test}})
    files.write(dir / name, [&](std::ostream& out) {
      out << header << '\n';
      for (const auto& row : *rows)
        write_row(out, row);
    });
}

} // namespace axon::data
