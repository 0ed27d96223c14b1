// `axon serve` with model replicas on the GPU (placement.devices): a tiny run trained on
// the CPU here, the real binary serving it on a free loopback port. A replica on cuda:0
// answers as `axon predict` does on the CPU (f32: within 1e-5; the GEMMs sum in another
// order); replicas on the CPU and the GPU serve one stream of requests together; with
// compute.precision = bf16 the answers move off the CPU's a little (so the GPU did
// compute them); a run that fuses a KG links the same entities on the GPU; a
// chunked run (data.long-text = chunk) classifies its documents' windows there.
#include "test/support/served_run.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace axon::test;
using json = nlohmann::json;

namespace {

const auto& sentences = serve_sentences;

// Tiny runs trained once for the suite (one fusing the generated KG), removed at exit.
struct gpu_setting {
  temp_dir dir;
  fs::path run_dir = dir.path / "run";
  fs::path kg_run_dir = dir.path / "kg-run";
  fs::path chunked_run_dir = dir.path / "chunked-run";
  gpu_setting() {
    const auto data = dir.path / "data";
    make_serve_data(data);
    train_tiny_run(data, run_dir, dir.path / "run.ini");
    train_tiny_run(data, kg_run_dir, dir.path / "kg-run.ini",
                   "[kg]\ntriples = \"" + (data / "kg/triples.tsv").string() + "\"\naliases = \""
                     + (data / "kg/aliases.tsv").string() + "\"\ndim = 8\n");
    // Windows of 8 tokens: every sentence is a document of several windows.
    train_tiny_run(data, chunked_run_dir, dir.path / "chunked-run.ini",
                   "[data]\nlong-text = \"chunk\"\nchunk-len = 8\nchunk-stride = 2\n"
                   "[model]\nwindow-pooling = \"attention\"\n");
  }
  std::vector<json> predict(const std::vector<std::string>& lines, const fs::path& run) const {
    return predict_json(run, lines, dir.path / "predict.txt");
  }
  fs::path log(const std::string& name) const { return dir.path / (name + ".log"); }
};

const gpu_setting& the_setting() {
  static gpu_setting instance;
  return instance;
}

// Every replica on cuda:0 and every text in one batch (predict's batch composition), then
// `more` flags.
std::vector<std::string> one_batch_on_cuda0(const std::vector<std::string>& more = {}) {
  return serving_process::with_flags(
    {"--serve.max-batch=64", "--serve.max-wait=100ms", "--placement.devices=[\"replica*=cuda:0\"]"},
    more);
}

} // namespace

BOOST_AUTO_TEST_SUITE(serve_gpu)

BOOST_AUTO_TEST_CASE(a_replica_on_the_gpu_answers_as_predict_does_on_the_cpu) {
  const auto& s = the_setting();
  serving_process service{s.run_dir, one_batch_on_cuda0(), s.log("gpu")};
  check_equals_predict(service.classify(sentences), s.predict(sentences, s.run_dir), 1e-5);
  // One text at a time: batches of one on the device.
  for (const auto& text : sentences)
    check_equals_predict(service.classify({text}), s.predict({text}, s.run_dir), 1e-5);
}

BOOST_AUTO_TEST_CASE(bf16_gemms_on_the_gpu_move_the_probabilities_a_little) {
  const auto& s = the_setting();
  serving_process service{s.run_dir,
                          one_batch_on_cuda0({"--compute.precision=bf16"}),
                          s.log("bf16")};
  const auto expected = s.predict(sentences, s.run_dir);
  auto r = service.classify(sentences);
  BOOST_REQUIRE(r && r->status == 200);
  const auto got = json::parse(r->body)["predictions"];
  double largest = 0;
  for (std::size_t i = 0; i < sentences.size(); ++i)
    for (const auto& [label, p] : expected[i]["probabilities"].items())
      largest = std::max(largest,
                         std::abs(got[i]["probabilities"][label].get<double>() - p.get<double>()));
  // bf16 rounds every GEMM input to 8 bits of mantissa: the CPU's f32 path cannot give this.
  BOOST_TEST(largest > 1e-6);
  BOOST_TEST(largest < 0.05);
}

BOOST_AUTO_TEST_CASE(replicas_on_the_cpu_and_the_gpu_serve_one_stream_of_requests) {
  const auto& s = the_setting();
  // replica0 on the CPU, replica1 and replica2 sharing one copy of the weights on cuda:0.
  serving_process service{s.run_dir,
                          {"--serve.replicas=3", "--serve.max-batch=1", "--serve.max-wait=0ms",
                           "--placement.devices=[\"replica0=cpu\", \"replica*=cuda:0\"]"},
                          s.log("mixed")};
  const auto expected = s.predict(sentences, s.run_dir);
  std::atomic<int> answered{0}, wrong{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 6; ++c)
    clients.emplace_back([&, c] {
      for (int k = 0; k < 12; ++k) {
        const auto i = static_cast<std::size_t>((c + k) % sentences.size());
        auto r = service.classify({sentences[i]});
        if (!r || r->status != 200) {
          ++wrong;
          continue;
        }
        const auto got = json::parse(r->body)["predictions"][0];
        for (const auto& [label, p] : expected[i]["probabilities"].items())
          if (std::abs(got["probabilities"][label].get<double>() - p.get<double>()) > 1e-5)
            ++wrong;
        ++answered;
      }
    });
  for (auto& t : clients)
    t.join();
  BOOST_TEST(answered.load() == 72);
  BOOST_TEST(wrong.load() == 0);
}

BOOST_AUTO_TEST_CASE(a_kg_run_on_the_gpu_links_the_entities_predict_links) {
  const auto& s = the_setting();
  serving_process service{s.kg_run_dir,
                          one_batch_on_cuda0(),
                          s.log("kg")};
  const auto expected = s.predict(sentences, s.kg_run_dir);
  auto answer = check_equals_predict(service.classify(sentences), expected, 1e-5);
  for (std::size_t i = 0; i < sentences.size(); ++i)
    BOOST_TEST(answer["predictions"][i]["entities"] == expected[i]["entities"]);
}

BOOST_AUTO_TEST_CASE(a_chunked_run_on_the_gpu_classifies_documents_as_predict_does) {
  const auto& s = the_setting();
  serving_process service{s.chunked_run_dir,
                          one_batch_on_cuda0(),
                          s.log("chunked")};
  check_equals_predict(service.classify(sentences), s.predict(sentences, s.chunked_run_dir),
                       1e-5);
}

BOOST_AUTO_TEST_SUITE_END()
