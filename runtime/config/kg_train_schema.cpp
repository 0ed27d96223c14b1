// Every key of an `axon kg train` config, one line each, then the rules across keys.
#include "runtime/config/kg_train_schema.hpp"

#include "runtime/config/resolved_config.hpp"

namespace axon::config {

namespace {

std::vector<group_spec> groups() {
  return {
    {"graph", "The knowledge graph to embed and where the embeddings go."},
    {"transe", "TransE training: L2 distance, softmax cross-entropy over shared negatives, "
               "Adam."},
    {"rgcn", "R-GCN-style refinement after TransE: message-passing layers (one transform per "
             "relation and direction) trained with TransE's loss on their output; the saved "
             "entity embeddings are the refined ones. Batches, negatives and evaluation as "
             "[transe]."},
  };
}

std::vector<key_spec> keys() {
  return {
    path_key("graph", "benchmark", "",
             "folder with train/valid/test splits (train.txt or .tsv...): trained on train, "
             "best epoch by valid, filtered metrics on test"),
    path_key("graph", "triples", "", "one triples file, all of it trained on (instead of "
                                     "graph.benchmark; no evaluation)"),
    path_key("graph", "out", "runs/kg",
             "output folder: entities.txt, relations.txt, embeddings.safetensors"),

    int_key("transe", "dim", 200, "[1, 4096]", "embedding width (kg.dim of a fusion job)"),
    int_key("transe", "batch-size", 1024, "[1, 1048576]", "triples per step"),
    int_key("transe", "negatives", 1024, "[1, 1048576]",
            "shared negative entities per step and direction"),
    real_key("transe", "lr", 1e-2, "(0, 1]", "Adam learning rate"),
    int_key("transe", "epochs", 100, "[1, 100000]", "passes over the training triples"),
    real_key("transe", "time-budget", 0.0, "[0, inf)",
             "seconds of training after which no new epoch starts; 0: no limit"),
    int_key("transe", "eval-every", 5, "[1, 100000]", "epochs between validation evaluations"),
    int_key("transe", "eval-sample", 2000, "[1, 100000000]",
            "validation triples evaluated during training (a seeded sample)"),
    int_key("transe", "seed", 0, "[0, inf)", "seed of initialisation, order and negatives"),
    int_key("transe", "shards", 2, "[0, 1024]",
            "entity-shard actors owning the entity embeddings; 0: the single-loop reference"),

    int_key("rgcn", "layers", 0, "[0, 8]",
            "message-passing layers (each reaches one hop further); 0: no refinement"),
    int_key("rgcn", "epochs", 20, "[1, 100000]", "passes over the training triples"),
    real_key("rgcn", "lr", 1e-3, "(0, 1]",
             "Adam learning rate of the layers, the entity and the relation tables"),
  };
}

std::vector<rule> rules() {
  return {
    {"graph.benchmark or graph.triples, not both",
     {"graph.benchmark", "graph.triples"},
     [](const resolved_config& cfg) -> std::string {
       if (cfg.get_string("graph.benchmark").empty() == cfg.get_string("graph.triples").empty())
         return "set graph.benchmark (a folder with train/valid/test) or graph.triples (one "
                "file), not both";
       return "";
     }},
  };
}

} // namespace

const std::string_view kg_train_docs_introduction = R"(# `axon kg train` config reference

<!-- Generated from runtime/config/kg_train_schema.cpp: `axon kg docs > docs/kg-config.md`.
     test_config fails when this file and the schema differ. -->

`axon kg train CONFIG [--group.key=value ...]` reads a config in the INI format of
[config.md](config.md) (the same value syntax, errors and command-line overrides), with
the groups below. See [kg.md](kg.md) for the method.

```ini
[graph]
benchmark = "../shared/data/nations"
out = "runs/kg-nations"

[transe]
dim = 32
epochs = 100
```
)";

const schema& kg_train_schema() {
  static const schema instance(groups(), keys(), rules());
  return instance;
}

} // namespace axon::config
