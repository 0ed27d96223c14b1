// `axon predict` on inputs a user's files hold: a long line is cut only after the word
// pieces the model reads (a word of any length is one [UNK], so bytes are no measure), and
// answers as the whole line does; a bad line ends the command after the answers to the
// lines before it (in the same batch too); a JSON line that does not parse says why; the
// encodings are named as the docs name them.
#include "test/support/served_run.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace axon::test;
using json = nlohmann::json;

namespace {

// A tiny run (data.max-len 32: the model reads 30 word pieces), trained once.
struct trained {
  temp_dir dir;
  fs::path run_dir = dir.path / "run";
  trained() {
    make_serve_data(dir.path / "data");
    train_tiny_run(dir.path / "data", run_dir, dir.path / "train.ini");
  }
};

const trained& tiny() {
  static trained instance;
  return instance;
}

// `axon predict FLAGS` on the tiny run, `input` on its stdin.
run_result predict(const std::string& flags, const std::string& input) {
  const auto file = tiny().dir.path / "input.txt";
  std::ofstream{file, std::ios::binary} << input;
  return run(axon_command + " predict --run " + tiny().run_dir.string() + " " + flags + " < "
             + file.string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(predict_cli)

// 2000 words of 150 letters (one [UNK] each, 300 KB) and the sentence: the model reads
// the first 30 pieces, so the line is cut after them, and answers as the whole line read
// from JSON (never cut). A cut after 100 bytes per piece kept 21 of the words: another
// answer.
BOOST_AUTO_TEST_CASE(a_long_line_is_cut_after_the_pieces_the_model_reads) {
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += std::string(150, char('a' + i % 26)) + ' ';
  text += "Profit fell sharply .";
  auto lines = predict("--json", text + '\n');
  BOOST_REQUIRE_MESSAGE(lines.status == 0, lines.output);
  const auto said = lines.output.substr(lines.output.rfind('\n', lines.output.size() - 2) + 1);
  BOOST_TEST(said.find("1 line(s) were cut after the 30 word pieces") != std::string::npos, said);
  auto whole = predict("--json --format jsonl", json{{"text", text}}.dump() + '\n');
  BOOST_REQUIRE_MESSAGE(whole.status == 0, whole.output.substr(0, 2000));
  const auto cut = json::parse(lines.output.substr(0, lines.output.find('\n')));
  const auto read_whole = json::parse(whole.output);
  BOOST_TEST(cut["probabilities"] == read_whole["probabilities"]);
  // Short lines are read whole: nothing is said.
  auto short_line = predict("", "Profit fell sharply .\n");
  BOOST_REQUIRE(short_line.status == 0);
  BOOST_TEST(short_line.output.find("cut") == std::string::npos, short_line.output);
}

// Lines 1 and 2 of one batch are answered, then line 3's problem ends the command.
BOOST_AUTO_TEST_CASE(a_bad_line_comes_after_the_answers_to_the_lines_before_it) {
  auto r = predict("", "Profit rose .\nLoss widened .\nbad \xff byte\nafter\n");
  BOOST_TEST(r.status == 2);
  BOOST_TEST_INFO(r.output);
  const auto error = r.output.find("axon predict: stdin:3: invalid UTF-8 at byte 5");
  BOOST_REQUIRE(error != std::string::npos);
  BOOST_TEST(std::count(r.output.begin(), r.output.begin() + std::ptrdiff_t(error), '\n') == 2);
  auto jsonl = predict("--format jsonl", "{\"text\": \"Profit rose .\"}\n{\"text\": 5}\n");
  BOOST_TEST(jsonl.status == 2);
  BOOST_TEST(jsonl.output.find("\t") < jsonl.output.find("stdin:2: no string \"text\""), jsonl.output);
}

// Lines of no word for the tokenizer (no-break spaces, a zero-width space, a BOM, a tab)
// are blank: an empty answer line each, as for an empty line.
BOOST_AUTO_TEST_CASE(a_line_of_no_words_is_blank) {
  auto r = predict("", "\xC2\xA0\xE3\x80\x80\n\xE2\x80\x8B\xEF\xBB\xBF\t\nProfit rose .\n");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  BOOST_TEST(r.output.starts_with("\n\n"), r.output);
  BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\t') == 1, r.output);
}

BOOST_AUTO_TEST_CASE(a_json_line_that_does_not_parse_says_why) {
  auto r = predict("--format jsonl", "{\"text\": \"profit \\ud800 rose\"}\n");
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.output.find("stdin:1: not JSON: parse error at line 1, column") != std::string::npos,
             r.output);
  BOOST_TEST(r.output.find("surrogate") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(encodings_are_named_as_the_docs_name_them) {
  for (const auto* name : {"utf-8", "latin-1", "auto"}) {
    auto r = predict(std::string{"--encoding "} + name, "Profit rose .\n");
    BOOST_TEST(r.status == 0, name << ": " << r.output);
  }
  auto unknown = predict("--encoding cp1252", "Profit rose .\n");
  BOOST_TEST(unknown.status == 2);
  BOOST_TEST(unknown.output.find("expected utf-8, latin-1 or auto") != std::string::npos,
             unknown.output);
}

BOOST_AUTO_TEST_SUITE_END()
