// Dataset readers: every format, the error cases (message names file, line, problem),
// on-error=skip counting, encodings, and the real SST-2 / Financial PhraseBank files.
#include "runtime/data/readers.hpp"
#include "test/data/error_of.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>

using namespace axon::data;
using axon::test::error_of;

namespace {

std::string fixture(const std::string& name) {
  return std::string{AXON_TEST_DIR} + "/data/fixtures/" + name;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

read_options skipping() {
  read_options options;
  options.bad_lines = on_bad_line::skip;
  return options;
}

} // namespace

BOOST_AUTO_TEST_SUITE(readers)

BOOST_AUTO_TEST_CASE(csv_quotes_commas_newlines_crlf) {
  auto data = read_csv(fixture("good.csv"));
  BOOST_TEST(data.texts.size() == 5u);
  BOOST_TEST(data.texts[0] == "Profits rose, strongly");
  BOOST_TEST(data.texts[1] == "plain text here");
  BOOST_TEST(data.texts[2] == "He said \"no\" twice");
  BOOST_TEST(data.texts[3] == "line one\nline two");
  BOOST_TEST(data.texts[4] == "last row without newline");
  BOOST_TEST(data.label_names == (std::vector<std::string>{"negative", "neutral", "positive"}));
  BOOST_TEST(data.labels == (std::vector<std::int32_t>{2, 1, 0, 1, 2}));
  BOOST_TEST(data.source_lines == (std::vector<std::size_t>{2, 3, 4, 5, 8}));
}

BOOST_AUTO_TEST_CASE(csv_configurable_columns) {
  read_options options;
  options.text_column = "headline";
  options.label_column = "sentiment";
  auto data = read_csv(fixture("renamed_columns.csv"), options);
  BOOST_TEST(data.texts == (std::vector<std::string>{"Profit up", "Loss widens"}));
  auto message = error_of([&] { read_csv(fixture("renamed_columns.csv")); });
  BOOST_TEST(contains(message, "renamed_columns.csv:1: no column 'text'"), message);
  // Lines ending in CR alone read as one line: the error says so.
  auto cr_only = error_of([&] { read_csv(fixture("cr_only.csv")); });
  BOOST_TEST(contains(cr_only, "cr_only.csv:1: no column 'label'"), cr_only);
  BOOST_TEST(contains(cr_only, "end in a carriage return alone"), cr_only);
}

BOOST_AUTO_TEST_CASE(tsv_sst2_style) {
  read_options options;
  options.text_column = "sentence";
  auto data = read_tsv(fixture("good.tsv"), options);
  BOOST_TEST(data.texts.size() == 2u);
  BOOST_TEST(data.texts[0] == "hide new secretions from the parental units ");
  BOOST_TEST(data.texts[1] == "\"quoted\" stays as is");
  BOOST_TEST(data.label_names == (std::vector<std::string>{"0", "1"}));
}

BOOST_AUTO_TEST_CASE(jsonl_string_and_integer_labels) {
  auto data = read_jsonl(fixture("good.jsonl"));
  BOOST_TEST(data.texts.size() == 3u);
  BOOST_TEST(data.texts[1] == "Caf\u00e9 results \"mixed\"");
  BOOST_TEST(data.label_names == (std::vector<std::string>{"1", "neutral", "positive"}));
  BOOST_TEST(data.source_lines.back() == 4u);
}

BOOST_AUTO_TEST_CASE(fpb_label_after_last_at_and_encodings) {
  auto latin1 = read_fpb(fixture("fpb_latin1.txt"));
  BOOST_TEST(latin1.texts[0] == "Sepp\u00e4l\u00e4 Oyj's sales rose .");
  BOOST_TEST(latin1.texts[1] == "Mail me @ home about it");
  BOOST_TEST(latin1.label_names[latin1.labels[1]] == "neutral");
  auto utf8 = read_fpb(fixture("fpb_utf8.txt"));
  BOOST_TEST(utf8.texts[0] == latin1.texts[0]);
  // An explicit encoding overrides detection: UTF-8 bytes read as Latin-1 give mojibake.
  read_options as_latin1;
  as_latin1.encoding = text_encoding::latin1;
  BOOST_TEST(read_fpb(fixture("fpb_utf8.txt"), as_latin1).texts[0] != latin1.texts[0]);
  // And Latin-1 bytes declared UTF-8 are an error naming the line.
  read_options as_utf8;
  as_utf8.encoding = text_encoding::utf8;
  auto message = error_of([&] { read_fpb(fixture("fpb_latin1.txt"), as_utf8); });
  BOOST_TEST(contains(message, "fpb_latin1.txt:1: invalid UTF-8"), message);
}

BOOST_AUTO_TEST_CASE(format_from_extension) {
  BOOST_TEST((format_from_path("a/b.csv") == data_format::csv));
  BOOST_TEST((format_from_path("b.tsv") == data_format::tsv));
  BOOST_TEST((format_from_path("b.jsonl") == data_format::jsonl));
  BOOST_TEST((format_from_path("Sentences_50Agree.txt") == data_format::fpb));
  BOOST_CHECK_THROW(format_from_path("b.parquet"), data_error);
  BOOST_TEST((parse_data_format("jsonl") == data_format::jsonl));
  BOOST_CHECK_THROW(parse_data_format("xml"), data_error);
  BOOST_TEST((parse_text_encoding("iso-8859-1") == text_encoding::latin1));
  BOOST_TEST((parse_text_encoding("latin-1") == text_encoding::latin1)); // as the docs spell it
  BOOST_TEST((parse_text_encoding("auto") == text_encoding::detect));
  BOOST_CHECK_THROW(parse_text_encoding("cp1252"), data_error);
  BOOST_TEST(read_dataset(fixture("good.csv"), data_format::csv).texts.size() == 5u);
}

BOOST_AUTO_TEST_CASE(missing_and_empty_files) {
  auto missing = error_of([] { read_csv(fixture("no_such_file.csv")); });
  BOOST_TEST(contains(missing, "no_such_file.csv: cannot open it (No such file or directory)"),
             missing);
  auto directory = error_of([] { read_csv(fixture("")); });
  BOOST_TEST(contains(directory, "fixtures/: is a directory, expected a file"), directory);
  auto empty = error_of([] { read_csv(fixture("empty.csv")); });
  BOOST_TEST(contains(empty, "empty.csv: empty file"), empty);
  auto header_only = error_of([] { read_csv(fixture("header_only.csv")); });
  BOOST_TEST(contains(header_only, "header_only.csv: no examples"), header_only);
}

BOOST_AUTO_TEST_CASE(unbalanced_quote) {
  auto message = error_of([] { read_csv(fixture("unbalanced_quote.csv")); });
  BOOST_TEST(contains(message, "unbalanced_quote.csv:3: unterminated quoted field"), message);
  auto data = read_csv(fixture("unbalanced_quote.csv"), skipping());
  BOOST_TEST(data.texts == (std::vector<std::string>{"fine"})); // the rest is inside the quote
  BOOST_TEST(data.skipped_lines == 1u);
}

BOOST_AUTO_TEST_CASE(csv_bad_rows_fail_or_skip) {
  auto message = error_of([] { read_csv(fixture("bad_rows.csv")); });
  BOOST_TEST(contains(message, "bad_rows.csv:3: no label"), message);
  auto data = read_csv(fixture("bad_rows.csv"), skipping());
  BOOST_TEST(data.texts == (std::vector<std::string>{"good one", "good two"}));
  BOOST_TEST(data.skipped_lines == 4u);
  BOOST_REQUIRE(data.skip_reasons.size() == 4u);
  BOOST_TEST(contains(data.skip_reasons[1], ":4: quote inside an unquoted field"));
  BOOST_TEST(contains(data.skip_reasons[2], ":5: text after the closing quote"));
  BOOST_TEST(contains(data.skip_reasons[3], ":6: expected 2 fields as in the header, found 3"));
}

BOOST_AUTO_TEST_CASE(a_label_with_a_control_character_is_refused) {
  auto message = error_of([] { read_csv(fixture("nul_label.csv")); });
  BOOST_TEST(contains(message, "nul_label.csv:3: label 'posi...' has a control character (byte 0x00)"),
             message);
  auto data = read_csv(fixture("nul_label.csv"), skipping());
  BOOST_TEST(data.label_names == (std::vector<std::string>{"positive"}));
}

BOOST_AUTO_TEST_CASE(fpb_no_label) {
  auto message = error_of([] { read_fpb(fixture("no_label.txt")); });
  BOOST_TEST(contains(message, "no_label.txt:2: no label"), message);
  auto data = read_fpb(fixture("no_label.txt"), skipping());
  BOOST_TEST(data.texts.size() == 2u);
  BOOST_TEST(data.skipped_lines == 1u);
}

BOOST_AUTO_TEST_CASE(unknown_label_with_fixed_label_set) {
  read_options options;
  options.label_set = {"positive", "neutral", "negative"};
  auto message = error_of([&] { read_fpb(fixture("unknown_label.txt"), options); });
  BOOST_TEST(contains(message, "unknown_label.txt:2: unknown label 'bullish'"), message);
  // Without a fixed set the label is simply new; with one, ids follow the given order.
  BOOST_TEST(read_fpb(fixture("unknown_label.txt")).label_names.size() == 2u);
  auto fixed = read_fpb(fixture("fpb_utf8.txt"), options);
  BOOST_TEST(fixed.labels == (std::vector<std::int32_t>{0, 2}));
}

BOOST_AUTO_TEST_CASE(invalid_utf8) {
  auto message = error_of([] { read_csv(fixture("bad_utf8.csv")); });
  BOOST_TEST(contains(message, "bad_utf8.csv:3: invalid UTF-8 (byte 0xff at column 8)"), message);
  auto data = read_csv(fixture("bad_utf8.csv"), skipping());
  BOOST_TEST(data.texts == (std::vector<std::string>{"fine", "also fine"}));
  BOOST_TEST(data.skipped_lines == 1u);
}

BOOST_AUTO_TEST_CASE(jsonl_errors) {
  auto message = error_of([] { read_jsonl(fixture("bad.jsonl")); });
  BOOST_TEST(contains(message, "bad.jsonl:2: invalid JSON"), message);
  auto data = read_jsonl(fixture("bad.jsonl"), skipping());
  BOOST_TEST(data.texts.size() == 1u);
  BOOST_REQUIRE(data.skipped_lines == 3u);
  BOOST_TEST(contains(data.skip_reasons[1], ":3: not a JSON object"));
  BOOST_TEST(contains(data.skip_reasons[2], ":4: no string field 'text'"));
}

BOOST_AUTO_TEST_CASE(real_sst2_and_financial_phrasebank) {
  const std::string shared = AXON_SHARED_DATA;
  if (!std::filesystem::exists(shared + "/sst2/train.tsv") ||
      !std::filesystem::exists(shared + "/financial_phrasebank/Sentences_50Agree.txt")) {
    BOOST_TEST_MESSAGE("skipped: shared data not found under " << shared);
    return;
  }
  read_options sst2;
  sst2.text_column = "sentence";
  auto train = read_tsv(shared + "/sst2/train.tsv", sst2);
  BOOST_TEST(train.texts.size() == 67349u);
  BOOST_TEST(train.label_names == (std::vector<std::string>{"0", "1"}));
  // Counts from financial_phrasebank/SOURCE.md (ISO-8859-1 and UTF-8 files).
  auto fpb50 = read_fpb(shared + "/financial_phrasebank/Sentences_50Agree.txt");
  BOOST_TEST(fpb50.texts.size() == 4846u);
  BOOST_TEST(fpb50.label_names == (std::vector<std::string>{"negative", "neutral", "positive"}));
  BOOST_TEST(std::count(fpb50.labels.begin(), fpb50.labels.end(), 0) == 604);
  BOOST_TEST(std::count(fpb50.labels.begin(), fpb50.labels.end(), 2) == 1363);
  auto all_agree = read_fpb(shared + "/financial_phrasebank/Sentences_AllAgree.txt");
  BOOST_TEST(all_agree.texts.size() == 2264u);
}

BOOST_AUTO_TEST_SUITE_END()
