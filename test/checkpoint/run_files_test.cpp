// The run directory's config.ini, labels.txt and vocab.txt under each checkpoint's manifest
// (runtime/checkpoint/run_files.hpp): recorded by save_checkpoint, accepted unchanged,
// refused once changed or removed, and absent (accepted) in older manifests.
#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/checkpoint/durable_files.hpp"
#include "runtime/checkpoint/run_files.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <unistd.h>

using namespace axon;
using namespace axon::checkpoint;
namespace fs = std::filesystem;

namespace {

struct run_with_files {
  fs::path dir = fs::temp_directory_path() / ("axon_run_files_" + std::to_string(::getpid()));
  loaded_checkpoint saved;
  run_with_files() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream{dir / "labels.txt"} << "negative\nneutral\npositive\n";
    std::ofstream{dir / "vocab.txt"} << "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n";
    param_arena params{{{"classifier.bias", {3}, false}}};
    auto moments = params.like();
    manifest info;
    info.step = 5;
    const auto folder = save_checkpoint(dir, info, params, moments, moments);
    saved = load_checkpoint(folder);
  }
  ~run_with_files() { fs::remove_all(dir); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(run_files)

BOOST_FIXTURE_TEST_CASE(save_records_the_run_files_that_exist, run_with_files) {
  const auto& files = saved.info.run_files;
  BOOST_REQUIRE(files.size() == 2u); // no config.ini in this run directory
  BOOST_TEST(files[0].name == "labels.txt");
  BOOST_TEST(files[0].bytes == 26u);
  BOOST_TEST(files[1].name == "vocab.txt");
  BOOST_CHECK_NO_THROW(verify_run_files(dir, saved.info, saved.folder));
}

BOOST_FIXTURE_TEST_CASE(a_permuted_or_removed_run_file_is_refused, run_with_files) {
  std::ofstream{dir / "labels.txt"} << "positive\nneutral\nnegative\n"; // same size
  try {
    verify_run_files(dir, saved.info, saved.folder);
    BOOST_FAIL("a permuted labels.txt was accepted");
  } catch (const checkpoint_error& e) {
    BOOST_TEST(std::string{e.what()}.find("labels.txt has changed") != std::string::npos);
  }
  std::ofstream{dir / "labels.txt"} << "negative\nneutral\npositive\n";
  BOOST_CHECK_NO_THROW(verify_run_files(dir, saved.info, saved.folder));
  fs::remove(dir / "vocab.txt");
  BOOST_CHECK_THROW(verify_run_files(dir, saved.info, saved.folder), checkpoint_error);
}

// A manifest written before run_files existed: the same map without its last key.
BOOST_FIXTURE_TEST_CASE(a_manifest_from_before_run_files_decodes_and_passes, run_with_files) {
  auto info = saved.info;
  info.run_files.clear();
  const auto bytes = encode_manifest(info);
  auto body = bytes.substr(0, bytes.size() - 66); // the trailer: str8 of 64 hex digits
  const std::string last_key = "\xa9run_files\x90"; // "run_files": []
  BOOST_REQUIRE(body.ends_with(last_key));
  BOOST_REQUIRE(body[0] == '\x8c'); // a map of 12 keys
  body.resize(body.size() - last_key.size());
  body[0] = '\x8b';
  const auto older = decode_manifest(body + "\xd9\x40" + sha256_hex(body), "older");
  BOOST_TEST(older.run_files.empty());
  BOOST_TEST(older.step == 5);
  fs::remove(dir / "labels.txt");
  BOOST_CHECK_NO_THROW(verify_run_files(dir, older, saved.folder));
}

BOOST_AUTO_TEST_SUITE_END()
