// read_whole_file: every byte of a file, or a reason in words (a directory, a missing file,
// a file over the caller's limit), never an exception from the standard library.
#include "runtime/whole_file.hpp"
#include "test/support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

using namespace axon;
using axon::test::temp_dir;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(whole_file)

BOOST_AUTO_TEST_CASE(reads_every_byte_up_to_the_limit) {
  temp_dir dir;
  const std::string bytes{"a\0b\r\n\xff", 6};
  std::ofstream(dir.path / "f", std::ios::binary) << bytes;
  auto read = read_whole_file(dir.path / "f");
  BOOST_TEST(read.error.empty(), read.error);
  BOOST_TEST(read.bytes == bytes);
  read = read_whole_file(dir.path / "f", 6);
  BOOST_TEST(read.error.empty(), read.error);
  std::ofstream(dir.path / "empty", std::ios::binary).flush();
  read = read_whole_file(dir.path / "empty");
  BOOST_TEST((read.error.empty() && read.bytes.empty()));
}

BOOST_AUTO_TEST_CASE(refuses_with_a_reason) {
  temp_dir dir;
  std::ofstream(dir.path / "f", std::ios::binary) << "seven b";
  auto over = read_whole_file(dir.path / "f", 6);
  BOOST_TEST(over.error == "is 7 bytes, more than the 6 a valid one can have");
  BOOST_TEST(over.bytes.empty());
  BOOST_TEST(read_whole_file(dir.path).error == "is a directory, expected a file");
  BOOST_TEST(read_whole_file(dir.path / "missing").error
             == "cannot open it (No such file or directory)");
  // A pipe has no size: the limit holds while reading.
  BOOST_TEST(read_whole_file("/proc/self/status", 4).error.find("holds more than the 4 bytes")
             == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
