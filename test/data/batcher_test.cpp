// Batcher: dynamic padding, per-epoch reshuffle, cursor save/restore replaying the exact
// batch sequence; the msgpack token cache round trip and its refusal of bad files.
#include "runtime/data/batcher.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

using namespace axon;
using namespace axon::data;

namespace {

/// Example i has i % 7 + 3 tokens (ids 1000 + i), label i % 3, token types 0 then 1.
std::vector<tokenized_example> examples(std::size_t count) {
  std::vector<tokenized_example> out;
  for (std::size_t i = 0; i < count; ++i) {
    tokenized_example example;
    const std::size_t length = i % 7 + 3;
    example.ids.assign(length, static_cast<std::int32_t>(1000 + i));
    example.token_types.assign(length, 0);
    example.token_types.back() = 1;
    example.label = static_cast<std::int32_t>(i % 3);
    out.push_back(std::move(example));
  }
  return out;
}

/// The batch as plain vectors: ids row by row, then the labels.
std::vector<std::int32_t> flatten(const batch& b) {
  std::vector<std::int32_t> out(b.ids.data<std::int32_t>(),
                                b.ids.data<std::int32_t>() + b.ids.numel());
  out.insert(out.end(), b.labels.data<std::int32_t>(),
             b.labels.data<std::int32_t>() + b.labels.numel());
  return out;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("axon_batcher_test_" + name)).string();
}

} // namespace

BOOST_AUTO_TEST_SUITE(batcher_suite)

BOOST_AUTO_TEST_CASE(dynamic_padding_and_masks) {
  batcher_options options;
  options.batch_size = 4;
  options.shuffle = false;
  options.pad_id = 0;
  batcher b(examples(10), options);
  BOOST_TEST(b.batches_per_epoch() == 3u);
  auto first = b.next();
  // Rows 0..3 have 3..6 tokens: T = 6.
  BOOST_TEST(first.ids.sizes() == (shape{4, 6}));
  BOOST_TEST((first.ids.type() == dtype::i32));
  BOOST_TEST(first.labels.sizes() == (shape{4}));
  const auto* ids = first.ids.data<std::int32_t>();
  const auto* mask = first.attention_mask.data<std::int32_t>();
  const auto* types = first.token_types.data<std::int32_t>();
  BOOST_TEST(ids[0] == 1000);
  BOOST_TEST(ids[3] == 0);  // row 0 padded after 3 tokens
  BOOST_TEST(mask[2] == 1);
  BOOST_TEST(mask[3] == 0);
  BOOST_TEST(types[2] == 1);
  BOOST_TEST(types[3] == 0);
  BOOST_TEST(first.labels.data<std::int32_t>()[2] == 2);
  b.next();
  auto last = b.next(); // rows 8, 9: the smaller last batch
  BOOST_TEST(last.ids.sizes() == (shape{2, 5}));
  BOOST_TEST(b.next().epoch == 1u);
}

BOOST_AUTO_TEST_CASE(reshuffles_each_epoch_and_covers_all) {
  batcher_options options;
  options.batch_size = 5;
  options.seed = 11;
  batcher b(examples(20), options);
  std::vector<std::int32_t> epoch0, epoch1;
  for (int i = 0; i < 4; ++i) {
    auto batch = b.next();
    for (std::int64_t r = 0; r < batch.ids.size(0); ++r)
      epoch0.push_back(batch.ids.data<std::int32_t>()[r * batch.ids.size(1)]);
  }
  for (int i = 0; i < 4; ++i) {
    auto batch = b.next();
    BOOST_TEST(batch.epoch == 1u);
    for (std::int64_t r = 0; r < batch.ids.size(0); ++r)
      epoch1.push_back(batch.ids.data<std::int32_t>()[r * batch.ids.size(1)]);
  }
  BOOST_TEST(epoch0 != epoch1);
  BOOST_TEST(std::set<std::int32_t>(epoch0.begin(), epoch0.end()).size() == 20u);
  BOOST_TEST(std::set<std::int32_t>(epoch1.begin(), epoch1.end()).size() == 20u);
}

BOOST_AUTO_TEST_CASE(cursor_restore_replays_the_same_batches) {
  batcher_options options;
  options.batch_size = 3;
  options.seed = 5;
  batcher original(examples(10), options);
  for (int i = 0; i < 5; ++i) // into the second epoch (4 batches per epoch)
    original.next();
  const batcher_cursor saved = original.cursor();
  BOOST_TEST(saved.epoch == 1u);
  std::vector<std::vector<std::int32_t>> expected;
  for (int i = 0; i < 9; ++i)
    expected.push_back(flatten(original.next()));

  batcher resumed(examples(10), options); // a fresh process
  resumed.restore(saved);
  for (int i = 0; i < 9; ++i)
    BOOST_TEST(flatten(resumed.next()) == expected[i]);
  BOOST_TEST((resumed.cursor() == original.cursor()));
  BOOST_CHECK_THROW(resumed.restore({0, 11, 5}), data_error);
}

BOOST_AUTO_TEST_CASE(drop_last) {
  batcher_options options;
  options.batch_size = 4;
  options.drop_last = true;
  batcher b(examples(10), options);
  BOOST_TEST(b.batches_per_epoch() == 2u);
  b.next();
  b.next();
  auto next_epoch = b.next();
  BOOST_TEST(next_epoch.epoch == 1u);
  BOOST_TEST(next_epoch.ids.size(0) == 4);
}

BOOST_AUTO_TEST_CASE(tokenize_dataset_keeps_labels_and_truncates) {
  wordpiece_tokenizer tokenizer(
    vocabulary::from_tokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "profit", "rose", "."}, "test"),
    true);
  labelled_dataset data;
  data.texts = {"Profit rose.", "profit profit profit profit"};
  data.labels = {2, 0};
  data.label_names = {"negative", "neutral", "positive"};
  auto tokenized = tokenize_dataset(tokenizer, data, 4);
  BOOST_TEST(tokenized[0].ids == (std::vector<std::int32_t>{2, 4, 5, 3}));
  BOOST_TEST(tokenized[0].label == 2);
  BOOST_TEST(tokenized[1].ids == (std::vector<std::int32_t>{2, 4, 4, 3}));
  BOOST_TEST(tokenized[1].token_types == (std::vector<std::int32_t>(4, 0)));
}

BOOST_AUTO_TEST_CASE(token_cache_round_trip_and_refusals) {
  const auto file = temp_path("cache.msgpack");
  const auto written = examples(6);
  write_token_cache(file, "vocab=abc max_len=128", written);
  auto read = read_token_cache(file, "vocab=abc max_len=128");
  BOOST_REQUIRE(read.size() == written.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    BOOST_TEST(read[i].ids == written[i].ids);
    BOOST_TEST(read[i].token_types == written[i].token_types);
    BOOST_TEST(read[i].label == written[i].label);
  }
  BOOST_CHECK_THROW(read_token_cache(file, "vocab=other"), data_error); // stale

  // Truncated and garbage files are refused with a data_error, never a crash.
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto broken = temp_path("broken.msgpack");
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    std::ofstream(broken, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(cut));
    BOOST_CHECK_THROW(read_token_cache(broken, "vocab=abc max_len=128"), data_error);
  }
  // A header claiming 2^32-1 array entries in a 6-byte file.
  std::ofstream(broken, std::ios::binary) << std::string("\xdd\xff\xff\xff\xff\xc0", 6);
  BOOST_CHECK_THROW(read_token_cache(broken, "x"), data_error);
  std::ofstream(broken, std::ios::binary) << "not msgpack at all";
  BOOST_CHECK_THROW(read_token_cache(broken, "x"), data_error);
  BOOST_CHECK_EXCEPTION(read_token_cache(std::filesystem::temp_directory_path().string(), "x"),
                        data_error, [](const data_error& e) {
                          return std::string{e.what()}.find("is a directory") != std::string::npos;
                        });
  std::remove(file.c_str());
  std::remove(broken.c_str());
}

BOOST_AUTO_TEST_SUITE_END()
