// The rules across keys of an `axon train` config: each names the keys it reads, and
// returns what to fix ("" when the config keeps the rule). train_schema.cpp holds the keys.
#include "runtime/config/train_rules.hpp"

#include "runtime/config/cluster_settings.hpp"
#include "runtime/config/device_settings.hpp"
#include "runtime/config/memory_check.hpp"
#include "runtime/config/resolved_config.hpp"
#include "runtime/data/split.hpp"

#include <string>

namespace axon::config {

namespace {

std::string show(const resolved_config& cfg, const std::string& key) {
  return key + " = " + std::to_string(cfg.get_int(key));
}

} // namespace

std::vector<rule> train_rules() {
  return {
    {"kg.triples and kg.aliases are set together",
     {"kg.triples", "kg.aliases", "kg.embeddings"},
     [](const resolved_config& cfg) -> std::string {
       bool triples = !cfg.get_string("kg.triples").empty();
       if (triples != !cfg.get_string("kg.aliases").empty())
         return "set both kg.triples and kg.aliases (the entities and how the text names them), "
                "or neither";
       if (!triples && !cfg.get_string("kg.embeddings").empty())
         return "kg.embeddings needs kg.triples and kg.aliases";
       return "";
     }},
    {"data.path (one file to split) or data.train (with optional data.dev and data.test), "
     "not both; neither in a pretraining config (pretrain.corpus set)",
     {"data.path", "data.train", "data.dev", "data.test", "pretrain.corpus"},
     [](const resolved_config& cfg) -> std::string {
       bool has_path = !cfg.get_string("data.path").empty();
       bool has_splits = !cfg.get_string("data.train").empty() ||
                         !cfg.get_string("data.dev").empty() ||
                         !cfg.get_string("data.test").empty();
       if (has_path && has_splits)
         return "data.path and data.train/dev/test exclude each other: set one";
       if (!has_path && cfg.get_string("data.train").empty()
           && cfg.get_strings("pretrain.corpus").empty())
         return "set data.path (one labelled file to split) or data.train (with optional "
                "data.dev, data.test)";
       return "";
     }},
    {"data.split has three ratios (train, dev, test) summing to 1",
     {"data.split"},
     [](const resolved_config& cfg) -> std::string {
       return data::split_ratios_problem(cfg.get_reals("data.split")); // `axon data split` too
     }},
    {"data.max-len <= model.max-positions (classification configs)",
     {"data.max-len", "model.max-positions"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_int("data.max-len") > cfg.get_int("model.max-positions")
           && cfg.get_strings("pretrain.corpus").empty())
         return show(cfg, "data.max-len") + " exceeds " + show(cfg, "model.max-positions");
       return "";
     }},
    {"data.chunk-stride < data.chunk-len - 2 (data.long-text = chunk: each window advances)",
     {"data.chunk-stride", "data.chunk-len", "data.long-text"},
     [](const resolved_config& cfg) -> std::string {
       const auto content = cfg.get_int("data.chunk-len") - 2;
       if (cfg.get_string("data.long-text") == "chunk" && cfg.get_int("data.chunk-stride") >= content)
         return show(cfg, "data.chunk-stride") + " is not below the " +
                std::to_string(content) + " text tokens of a window (" +
                show(cfg, "data.chunk-len") + " less [CLS] and [SEP]): the windows would "
                "not advance";
       return "";
     }},
    {"data.chunk-len <= model.max-positions (data.long-text = chunk)",
     {"data.chunk-len", "model.max-positions", "data.long-text"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_string("data.long-text") == "chunk"
           && cfg.get_int("data.chunk-len") > cfg.get_int("model.max-positions"))
         return show(cfg, "data.chunk-len") + " exceeds " + show(cfg, "model.max-positions") +
                ": every position of a window needs an embedding";
       return "";
     }},
    {"model.hidden is divisible by model.heads",
     {"model.hidden", "model.heads"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_int("model.hidden") % cfg.get_int("model.heads") != 0)
         return show(cfg, "model.hidden") + " is not divisible by " + show(cfg, "model.heads");
       return "";
     }},
    {"train.max-steps is -1 or positive",
     {"train.max-steps"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_int("train.max-steps") == 0)
         return "train.max-steps = 0 trains nothing: use -1 (epochs decide) or a step count";
       return "";
     }},
    {"train.batch-size (the global batch, which the shards split) is at least placement.shards "
     "x train.micro-batches",
     {"train.batch-size", "placement.shards", "train.micro-batches"},
     [](const resolved_config& cfg) -> std::string {
       auto parts = cfg.get_int("placement.shards") * cfg.get_int("train.micro-batches");
       if (cfg.get_int("train.batch-size") < parts)
         return show(cfg, "train.batch-size") + " is smaller than placement.shards x " +
                "train.micro-batches = " + std::to_string(parts) +
                ": every micro-batch of a full batch needs a row";
       return "";
     }},
    {"monitor.start-paused needs the inspection endpoint (monitor.port not -1)",
     {"monitor.start-paused", "monitor.port"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_bool("monitor.start-paused") && cfg.get_int("monitor.port") < 0)
         return "monitor.start-paused = true with monitor.port = -1: nothing could resume the "
                "job; set monitor.port (0: a free port)";
       return "";
     }},
    {"placement.shards <= placement.max-shards",
     {"placement.shards", "placement.max-shards"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_int("placement.shards") > cfg.get_int("placement.max-shards"))
         return show(cfg, "placement.shards") + " exceeds " + show(cfg, "placement.max-shards");
       return "";
     }},
    {"eval.mode is max for accuracy and macro_f1, min for loss",
     {"eval.metric", "eval.mode"},
     [](const resolved_config& cfg) -> std::string {
       const auto& metric = cfg.get_string("eval.metric");
       const std::string mode = metric == "loss" ? "min" : "max";
       if (cfg.get_string("eval.mode") != mode)
         return "eval.metric=" + metric + " needs eval.mode=" + mode;
       return "";
     }},
    {"cluster.nodes are NAME=HOST:PORT with unique names; placement.nodes are PATTERN=NODE "
     "naming listed nodes (or local); TLS files all or none, and required to bind or connect "
     "beyond loopback; cluster.heartbeat <= cluster.timeout / 2",
     {"cluster.nodes", "placement.nodes", "cluster.bind", "cluster.tls-certificate",
      "cluster.tls-key", "cluster.tls-ca", "cluster.heartbeat", "cluster.timeout"},
     [](const resolved_config& cfg) { return cluster::check_cluster_keys(cfg); }},
    {"monitor.tls-* all or none; monitor.bind off loopback requires them",
     {"monitor.bind", "monitor.port", "monitor.tls-certificate", "monitor.tls-key",
      "monitor.tls-ca"},
     [](const resolved_config& cfg) -> std::string {
       int set = 0;
       for (const char* key : {"monitor.tls-certificate", "monitor.tls-key", "monitor.tls-ca"})
         set += !cfg.get_string(key).empty();
       if (set != 0 && set != 3)
         return "monitor.tls-certificate, monitor.tls-key and monitor.tls-ca are set together";
       if (set == 3 || cfg.get_int("monitor.port") < 0
           || cluster::is_loopback(cfg.get_string("monitor.bind")))
         return "";
       return show(cfg, "monitor.bind") + " is not loopback: without monitor.tls-* the control "
              "token would cross the network in clear. Set monitor.tls-certificate, -key and "
              "-ca (docs/security.md), or keep 127.0.0.1 and use an SSH tunnel; for "
              "dashboards, monitor.prometheus-bind serves the metrics alone off loopback";
     }},
    {"serve.tls-certificate and serve.tls-key together; serve.bind beyond loopback needs "
     "both and serve.token-file",
     {"serve.bind", "serve.tls-certificate", "serve.tls-key", "serve.token-file"},
     [](const resolved_config& cfg) -> std::string {
       const bool cert = !cfg.get_string("serve.tls-certificate").empty();
       if (cert != !cfg.get_string("serve.tls-key").empty())
         return "set both serve.tls-certificate and serve.tls-key, or neither";
       if (!cluster::is_loopback(cfg.get_string("serve.bind"))
           && (!cert || cfg.get_string("serve.token-file").empty()))
         return "serve.bind = " + cfg.get_string("serve.bind")
                + " is beyond loopback: set serve.tls-certificate, serve.tls-key and "
                  "serve.token-file (HTTPS with a bearer token), or bind 127.0.0.1";
       return "";
     }},
    {"model.max-seq <= model.max-positions (pretraining configs)",
     {"model.max-seq", "model.max-positions"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_int("model.max-seq") > cfg.get_int("model.max-positions")
           && !cfg.get_strings("pretrain.corpus").empty())
         return show(cfg, "model.max-seq") + " exceeds " + show(cfg, "model.max-positions");
       return "";
     }},
    {"pretrain.max-steps or pretrain.max-minutes sets a budget",
     {"pretrain.max-steps", "pretrain.max-minutes"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_int("pretrain.max-steps") == 0 && cfg.get_real("pretrain.max-minutes") == 0)
         return "pretrain.max-steps = 0 and pretrain.max-minutes = 0: pretraining needs a "
                "budget";
       return "";
     }},
    {"placement.devices are PATTERN=DEVICE (cpu, cuda or cuda:N); compute.tf32 only with "
     "compute.precision = f32; compute.attention = fused only with devices",
     {"placement.devices", "compute.precision", "compute.tf32", "compute.attention"},
     [](const resolved_config& cfg) -> std::string { return check_device_keys(cfg); }},
    {"placement.stages <= model.layers + 2 (embeddings and head may be stages of their own)",
     {"placement.stages", "model.layers"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_int("placement.stages") > cfg.get_int("model.layers") + 2)
         return show(cfg, "placement.stages") + " exceeds model.layers + 2 = " +
                std::to_string(cfg.get_int("model.layers") + 2);
       return "";
     }},
    {"a single-process job's model and batch fit this process's memory (physical or its "
     "cgroup's limit)",
     {"model.hidden", "model.layers", "model.intermediate", "train.batch-size",
      "placement.shards"},
     [](const resolved_config& cfg) { return check_job_memory(cfg); }},
  };
}

} // namespace axon::config
