// Writes the seeds that Axon's own encoders make (run by hand when a format changes):
//   build-cpu/test/fuzz/make_fuzz_seeds test/fuzz/corpus
// messages/: real messages as a node puts them on the wire (binary_serializer), each after
// fuzz_messages' selector byte; manifest/: checkpoint manifests; safetensors/: small files.
#include "actors/bert/messages.hpp"
#include "actors/jobs/messages.hpp"
#include "actors/kg/messages.hpp"
#include "runtime/checkpoint/manifest.hpp"
#include "runtime/safetensors.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/message.hpp>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

using namespace axon;

namespace {

tensor counting(shape dims, dtype type) {
  auto t = tensor::empty(dims, type);
  auto* bytes = static_cast<unsigned char*>(t.raw());
  for (std::size_t i = 0; i < t.nbytes(); ++i)
    bytes[i] = static_cast<unsigned char>(i * 7 + 1);
  return t;
}

template <class T>
void write_seed(caf::actor_system& sys, const std::string& dir, const std::string& name,
                unsigned char selector, const T& value) {
  std::vector<char> bytes{static_cast<char>(selector)};
  std::vector<char> body;
  caf::binary_serializer sink{sys, body};
  if (auto err = sink(const_cast<T&>(value))) {
    std::cerr << "cannot serialize " << name << "\n";
    std::exit(1);
  }
  bytes.insert(bytes.end(), body.begin(), body.end());
  std::ofstream{dir + "/" + name, std::ios::binary}.write(bytes.data(), std::streamsize(bytes.size()));
}

// fuzz_messages' selector of T: 1 + its index in the blocks core, bert, kg, jobs in turn.
template <class T>
unsigned char selector_of() {
  const caf::type_id_t id = caf::type_id<T>::value;
  std::size_t offset = 1;
  for (auto [begin, end] : {std::pair{caf::id_block::axon_core::begin, caf::id_block::axon_core::end},
                            std::pair{caf::id_block::axon_bert::begin, caf::id_block::axon_bert::end},
                            std::pair{caf::id_block::axon_kg::begin, caf::id_block::axon_kg::end},
                            std::pair{caf::id_block::axon_jobs::begin, caf::id_block::axon_jobs::end}}) {
    if (id >= begin && id < end)
      return static_cast<unsigned char>(offset + (id - begin));
    offset += end - begin;
  }
  std::cerr << "a type outside Axon's blocks\n";
  std::exit(1);
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_fuzz_seeds CORPUS_FOLDER\n";
    return 2;
  }
  const std::string corpus = argv[1], dir = corpus + "/messages";
  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::axon_core>();
  cfg.add_message_types<caf::id_block::axon_bert>();
  cfg.add_message_types<caf::id_block::axon_kg>();
  cfg.add_message_types<caf::id_block::axon_jobs>();
  caf::actor_system sys{cfg};

  msg::micro_batch micro;
  micro.id = {7, 1, 0, 2, 3};
  micro.ids = counting(shape{2, 4}, dtype::i32);
  micro.types = counting(shape{2, 4}, dtype::i32);
  micro.mask = counting(shape{2, 4}, dtype::i32);
  micro.labels = counting(shape{2}, dtype::i32);
  micro.global_rows = 2;
  micro.epoch = 1;
  micro.position = 40;
  micro.offsets = counting(shape{2}, dtype::i32); // as a documents micro-batch carries
  micro.document_position = 20;
  msg::forward_msg forward{micro, counting(shape{2, 4, 3}, dtype::f32)};
  msg::grads_msg grads{5, 1, 0, counting(shape{6}, dtype::bf16)};
  msg::params_msg params{3, 8, counting(shape{4}, dtype::f32)};
  data::batch batch{micro.ids, micro.types, micro.mask, micro.labels, {},
                    counting(shape{2}, dtype::i32), 1, 0, {1, 2}, false};
  msg::kg_rows_msg kg_rows{};
  kg_rows.ids = {1, 2};
  kg_rows.rows = counting(shape{2, 3}, dtype::f32);

  write_seed(sys, dir, "tensor", selector_of<tensor>(), counting(shape{3, 2}, dtype::f32));
  write_seed(sys, dir, "tensor_undefined", selector_of<tensor>(), tensor{});
  write_seed(sys, dir, "micro_batch", selector_of<msg::micro_batch>(), micro);
  write_seed(sys, dir, "forward_msg", selector_of<msg::forward_msg>(), forward);
  write_seed(sys, dir, "grads_msg", selector_of<msg::grads_msg>(), grads);
  write_seed(sys, dir, "params_msg", selector_of<msg::params_msg>(), params);
  write_seed(sys, dir, "batch", selector_of<data::batch>(), batch);
  write_seed(sys, dir, "kg_rows_msg", selector_of<msg::kg_rows_msg>(), kg_rows);
  write_seed(sys, dir, "shard_work_msg", selector_of<msg::shard_work_msg>(),
             msg::shard_work_msg{{micro, micro}});
  write_seed(sys, dir, "bert_config", selector_of<bert::bert_config>(), bert::bert_config{});
  write_seed(sys, dir, "message_forward", 0, caf::make_message(forward));
  write_seed(sys, dir, "message_two", 0, caf::make_message(grads, params));

  checkpoint::manifest info;
  info.step = 40;
  info.epoch = 2;
  info.optimizer_step = 40;
  info.cursor = {2, 16, {1, 2, 3, 4}};
  info.rng_states = {{"dropout_seed", 7}};
  info.config_hash = "0123abcd";
  info.best_metric = 0.75;
  info.metrics_history = R"([{"step":20,"macro_f1":0.5}])";
  info.files = {{"model.safetensors", 1234, std::string(64, 'a')},
                {"vocab.txt", 12, std::string(64, 'b')}};
  info.run_files = {{"labels.txt", 24, std::string(64, 'c')}};
  // fuzz_manifest's first byte: 0, the file as it is; 1, the map alone (the target appends
  // its checksum: 66 bytes, a str8 of 64 hex digits).
  for (const auto& [name, value] : {std::pair{"full", info}, std::pair{"empty", checkpoint::manifest{}}}) {
    const auto bytes = checkpoint::encode_manifest(value);
    std::ofstream{corpus + "/manifest/" + name} << '\0' << bytes;
    std::ofstream{corpus + "/manifest/" + name + "_map"} << '\1' << bytes.substr(0, bytes.size() - 66);
  }

  write_safetensors(corpus + "/safetensors/three_dtypes",
                    {{"bert.embeddings.word_embeddings.weight", counting(shape{4, 3}, dtype::f32)},
                     {"half", counting(shape{2, 2}, dtype::bf16)},
                     {"ids", counting(shape{5}, dtype::i32)}},
                    {{"format", "pt"}});
  write_safetensors(corpus + "/safetensors/scalar_and_empty",
                    {{"scalar", counting(shape{}, dtype::f32)}, {"empty", counting(shape{0, 3}, dtype::f32)}});
  std::cout << "seeds written to " << corpus << "\n";
  return 0;
}
