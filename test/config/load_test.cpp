// Config loading: every error kind names file:line or the flag (and what is allowed),
// defaults, overrides beating the file, rules across keys, to_ini() round trip and hash.
#include "runtime/config/load.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

using namespace axon::config;

namespace {

/// A valid config needs a data source; everything else may be left out.
const std::string minimal = "[data]\npath = \"fin.csv\"\n";

load_result load(const std::string& text, std::vector<std::string> overrides = {}) {
  return load_config(text, "job.ini", overrides);
}

/// The only error of loading `text` with `overrides`, as "where: message".
std::string only_error(const std::string& text, std::vector<std::string> overrides = {}) {
  auto result = load(text, overrides);
  BOOST_TEST_REQUIRE(result.errors.size() == 1u, result.error_text());
  BOOST_TEST(!result.resolved);
  return result.errors[0].text();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

#define CHECK_CONTAINS(text, part) BOOST_TEST(contains(text, part), text << " lacks: " << part)

} // namespace

BOOST_AUTO_TEST_SUITE(config_load)

BOOST_AUTO_TEST_CASE(defaults) {
  auto result = load(minimal);
  BOOST_TEST_REQUIRE(result.errors.empty(), result.error_text());
  const auto& cfg = *result.resolved;
  BOOST_TEST(cfg.get_string("data.path") == "fin.csv");
  BOOST_TEST(cfg.get_string("data.format") == "auto");
  BOOST_TEST(cfg.get_string("data.text-column") == "text");
  BOOST_TEST(cfg.get_int("data.split-seed") == 13);
  BOOST_TEST(cfg.get_reals("data.split") == (std::vector<double>{0.8, 0.1, 0.1}));
  BOOST_TEST(cfg.get_bool("data.cache"));
  BOOST_TEST(!cfg.get_bool("data.cased"));
  BOOST_TEST(cfg.get_int("model.hidden") == 256);
  BOOST_TEST(cfg.get_real("model.layer-norm-eps") == 1e-12);
  BOOST_TEST(cfg.get_string("train.run-dir") == "runs/finsent");
  BOOST_TEST(cfg.get_real("train.lr") == 5e-4);
  BOOST_TEST(cfg.get_string("train.schedule") == "linear");
  BOOST_TEST(cfg.get_int("train.warmup-steps") == -1);
  BOOST_TEST(cfg.get_string("eval.metric") == "accuracy");
  BOOST_TEST(cfg.get_string("eval.mode") == "max");
  BOOST_TEST(cfg.get_int("placement.stages") == 1);
}

BOOST_AUTO_TEST_CASE(values_of_every_form) {
  auto result = load("\xEF\xBB\xBF; comment\n# comment too\n"
                     "[data]\r\n"
                     "path = \"a \\\"b\\\"\\\\c\" ; trailing comment\n"
                     "format = 'jsonl'\n"
                     "split = [0.7, 0.2, 0.1]\n"
                     "  cased=true\n"
                     "[ model ]  # spaced header\n"
                     "layer-norm-eps = 1e-5\n"
                     "hidden = +128\n"
                     "[train]\n"
                     "max-grad-norm = 2\n");
  BOOST_TEST_REQUIRE(result.errors.empty(), result.error_text());
  const auto& cfg = *result.resolved;
  BOOST_TEST(cfg.get_string("data.path") == "a \"b\"\\c");
  BOOST_TEST(cfg.get_string("data.format") == "jsonl");
  BOOST_TEST(cfg.get_reals("data.split") == (std::vector<double>{0.7, 0.2, 0.1}));
  BOOST_TEST(cfg.get_bool("data.cased"));
  BOOST_TEST(cfg.get_real("model.layer-norm-eps") == 1e-5);
  BOOST_TEST(cfg.get_int("model.hidden") == 128);
  BOOST_TEST(cfg.get_real("train.max-grad-norm") == 2.0);
}

BOOST_AUTO_TEST_CASE(split_as_a_string) {
  auto result = load("[data]\npath = \"x\"\nsplit = \"0.6,0.2,0.2\"\n");
  BOOST_TEST_REQUIRE(result.errors.empty(), result.error_text());
  BOOST_TEST(result.resolved->get_reals("data.split") == (std::vector<double>{0.6, 0.2, 0.2}));
  auto flag = load(minimal, {"--data.split=0.5,0.25,0.25"});
  BOOST_TEST_REQUIRE(flag.errors.empty(), flag.error_text());
  BOOST_TEST(flag.resolved->get_reals("data.split") == (std::vector<double>{0.5, 0.25, 0.25}));
}

BOOST_AUTO_TEST_CASE(unknown_group_with_suggestion) {
  auto error = only_error(minimal + "[trian]\nepochs = 3\nwhatever = 1\n");
  BOOST_TEST(error == "job.ini:3: unknown group [trian] (did you mean [train]?)");
  CHECK_CONTAINS(only_error(minimal + "[optimizer]\n"),
                 "job.ini:3: unknown group [optimizer]; groups: data, model, train, eval");
}

BOOST_AUTO_TEST_CASE(unknown_key_with_suggestion) {
  BOOST_TEST(only_error(minimal + "[train]\nepocs = 3\n") ==
             "job.ini:4: unknown key train.epocs (did you mean train.epochs?)");
  // The right name in the wrong group.
  BOOST_TEST(only_error(minimal + "[train]\nhidden = 128\n") ==
             "job.ini:4: unknown key train.hidden (did you mean model.hidden?)");
  CHECK_CONTAINS(only_error(minimal + "[train]\nfrobnicate = 1\n"),
                 "job.ini:4: unknown key train.frobnicate (`axon config docs`");
}

BOOST_AUTO_TEST_CASE(wrong_type) {
  BOOST_TEST(only_error(minimal + "[train]\nepochs = \"three\"\n") ==
             "job.ini:4: train.epochs = \"three\": wrong type; allowed: an integer in [1, 100000]");
  CHECK_CONTAINS(only_error(minimal + "[train]\nepochs = 2.5\n"), "job.ini:4: train.epochs = 2.5");
  BOOST_TEST(only_error(minimal + "[train]\nshuffle = yes\n") ==
             "job.ini:4: train.shuffle = yes: wrong type; allowed: true or false");
  BOOST_TEST(only_error(minimal + "[train]\nlr = fast\n") ==
             "job.ini:4: train.lr = fast: wrong type; allowed: a real number in (0, 1]");
  // Strings are quoted in files, as in CAF.
  BOOST_TEST(only_error(minimal + "[train]\nrun-dir = runs/x\n") ==
             "job.ini:4: train.run-dir = runs/x: strings are written in double quotes: "
             "\"runs/x\"; allowed: a path");
}

BOOST_AUTO_TEST_CASE(out_of_range) {
  BOOST_TEST(only_error(minimal + "[train]\nepochs = 0\n") ==
             "job.ini:4: train.epochs = 0: out of range; allowed: an integer in [1, 100000]");
  BOOST_TEST(only_error(minimal + "[model]\ndropout = 1\n") ==
             "job.ini:4: model.dropout = 1: out of range; allowed: a real number in [0, 1)");
  CHECK_CONTAINS(only_error(minimal + "[train]\nwarmup-steps = -2\n"), "[-1, inf)");
  CHECK_CONTAINS(only_error(minimal + "[train]\nseed = 99999999999999999999\n"),
                 "job.ini:4: train.seed = 99999999999999999999: wrong type");
}

BOOST_AUTO_TEST_CASE(bad_enum_value_lists_allowed) {
  BOOST_TEST(only_error(minimal + "[train]\nschedule = \"cosin\"\n") ==
             "job.ini:4: train.schedule = \"cosin\": not an allowed value; allowed: one of "
             "\"linear\", \"cosine\", \"constant\" (did you mean \"cosine\"?)");
  BOOST_TEST(only_error(minimal + "[eval]\nmetric = \"f1\"\n") ==
             "job.ini:4: eval.metric = \"f1\": not an allowed value; allowed: one of "
             "\"accuracy\", \"macro_f1\", \"loss\"");
}

BOOST_AUTO_TEST_CASE(bad_list) {
  const std::string allowed =
    "; allowed: a list of real numbers, each in (0, 1), e.g. [0.8, 0.1, 0.1]";
  BOOST_TEST(only_error(minimal + "split = [0.8, x, 0.1]\n") ==
             "job.ini:3: data.split = [0.8, x, 0.1]: wrong type" + allowed);
  BOOST_TEST(only_error(minimal + "split = [0.8, 1.5]\n") ==
             "job.ini:3: data.split = [0.8, 1.5]: out of range" + allowed);
  BOOST_TEST(only_error(minimal + "split = [0.8, 0.1\n") ==
             "job.ini:3: data.split = [0.8, 0.1: unterminated list (no closing ])");
  BOOST_TEST(only_error(minimal + "split = [0.8 0.1]\n") ==
             "job.ini:3: data.split = [0.8 0.1]: expected ',' or ']' in the list");
  BOOST_TEST(only_error(minimal + "split = [0.8, , 0.1]\n") ==
             "job.ini:3: data.split = [0.8, , 0.1]: missing list element");
}

BOOST_AUTO_TEST_CASE(duplicate_key) {
  BOOST_TEST(only_error(minimal + "[train]\nlr = 1e-4\n[train]\nlr = 2e-4\n") ==
             "job.ini:6: duplicate key train.lr (first set at job.ini:4)");
}

BOOST_AUTO_TEST_CASE(malformed_lines) {
  BOOST_TEST(only_error(minimal + "[train]\nepochs 3\n") ==
             "job.ini:4: malformed line \"epochs 3\": expected [group], key = value, or a ; "
             "comment");
  CHECK_CONTAINS(only_error(minimal + "[train\n"), "job.ini:3: malformed line \"[train\"");
  CHECK_CONTAINS(only_error(minimal + "[train] x\n"), "job.ini:3: malformed line");
  CHECK_CONTAINS(only_error(minimal + "[train]\nmy key = 3\n"), "job.ini:4: malformed line");
  BOOST_TEST(only_error("epochs = 3\n" + minimal) ==
             "job.ini:1: key epochs is outside of any [group]");
  BOOST_TEST(only_error(minimal + "[train]\nepochs =\n") ==
             "job.ini:4: train.epochs = : missing value");
  BOOST_TEST(only_error(minimal + "[train]\nepochs = 3 ; ok\nlr = \"1\" 2\n") ==
             "job.ini:5: train.lr = \"1\": unexpected text after the value: 2");
}

BOOST_AUTO_TEST_CASE(unterminated_string) {
  BOOST_TEST(only_error("[data]\npath = \"fin.csv\n") ==
             "job.ini:2: data.path = \"fin.csv: unterminated string (no closing \")");
}

BOOST_AUTO_TEST_CASE(errors_are_all_reported) {
  auto result = load(minimal + "[train]\nepochs = 0\nlr = -1\n[eval]\nmode = \"middle\"\n",
                     {"--train.seed=x"});
  BOOST_TEST(result.errors.size() == 4u, result.error_text());
  BOOST_TEST(result.errors[0].where == "job.ini:4");
  BOOST_TEST(result.errors[1].where == "job.ini:5");
  BOOST_TEST(result.errors[2].where == "job.ini:7");
  BOOST_TEST(result.errors[3].where == "--train.seed");
}

BOOST_AUTO_TEST_CASE(overrides_beat_file_values) {
  auto result = load(minimal + "[train]\nepochs = 5\nschedule = \"cosine\"\n",
                     {"--train.epochs=7", "--train.run-dir=runs/a b", "--data.cased",
                      "--model.init=\"w.safetensors\"", "--train.lr=1e-4", "--train.lr=2e-4"});
  BOOST_TEST_REQUIRE(result.errors.empty(), result.error_text());
  const auto& cfg = *result.resolved;
  BOOST_TEST(cfg.get_int("train.epochs") == 7);
  BOOST_TEST(cfg.get_string("train.schedule") == "cosine");
  BOOST_TEST(cfg.get_string("train.run-dir") == "runs/a b");
  BOOST_TEST(cfg.get_bool("data.cased"));
  BOOST_TEST(cfg.get_string("model.init") == "w.safetensors");
  BOOST_TEST(cfg.get_real("train.lr") == 2e-4); // the last override wins
}

BOOST_AUTO_TEST_CASE(an_empty_override_is_the_empty_string) {
  auto result = load(minimal + "[data]\nvocab = \"v.txt\"\n", {"--data.vocab="});
  BOOST_TEST_REQUIRE(result.errors.empty(), result.error_text());
  BOOST_TEST(result.resolved->get_string("data.vocab").empty());
  BOOST_TEST(!load(minimal, {"--train.epochs="}).errors.empty()); // not an integer
}

BOOST_AUTO_TEST_CASE(bad_overrides_name_the_flag) {
  BOOST_TEST(only_error(minimal, {"train.epochs=3"}) ==
             "train.epochs: bad override \"train.epochs=3\": expected --group.key=value");
  BOOST_TEST(only_error(minimal, {"--epochs=3"}) ==
             "--epochs: bad override \"--epochs=3\": expected --group.key=value");
  BOOST_TEST(only_error(minimal, {"--train.epochs"}) ==
             "--train.epochs: bad override \"--train.epochs\": expected --train.epochs=VALUE, "
             "an integer in [1, 100000]");
  BOOST_TEST(only_error(minimal, {"--trian.epochs=3"}) ==
             "--trian.epochs: unknown group [trian] (did you mean [train]?)");
  BOOST_TEST(only_error(minimal, {"--train.epoch=3"}) ==
             "--train.epoch: unknown key train.epoch (did you mean train.epochs?)");
  BOOST_TEST(only_error(minimal, {"--train.epochs=0"}) ==
             "--train.epochs: train.epochs = 0: out of range; allowed: an integer in [1, 100000]");
  BOOST_TEST(only_error(minimal, {"--train.schedule=cosin"}) ==
             "--train.schedule: train.schedule = cosin: not an allowed value; allowed: one of "
             "\"linear\", \"cosine\", \"constant\" (did you mean \"cosine\"?)");
  BOOST_TEST(only_error(minimal, {"--data.path=\"x"}) ==
             "--data.path: data.path = \"x: unterminated string (no closing \")");
}

BOOST_AUTO_TEST_CASE(rules_across_keys) {
  BOOST_TEST(only_error(minimal + "[model]\nhidden = 250\n") ==
             "job.ini:4: model.hidden = 250 is not divisible by model.heads = 4");
  BOOST_TEST(only_error(minimal, {"--model.heads=3"}) ==
             "--model.heads: model.hidden = 256 is not divisible by model.heads = 3");
  BOOST_TEST(only_error(minimal + "split = [0.8, 0.1, 0.2]\n") ==
             "job.ini:3: data.split needs three ratios (train, dev, test) summing to 1, got 3 "
             "summing to 1.1");
  CHECK_CONTAINS(only_error(minimal + "split = [0.9, 0.1]\n"), "got 2 summing to 1.0");
  BOOST_TEST(only_error(minimal + "[eval]\nmetric = \"loss\"\n") ==
             "job.ini:4: eval.metric=loss needs eval.mode=min");
  BOOST_TEST(only_error("[train]\nepochs = 1\n") ==
             "job.ini: set data.path (one labelled file to split) or data.train (with "
             "optional data.dev, data.test)");
  CHECK_CONTAINS(only_error(minimal + "train = \"t.csv\"\n"), "job.ini:2: data.path and");
  BOOST_TEST(only_error(minimal + "[placement]\nstages = 7\n") ==
             "job.ini:4: placement.stages = 7 exceeds model.layers + 2 = 6");
  // train.batch-size is the global batch: shards split it (shares differ by a row at most)
  BOOST_TEST(load(minimal, {"--placement.shards=3"}).errors.empty());
  BOOST_TEST(only_error(minimal, {"--placement.shards=8", "--train.micro-batches=5"}) ==
             "--placement.shards: train.batch-size = 32 is smaller than placement.shards x "
             "train.micro-batches = 40: every micro-batch of a full batch needs a row");
  CHECK_CONTAINS(only_error(minimal, {"--data.max-len=1024"}), "--data.max-len: data.max-len");
  CHECK_CONTAINS(only_error(minimal, {"--train.max-steps=0"}), "--train.max-steps:");
  auto splits = load("[data]\ntrain = \"t.csv\"\ndev = \"d.csv\"\n");
  BOOST_TEST(splits.errors.empty(), splits.error_text());
  BOOST_TEST(load(minimal, {"--monitor.start-paused=true"}).errors.empty());
  CHECK_CONTAINS(only_error(minimal, {"--monitor.start-paused=true", "--monitor.port=-1"}),
                 "monitor.start-paused = true with monitor.port = -1: nothing could resume");
}

// data.long-text = chunk and its windows (issue #22): bad settings are refused at the line
// that set them; the chunk settings may exceed model.max-positions only while unused.
BOOST_AUTO_TEST_CASE(chunking_keys_are_checked_at_their_line) {
  const auto chunk = minimal + "long-text = \"chunk\"\n";
  auto ok = load(chunk + "chunk-len = 64\nchunk-stride = 16\nmax-chunks = 8\n");
  BOOST_TEST(ok.errors.empty(), ok.error_text());
  BOOST_TEST(ok.resolved->get_string("data.long-text") == "chunk");
  BOOST_TEST(load(minimal).resolved->get_string("data.long-text") == "truncate");
  BOOST_TEST(only_error(chunk + "chunk-len = 64\nchunk-stride = 62\n") ==
             "job.ini:5: data.chunk-stride = 62 is not below the 62 text tokens of a window "
             "(data.chunk-len = 64 less [CLS] and [SEP]): the windows would not advance");
  CHECK_CONTAINS(only_error(chunk + "chunk-stride = 200\n"), "job.ini:4: data.chunk-stride = 200");
  // chunk-len 20 with the default stride 32: the line that set chunk-len is named.
  CHECK_CONTAINS(only_error(chunk + "chunk-len = 20\n"), "job.ini:4: data.chunk-stride = 32");
  BOOST_TEST(only_error(chunk + "max-chunks = 0\n") ==
             "job.ini:4: data.max-chunks = 0: out of range; allowed: an integer in [1, 1048576]");
  CHECK_CONTAINS(only_error(chunk + "chunk-len = 2\n"), "job.ini:4: data.chunk-len = 2: out of range");
  BOOST_TEST(only_error(chunk + "chunk-len = 1024\nchunk-stride = 100\n") ==
             "job.ini:4: data.chunk-len = 1024 exceeds model.max-positions = 512: every "
             "position of a window needs an embedding");
  const std::vector<std::string> short_positions{"--data.max-len=64", "--model.max-positions=100"};
  CHECK_CONTAINS(only_error(chunk, short_positions),
                 "--model.max-positions: data.chunk-len = 128 exceeds model.max-positions = 100");
  auto unused = load(minimal, short_positions); // truncate: chunk-len is not used
  BOOST_TEST(unused.errors.empty(), unused.error_text());
  auto unused_stride = load(minimal + "chunk-len = 64\nchunk-stride = 62\n"); // nor the stride
  BOOST_TEST(unused_stride.errors.empty(), unused_stride.error_text());
  CHECK_CONTAINS(only_error(minimal + "long-text = \"chunks\"\n"),
                 "job.ini:3: data.long-text = \"chunks\": not an allowed value");
}

BOOST_AUTO_TEST_CASE(to_ini_round_trips) {
  auto result = load(minimal + "text-column = \"a\\tb \\\"q\\\"\"\nsplit = [0.7, 0.2, 0.1]\n"
                               "[train]\nlr = 3.3e-5\nweight-decay = 0.1\n",
                     {"--model.layer-norm-eps=1e-7", "--train.epochs=11"});
  BOOST_TEST_REQUIRE(result.errors.empty(), result.error_text());
  const auto& cfg = *result.resolved;
  auto text = cfg.to_ini();
  CHECK_CONTAINS(text, "; hash " + cfg.hash() + "\n");
  CHECK_CONTAINS(text, "[model]\n");
  CHECK_CONTAINS(text, "; peak learning rate; a real number in (0, 1]\nlr = 3.3e-5\n");
  CHECK_CONTAINS(text, "max-grad-norm = 1.0\n");
  CHECK_CONTAINS(text, "layer-norm-eps = 1e-7\n");
  auto again = load_config(text, "run.ini", {});
  BOOST_TEST_REQUIRE(again.errors.empty(), again.error_text());
  BOOST_TEST((*again.resolved == cfg));
  BOOST_TEST(again.resolved->hash() == cfg.hash());
  BOOST_TEST(again.resolved->to_ini() == text);
}

BOOST_AUTO_TEST_CASE(hash_is_stable_and_follows_values) {
  auto a = load(minimal);
  auto b = load("; same values, other text\n[data]\n  path=\"fin.csv\"   \n[train]\nepochs = 3\n");
  auto c = load(minimal, {"--train.epochs=4"});
  BOOST_TEST_REQUIRE((a.resolved && b.resolved && c.resolved));
  BOOST_TEST(a.resolved->hash().size() == 16u);
  BOOST_TEST(a.resolved->hash() == b.resolved->hash());
  BOOST_TEST((*a.resolved == *b.resolved));
  BOOST_TEST(a.resolved->hash() != c.resolved->hash());
  BOOST_TEST(!(*a.resolved == *c.resolved));
  CHECK_CONTAINS(a.resolved->canonical_text(), "train.epochs=3\n");
}

BOOST_AUTO_TEST_CASE(getters_check_the_type) {
  auto result = load(minimal);
  BOOST_TEST_REQUIRE(result.errors.empty());
  BOOST_CHECK_THROW(result.resolved->get_int("train.lr"), std::logic_error);
  BOOST_CHECK_THROW(result.resolved->get_real("train.nothing"), std::logic_error);
}

BOOST_AUTO_TEST_CASE(file_reading) {
  auto file = std::filesystem::temp_directory_path() / "axon_config_test.ini";
  std::ofstream(file) << minimal << "[train]\nepochs = 0\n";
  auto result = load_config_file(file.string(), {});
  BOOST_TEST_REQUIRE(result.errors.size() == 1u);
  BOOST_TEST(result.errors[0].where == file.string() + ":4");
  std::filesystem::remove(file);
  auto missing = load_config_file(file.string(), {});
  BOOST_TEST_REQUIRE(missing.errors.size() == 1u);
  CHECK_CONTAINS(missing.errors[0].text(), "cannot open it (No such file or directory)");
  // A directory opens like a file and then throws on reading: refused first, by name.
  auto directory = load_config_file(std::filesystem::temp_directory_path().string(), {});
  BOOST_TEST_REQUIRE(directory.errors.size() == 1u);
  CHECK_CONTAINS(directory.errors[0].text(), "is a directory, expected a file");
}

BOOST_AUTO_TEST_CASE(timespans_in_a_schema) {
  const schema keys({{"net", "network"}},
                    {timespan_key("net", "heartbeat", std::chrono::seconds(5), "[10ms, 1min]",
                                  "heartbeat interval")},
                    {});
  auto good = load_config("[net]\nheartbeat = 250ms\n", "n.ini", {}, keys);
  BOOST_TEST_REQUIRE(good.errors.empty(), good.error_text());
  BOOST_TEST((good.resolved->get_timespan("net.heartbeat") == std::chrono::milliseconds(250)));
  CHECK_CONTAINS(good.resolved->to_ini(), "heartbeat = 250ms\n");
  auto bad = load_config("[net]\nheartbeat = 2h\n", "n.ini", {}, keys);
  BOOST_TEST_REQUIRE(bad.errors.size() == 1u);
  BOOST_TEST(bad.errors[0].text() == "n.ini:2: net.heartbeat = 2h: out of range; allowed: a "
                                     "timespan such as 250ms or 5s in [10ms, 1min]");
  auto defaulted = load_config("", "n.ini", std::vector<std::string>{"--net.heartbeat=1min"}, keys);
  BOOST_TEST_REQUIRE(defaulted.errors.empty(), defaulted.error_text());
  BOOST_TEST((defaulted.resolved->get_timespan("net.heartbeat") == std::chrono::minutes(1)));
}

BOOST_AUTO_TEST_CASE(schema_rejects_bad_definitions) {
  BOOST_CHECK_THROW(schema({{"a", ""}}, {int_key("a", "x", 0, "[1, 2]", "")}, {}),
                    std::logic_error);
  BOOST_CHECK_THROW(schema({{"a", ""}}, {int_key("b", "x", 0, "", "")}, {}), std::logic_error);
  BOOST_CHECK_THROW(schema({{"a", ""}}, {int_key("a", "x", 0, "", ""), bool_key("a", "x", 0, "")},
                           {}),
                    std::logic_error);
  BOOST_CHECK_THROW(int_key("a", "x", 0, "[1, 2", ""), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
