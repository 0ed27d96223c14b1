// Dataset tokenization and the msgpack token cache (see tokenized_examples.hpp).
// Layout: [ "axon-token-cache", 2, fingerprint, [[ids], [token_types], label, [entities]]... ].
#include "runtime/data/tokenized_examples.hpp"

#include <msgpack.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace axon::data {

namespace {
constexpr const char* cache_magic = "axon-token-cache";
constexpr int cache_version = 2;
// Bounds for untrusted input: no array longer than 64 M entries, strings up to 1 MiB.
const msgpack::unpack_limit cache_limits(std::size_t{1} << 26, 0, std::size_t{1} << 20, 0, 0, 4);
} // namespace

tokenized_example encode_example(const wordpiece_tokenizer& tokenizer, std::string_view text,
                                 std::size_t max_len, const word_linker& link) {
  if (!link) {
    auto encoded = tokenizer.encode(text, max_len);
    return {std::move(encoded.ids), std::move(encoded.token_types), 0, {}};
  }
  const auto words = tokenizer.words(text);
  const auto entity_of_word = link(words);
  const std::size_t room = max_len > 2 ? max_len - 2 : 0;
  tokenized_example example;
  const auto& vocab = tokenizer.vocab();
  example.ids.push_back(vocab.cls_id());
  example.entities.push_back(-1);
  for (std::size_t k = 0; k < words.size() && example.ids.size() < room + 1; ++k) {
    tokenizer.add_word_pieces(words[k], example.ids);
    example.entities.resize(example.ids.size(), entity_of_word.at(k));
  }
  example.ids.resize(std::min(example.ids.size(), room + 1));
  example.entities.resize(example.ids.size());
  example.ids.push_back(vocab.sep_id());
  example.entities.push_back(-1);
  example.token_types.assign(example.ids.size(), 0);
  return example;
}

std::vector<tokenized_example> tokenize_dataset(const wordpiece_tokenizer& tokenizer,
                                                const labelled_dataset& data,
                                                std::size_t max_len, const word_linker& link) {
  std::vector<tokenized_example> examples;
  examples.reserve(data.texts.size());
  for (std::size_t row = 0; row < data.texts.size(); ++row) {
    examples.push_back(encode_example(tokenizer, data.texts[row], max_len, link));
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
    pack.pack_array(4);
    pack.pack(example.ids);
    pack.pack(example.token_types);
    pack.pack(example.label);
    pack.pack(example.entities);
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
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw data_error(file + ": cannot open the token cache");
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
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
      if (row.type != msgpack::type::ARRAY || row.via.array.size != 4)
        throw fail("malformed example " + std::to_string(i - 3));
      tokenized_example example{row.via.array.ptr[0].as<std::vector<std::int32_t>>(),
                                row.via.array.ptr[1].as<std::vector<std::int32_t>>(),
                                row.via.array.ptr[2].as<std::int32_t>(),
                                row.via.array.ptr[3].as<std::vector<std::int32_t>>()};
      if (example.ids.size() != example.token_types.size()
          || (!example.entities.empty() && example.entities.size() != example.ids.size()))
        throw fail("example " + std::to_string(i - 3)
                   + " has ids, token types or entities of unequal length");
      examples.push_back(std::move(example));
    }
    return examples;
  } catch (const msgpack::type_error&) {
    throw fail("malformed token cache (unexpected types)");
  }
}

} // namespace axon::data
