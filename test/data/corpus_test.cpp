// Pretraining data: the corpus reader (lines and paragraphs, folders, gzip, Latin-1, dedup,
// held-out slice, seek; errors naming the file and line), BERT's masking statistics on a
// fixed seed, and the MLM stream's packing and exact restore from a cursor.
#include "runtime/data/mlm_stream.hpp"
#include "runtime/data/vocab_builder.hpp"
#include "test/data/error_of.hpp"
#include "test/support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace axon;
using namespace axon::data;
namespace fs = std::filesystem;

namespace {

struct corpus_dir : test::temp_dir {
  corpus_dir() : temp_dir("axon_corpus_test") {}

  std::string write(const std::string& name, const std::string& bytes) const {
    auto file = path / name;
    fs::create_directories(file.parent_path());
    std::ofstream{file, std::ios::binary} << bytes;
    return file.string();
  }
  std::string write_gz(const std::string& name, const std::string& bytes) const {
    auto file = (path / name).string();
    gzFile gz = gzopen(file.c_str(), "wb");
    gzwrite(gz, bytes.data(), unsigned(bytes.size()));
    gzclose(gz);
    return file;
  }
};

std::vector<std::string> all_texts(corpus_reader& reader) {
  std::vector<std::string> texts;
  while (auto doc = reader.next())
    texts.push_back(doc->text);
  return texts;
}

std::vector<std::string> read_all(corpus_options options) {
  corpus_reader reader{std::move(options)};
  return all_texts(reader);
}

// Sentences with some repetition, so that a small vocabulary has words and pieces.
std::string sentences(int n) {
  static const char* words[] = {"profit", "rose", "sharply", "loss", "widened", "the",
                                "company", "sales", "fell", "quarter", "shares", "market"};
  std::string text;
  for (int i = 0; i < n; ++i) {
    for (int w = 0; w < 6 + i % 5; ++w)
      text += std::string(words[(i * 7 + w * 3) % 12]) + (w % 4 == 3 ? "s " : " ");
    text += ".\n";
  }
  return text;
}

std::shared_ptr<const wordpiece_tokenizer> tokenizer_for(const std::string& text) {
  vocab_builder_options options;
  options.vocab_size = 120;
  return std::make_shared<const wordpiece_tokenizer>(build_wordpiece_vocab({text}, options), true);
}

} // namespace

BOOST_AUTO_TEST_SUITE(corpus)

BOOST_AUTO_TEST_CASE(lines_paragraphs_folders_and_gzip) {
  corpus_dir dir;
  auto a = dir.write("a/1.txt", "\xEF\xBB\xBF" "first doc\r\n\nsecond doc\n  \nthird\n");
  dir.write_gz("a/2.txt.gz", "zipped one\nzipped two");
  auto lines = read_all({{(dir.path / "a").string()}});
  BOOST_TEST((lines == std::vector<std::string>{"first doc", "second doc", "third", "zipped one",
                                                "zipped two"}));
  corpus_options paragraphs{{a}};
  paragraphs.layout = corpus_layout::paragraphs;
  dir.write("p.txt", "line one\nline two\n\n\nnext para\n");
  paragraphs.paths = {(dir.path / "p.txt").string()};
  BOOST_TEST((read_all(paragraphs) == std::vector<std::string>{"line one line two", "next para"}));
}

BOOST_AUTO_TEST_CASE(encodings_and_errors_name_the_file_and_line) {
  corpus_dir dir;
  auto latin = dir.write("latin.txt", "ok\ncaf\xe9\n");
  BOOST_TEST(test::error_of([&] { read_all({{latin}}); })
             == latin + ":2: invalid UTF-8 (byte 0xe9 at column 4); set the corpus encoding to "
                        "latin-1 if the file is Latin-1");
  corpus_options as_latin{{latin}};
  as_latin.encoding = text_encoding::latin1;
  BOOST_TEST(read_all(as_latin).back() == "caf\xc3\xa9");
  // A gzip file cut short, and one with garbage after its header.
  auto good = dir.write_gz("good.gz", sentences(400));
  std::ifstream in{good, std::ios::binary};
  std::string bytes{std::istreambuf_iterator<char>(in), {}};
  auto cut = dir.write("cut.gz", bytes.substr(0, bytes.size() / 2));
  BOOST_TEST(test::error_of([&] { read_all({{cut}}); }).starts_with(cut + ": corrupt gzip data"));
  auto garbled = bytes;
  for (std::size_t k = 20; k < 60; ++k)
    garbled[k] = char(0xff);
  auto bad = dir.write("bad.gz", garbled);
  BOOST_TEST(test::error_of([&] { read_all({{bad}}); }).starts_with(bad + ": corrupt gzip data"));
  BOOST_TEST(test::error_of([&] { corpus_reader{{{(dir.path / "none").string()}}}; })
             == (dir.path / "none").string() + ": no such file or folder");
}

BOOST_AUTO_TEST_CASE(dedup_heldout_and_seek) {
  corpus_dir dir;
  std::string text;
  for (int i = 0; i < 400; ++i)
    text += "document " + std::to_string(i % 300) + "\n"; // 100 duplicates
  corpus_options options{{dir.write("d.txt", text)}};
  BOOST_TEST(read_all(options).size() == 400u);
  options.dedup = true;
  options.heldout_fraction = 0.1;
  options.heldout_seed = 3;
  corpus_reader reader{options};
  std::vector<corpus_document> docs;
  while (auto doc = reader.next())
    docs.push_back(*doc);
  BOOST_TEST(docs.size() == 300u);
  auto heldout = std::count_if(docs.begin(), docs.end(), [](auto& d) { return d.heldout; });
  BOOST_TEST(heldout > 15);
  BOOST_TEST(heldout < 50);
  // Seeking to a document's start continues exactly, the duplicate set included.
  for (std::size_t at : {0u, 1u, 150u, 299u}) {
    corpus_reader again{options};
    again.seek(docs[at].start);
    auto rest = all_texts(again);
    BOOST_REQUIRE(rest.size() == docs.size() - at);
    BOOST_TEST(rest.front() == docs[at].text);
    BOOST_TEST(rest.back() == docs.back().text);
  }
}

BOOST_AUTO_TEST_CASE(masking_rates_follow_bert) {
  auto tokenizer = tokenizer_for(sentences(50));
  auto vocab = mlm_vocab::of(tokenizer->vocab());
  std::size_t tokens = 0, chosen = 0, masked = 0, random = 0, kept = 0;
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    std::vector<std::int32_t> ids{tokenizer->vocab().cls_id()};
    for (int k = 0; k < 126; ++k)
      ids.push_back(std::int32_t(10 + (seed * 31 + k * 7) % std::uint64_t(vocab.size - 10)));
    ids.push_back(tokenizer->vocab().sep_id());
    const auto original = ids;
    auto labels = mask_tokens(ids, vocab, {}, seed);
    BOOST_TEST(labels.front() == -100); // [CLS] and [SEP] are never targets
    BOOST_TEST(labels.back() == -100);
    tokens += 126;
    for (std::size_t k = 0; k < ids.size(); ++k) {
      if (labels[k] == -100) {
        BOOST_TEST(ids[k] == original[k]);
        continue;
      }
      ++chosen;
      BOOST_TEST(labels[k] == original[k]);
      if (ids[k] == vocab.mask_id)
        ++masked;
      else if (ids[k] != original[k])
        ++random;
      else
        ++kept;
    }
  }
  BOOST_TEST(chosen == 400u * 19u); // round(0.15 x 126) = 19 per sequence
  const double n = double(chosen);
  BOOST_TEST(std::abs(double(masked) / n - 0.8) < 0.02);
  // a random id can be the original one (1 in V): counted as kept
  BOOST_TEST(std::abs(double(random) / n - 0.1) < 0.015);
  BOOST_TEST(std::abs(double(kept) / n - 0.1) < 0.015);
  BOOST_TEST(double(chosen) / double(tokens) == 19.0 / 126.0);
}

BOOST_AUTO_TEST_CASE(whole_word_masking_takes_whole_words) {
  auto tokenizer = tokenizer_for(sentences(50));
  auto vocab = mlm_vocab::of(tokenizer->vocab());
  std::vector<std::int32_t> ids;
  tokenizer->tokenize(sentences(20), ids);
  mlm_masking_options options;
  options.whole_word = true;
  std::size_t words_cut = 0;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    auto masked = ids;
    auto labels = mask_tokens(masked, vocab, options, seed);
    for (std::size_t k = 1; k < ids.size(); ++k) // a "##" piece is a target iff its word start is
      if (vocab.continuation[std::size_t(ids[k])])
        words_cut += (labels[k] == -100) != (labels[k - 1] == -100);
  }
  BOOST_TEST(words_cut == 0u);
}

BOOST_AUTO_TEST_CASE(stream_packs_masks_and_restores_exactly) {
  corpus_dir dir;
  const auto text = sentences(300);
  corpus_options corpus{{dir.write("s.txt", text)}};
  corpus.heldout_fraction = 0.05;
  auto tokenizer = tokenizer_for(text);
  mlm_stream_options options;
  options.seq_len = 24;
  options.batch_size = 4;
  options.seed = 9;
  mlm_stream stream{corpus_reader{corpus}, tokenizer, options};
  std::vector<mlm_cursor> cursors;
  std::vector<std::vector<std::int32_t>> ids, labels;
  for (int k = 0; k < 60; ++k) { // several passes over the training slice
    cursors.push_back(stream.cursor());
    auto b = stream.next_batch();
    BOOST_REQUIRE(b.ids.defined());
    BOOST_TEST(b.ids.size(0) == 4);
    BOOST_TEST(b.ids.data<std::int32_t>()[0] == tokenizer->vocab().cls_id());
    ids.emplace_back(b.ids.data<std::int32_t>(), b.ids.data<std::int32_t>() + b.ids.numel());
    labels.emplace_back(b.labels.data<std::int32_t>(),
                        b.labels.data<std::int32_t>() + b.labels.numel());
  }
  BOOST_TEST(stream.cursor().pass >= 1u);
  for (std::size_t k : {1u, 17u, 41u}) {
    mlm_stream again{corpus_reader{corpus}, tokenizer, options};
    again.restore(cursors[k]);
    for (auto j = k; j < cursors.size(); ++j) {
      auto b = again.next_batch();
      BOOST_REQUIRE(std::equal(ids[j].begin(), ids[j].end(), b.ids.data<std::int32_t>()));
      BOOST_REQUIRE(std::equal(labels[j].begin(), labels[j].end(), b.labels.data<std::int32_t>()));
    }
  }
  // The held-out stream ends after one pass; an empty corpus is an error.
  options.heldout = true;
  mlm_stream heldout{corpus_reader{corpus}, tokenizer, options};
  int batches = 0;
  while (heldout.next_batch().ids.defined())
    ++batches;
  BOOST_TEST(batches > 0);
  BOOST_TEST(batches < 10);
  mlm_stream empty{corpus_reader{{{dir.write("empty.txt", "\n\n")}}}, tokenizer, {}};
  BOOST_TEST(test::error_of([&] { empty.next_batch(); })
             == "the corpus has no training document (empty corpus, or every document held out)");
}

BOOST_AUTO_TEST_SUITE_END()
