// Dataset tokenization and the msgpack token cache (see tokenized_examples.hpp).
// Layout: [ "axon-token-cache", 3, fingerprint,
//           [[ids], [token_types], label, [words], [token_words]]... ].
#include "runtime/data/tokenized_examples.hpp"

#include "runtime/whole_file.hpp"

#include <msgpack.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace axon::data {

namespace {
constexpr const char* cache_magic = "axon-token-cache";
constexpr int cache_version = 3;
// Bounds for untrusted input: no array longer than 64 M entries, strings up to 1 MiB.
const msgpack::unpack_limit cache_limits(std::size_t{1} << 26, 0, std::size_t{1} << 20, 0, 0, 4);
} // namespace

tokenized_example encode_example(const wordpiece_tokenizer& tokenizer, std::string_view text,
                                 std::size_t max_len, bool keep_words) {
  if (!keep_words) {
    auto encoded = tokenizer.encode(text, max_len);
    return {std::move(encoded.ids), std::move(encoded.token_types), 0, {}, {}, {}};
  }
  auto words = tokenizer.words(text);
  const std::size_t room = max_len > 2 ? max_len - 2 : 0;
  tokenized_example example;
  const auto& vocab = tokenizer.vocab();
  example.ids.push_back(vocab.cls_id());
  example.token_words.push_back(-1);
  for (std::size_t k = 0; k < words.size() && example.ids.size() < room + 1; ++k) {
    tokenizer.add_word_pieces(words[k], example.ids);
    example.token_words.resize(example.ids.size(), static_cast<std::int32_t>(k));
  }
  example.ids.resize(std::min(example.ids.size(), room + 1));
  example.token_words.resize(example.ids.size());
  example.ids.push_back(vocab.sep_id());
  example.token_words.push_back(-1);
  example.token_types.assign(example.ids.size(), 0);
  example.words = std::move(words); // all of them: a mention cut by max_len still links
  return example;
}

std::vector<std::int32_t> entities_of_tokens(const tokenized_example& example,
                                             const std::vector<std::int32_t>& entity_per_word) {
  if (entity_per_word.size() != example.words.size())
    throw data_error("linking gave " + std::to_string(entity_per_word.size()) +
                     " entity ids for a text of " + std::to_string(example.words.size()) +
                     " words");
  std::vector<std::int32_t> entities(example.token_words.size(), -1);
  for (std::size_t t = 0; t < entities.size(); ++t)
    if (example.token_words[t] >= 0)
      entities[t] = entity_per_word[static_cast<std::size_t>(example.token_words[t])];
  return entities;
}

std::vector<tokenized_example> tokenize_dataset(const wordpiece_tokenizer& tokenizer,
                                                const labelled_dataset& data,
                                                std::size_t max_len, bool keep_words) {
  std::vector<tokenized_example> examples;
  examples.reserve(data.texts.size());
  for (std::size_t row = 0; row < data.texts.size(); ++row) {
    examples.push_back(encode_example(tokenizer, data.texts[row], max_len, keep_words));
    examples.back().label = data.labels[row];
  }
  return examples;
}

void write_token_cache(const std::string& file, const std::string& fingerprint,
                       const std::vector<tokenized_example>& examples) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pack(buffer);
  pack.pack_array(3 + static_cast<std::uint32_t>(examples.size()));
  pack.pack(cache_magic);
  pack.pack(cache_version);
  pack.pack(fingerprint);
  for (const auto& example : examples) {
    pack.pack_array(5);
    pack.pack(example.ids);
    pack.pack(example.token_types);
    pack.pack(example.label);
    pack.pack(example.words);
    pack.pack(example.token_words);
  }
  const std::string temporary = file + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (!out.flush())
      throw data_error(temporary + ": cannot write the token cache");
  }
  if (std::rename(temporary.c_str(), file.c_str()) != 0)
    throw data_error(file + ": cannot rename the token cache into place");
}

std::vector<tokenized_example> read_token_cache(const std::string& file,
                                                const std::string& expected_fingerprint) {
  const auto read = read_whole_file(file);
  if (!read.error.empty())
    throw data_error(file + ": the token cache " + read.error);
  const std::string& bytes = read.bytes;
  auto fail = [&](const std::string& what) { return data_error(file + ": " + what); };
  msgpack::object_handle handle;
  try {
    std::size_t offset = 0;
    handle = msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, cache_limits);
    if (offset != bytes.size())
      throw fail("trailing bytes after the token cache");
  } catch (const msgpack::unpack_error& e) {
    throw fail(std::string{"not a valid token cache (msgpack: "} + e.what() + ")");
  }
  const msgpack::object& root = handle.get();
  try {
    if (root.type != msgpack::type::ARRAY || root.via.array.size < 3 ||
        root.via.array.ptr[0].as<std::string>() != cache_magic)
      throw fail("not an axon token cache");
    if (root.via.array.ptr[1].as<int>() != cache_version)
      throw fail("token cache version " + std::to_string(root.via.array.ptr[1].as<int>()) +
                 " is not supported (expected " + std::to_string(cache_version) + ")");
    if (root.via.array.ptr[2].as<std::string>() != expected_fingerprint)
      throw fail("the token cache was made from other data or settings (stale)");
    std::vector<tokenized_example> examples;
    examples.reserve(root.via.array.size - 3);
    for (std::uint32_t i = 3; i < root.via.array.size; ++i) {
      const auto& row = root.via.array.ptr[i];
      if (row.type != msgpack::type::ARRAY || row.via.array.size != 5)
        throw fail("malformed example " + std::to_string(i - 3));
      tokenized_example example{row.via.array.ptr[0].as<std::vector<std::int32_t>>(),
                                row.via.array.ptr[1].as<std::vector<std::int32_t>>(),
                                row.via.array.ptr[2].as<std::int32_t>(),
                                {},
                                row.via.array.ptr[3].as<std::vector<std::string>>(),
                                row.via.array.ptr[4].as<std::vector<std::int32_t>>()};
      const auto words = static_cast<std::int32_t>(example.words.size());
      const bool words_fit = std::all_of(example.token_words.begin(), example.token_words.end(),
                                         [&](std::int32_t w) { return w >= -1 && w < words; });
      if (example.ids.size() != example.token_types.size()
          || (!example.token_words.empty() && example.token_words.size() != example.ids.size())
          || !words_fit)
        throw fail("example " + std::to_string(i - 3)
                   + " has ids, token types or token words of unequal length or out of range");
      examples.push_back(std::move(example));
    }
    return examples;
  } catch (const msgpack::type_error&) {
    throw fail("malformed token cache (unexpected types)");
  }
}

} // namespace axon::data
