// safetensors: round trip, and damaged files refused with a message naming the problem.
#include "runtime/safetensors.hpp"
#include "test/support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

using namespace axon;
using axon::test::temp_dir;
namespace fs = std::filesystem;

namespace {


void expect_refused(const std::string& file, const std::string& fragment) {
  try {
    read_safetensors(file);
    BOOST_FAIL("expected " + file + " to be refused");
  } catch (const std::runtime_error& e) {
    BOOST_TEST_INFO(e.what());
    BOOST_TEST(std::string{e.what()}.find(fragment) != std::string::npos);
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(safetensors_round_trip_and_damage) {
  temp_dir dir;
  auto w = tensor::full({3, 2}, 0.25f);
  auto ids = tensor::zeros({4}, dtype::i32);
  ids.data<std::int32_t>()[3] = -7;
  auto file = (dir.path / "a.safetensors").string();
  write_safetensors(file, {{"w", w}, {"ids", ids}}, {{"step", "12"}});
  BOOST_TEST(!fs::exists(file + ".tmp"));
  auto back = read_safetensors(file);
  BOOST_TEST(back.metadata.at("step") == "12");
  BOOST_TEST(back.at("w").sizes() == (shape{3, 2}));
  BOOST_TEST(back.at("w").data<float>()[5] == 0.25f);
  BOOST_TEST(back.at("ids").data<std::int32_t>()[3] == -7);
  BOOST_CHECK_THROW(back.at("nope"), std::out_of_range);

  // Truncated: drop the last 4 bytes.
  auto size = fs::file_size(file);
  fs::copy_file(file, dir.path / "short.safetensors");
  fs::resize_file(dir.path / "short.safetensors", size - 4);
  expect_refused((dir.path / "short.safetensors").string(), "outside");

  // A header length pointing past the end.
  {
    std::ofstream out{dir.path / "huge.safetensors", std::ios::binary};
    unsigned char len[8] = {0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0};
    out.write(reinterpret_cast<char*>(len), 8);
    out << "{}";
  }
  expect_refused((dir.path / "huge.safetensors").string(), "header length");
  expect_refused((dir.path / "missing.safetensors").string(), "cannot open");
  expect_refused(dir.path.string(), "is a directory, expected a file");

  // No tensors: the header is {} (it used to be written as null, which reading refused).
  write_safetensors((dir.path / "none.safetensors").string(), {});
  BOOST_TEST(read_safetensors((dir.path / "none.safetensors").string()).tensors.empty());
}
