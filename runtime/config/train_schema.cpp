// Every key of an `axon train` config: group, name, default, allowed values and help, one
// line each; the rules across keys are in train_rules.cpp. docs/config.md is rendered from
// this table (`axon config docs`); adding a key is adding one line here and regenerating it.
#include "runtime/config/train_schema.hpp"

#include "runtime/config/train_rules.hpp"

#include "runtime/config/values.hpp"

#include <chrono>
#include <string>

namespace axon::config {

namespace {

std::vector<group_spec> groups() {
  return {
    {"data", "Where the labelled text comes from, how it is split and tokenized."},
    {"model", "The BERT encoder and its classifier head."},
    {"train", "Optimizer, schedule, run directory and checkpoints."},
    {"eval", "Evaluation on the dev split, best-checkpoint metric and early stopping."},
    {"placement", "How the model is cut into actors (pipeline stages, data-parallel shards), "
                  "which node process runs each actor and which device it computes on."},
    {"compute", "Arithmetic of the actors placed on a CUDA device (placement.devices, "
                "docs/cuda.md); the CPU always computes in fp32."},
    {"cluster", "Node processes (`axon node`) that host actors, how they listen and how "
                "liveness is checked (docs/cluster.md). No nodes: one process."},
    {"monitor", "The job's inspection endpoint for `axon console` and Prometheus "
                "(docs/console.md, docs/protocol.md); not part of the job's identity."},
    {"kg", "Knowledge-graph fusion: entity linking and entity embeddings added at linked tokens."},
    {"serve", "The inference service `axon serve --run RUN_DIR` (docs/serving.md): where it "
              "listens, its dynamic batches, model replicas and request limits; not part of "
              "the job's identity."},
    {"pretrain", "MLM pretraining on raw text (`axon pretrain`, docs/pretraining.md): the corpus, "
                 "the masking, the held-out evaluation and the budget. The vocabulary is "
                 "data.vocab (empty: a WordPiece vocabulary of data.vocab-size trained on the "
                 "corpus), the optimizer and checkpoints are train.*."},
  };
}

std::vector<key_spec> keys() {
  return {
    path_key("data", "path", "", "one labelled file, split into train/dev/test by data.split"),
    path_key("data", "train", "", "training split file (instead of data.path)"),
    path_key("data", "dev", "", "dev split file, evaluated during training (optional)"),
    path_key("data", "test", "", "test split file, evaluated at the end (optional)"),
    choice_key("data", "format", {"auto", "csv", "tsv", "jsonl", "fpb"},
               "file format; auto: from the extension (.txt is Financial PhraseBank)"),
    string_key("data", "text-column", "text", "CSV/TSV header or JSONL key of the text"),
    string_key("data", "label-column", "label", "CSV/TSV header or JSONL key of the label"),
    choice_key("data", "encoding", {"auto", "utf-8", "latin-1"},
               "text encoding; auto: UTF-8 when the whole file is valid UTF-8, else Latin-1"),
    choice_key("data", "on-error", {"fail", "skip"},
               "a bad line stops the run (fail) or is skipped and counted (skip)"),
    real_list_key("data", "split", {0.8, 0.1, 0.1}, "(0, 1)",
                  "train, dev and test fractions of data.path, per label"),
    int_key("data", "split-seed", 13, "[0, inf)", "seed of the split's shuffle"),
    path_key("data", "vocab", "", "WordPiece vocab.txt; empty: build one from the train split"),
    int_key("data", "vocab-size", 8000, "[16, 1000000]", "size of a vocabulary built here"),
    bool_key("data", "cased", false, "keep case and accents (false: lower-case, strip accents)"),
    int_key("data", "max-len", 128, "[2, 65536]", "tokens per text, [CLS] and [SEP] included"),
    bool_key("data", "cache", true, "keep the tokenized splits in the run directory"),
    choice_key("data", "long-text", {"truncate", "chunk"},
               "texts longer than data.max-len: cut there (truncate), or split into windows "
               "of data.chunk-len tokens whose [CLS] vectors are pooled per document (chunk; "
               "docs/long-texts.md)"),
    int_key("data", "chunk-len", 128, "[3, 65536]",
            "data.long-text = chunk: tokens per window, [CLS] and [SEP] included"),
    int_key("data", "chunk-stride", 32, "[0, 65533]",
            "data.long-text = chunk: tokens two consecutive windows share (the overlap); "
            "below data.chunk-len - 2"),
    int_key("data", "max-chunks", 64, "[1, 1048576]",
            "data.long-text = chunk: windows per document; a longer document keeps its first "
            "data.max-chunks windows, its tail is dropped and counted in the log"),

    int_key("model", "hidden", 256, "[8, 16384]", "hidden size"),
    int_key("model", "layers", 4, "[1, 128]", "encoder layers"),
    int_key("model", "heads", 4, "[1, 256]", "attention heads"),
    int_key("model", "intermediate", 1024, "[1, 65536]", "feed-forward width"),
    int_key("model", "max-positions", 512, "[2, 65536]", "position embeddings"),
    int_key("model", "type-vocab-size", 2, "[1, 16]", "token-type (segment) embeddings"),
    bool_key("model", "pooler", true, "classify [CLS] through BERT's pooler (dense + tanh)"),
    choice_key("model", "window-pooling", {"mean", "attention"},
               "data.long-text = chunk: a document's vector from its windows' [CLS] vectors: "
               "their mean, or attention with a learned query (docs/long-texts.md)"),
    real_key("model", "layer-norm-eps", 1e-12, "(0, 0.1]", "LayerNorm epsilon"),
    real_key("model", "dropout", 0.1, "[0, 1)", "dropout on embeddings and hidden states"),
    real_key("model", "attention-dropout", 0.1, "[0, 1)", "dropout on attention probabilities"),
    path_key("model", "init", "",
             "weights to start from: a safetensors file (Hugging Face names), a Hugging Face "
             "model folder (its config.json sets the architecture), or an Axon checkpoint "
             "folder or run directory (e.g. of axon pretrain); empty: random"),
    int_key("model", "max-seq", 128, "[3, 65536]",
            "pretraining: tokens per packed sequence, [CLS] and [SEP] included"),

    path_key("train", "run-dir", "runs/finsent", "checkpoints, logs and the resolved config"),
    int_key("train", "epochs", 3, "[1, 100000]", "passes over the train split"),
    int_key("train", "batch-size", 32, "[1, 1048576]", "sequences per optimizer step"),
    int_key("train", "micro-batches", 1, "[1, 4096]", "micro-batches per step (accumulated)"),
    real_key("train", "lr", 5e-4, "(0, 1]", "peak learning rate"),
    choice_key("train", "schedule", {"linear", "cosine", "constant"},
               "learning rate decay after warmup"),
    real_key("train", "warmup-ratio", 0.1, "[0, 1]", "warmup steps as a fraction of all steps"),
    int_key("train", "warmup-steps", -1, "[-1, inf)", "warmup steps; -1: use warmup-ratio"),
    real_key("train", "weight-decay", 0.01, "[0, 1]", "AdamW weight decay"),
    real_key("train", "beta1", 0.9, "[0, 1)", "AdamW beta1"),
    real_key("train", "beta2", 0.999, "[0, 1)", "AdamW beta2"),
    real_key("train", "adam-eps", 1e-8, "(0, 0.1]", "AdamW epsilon"),
    real_key("train", "max-grad-norm", 1.0, "[0, inf)", "clip the global gradient norm; 0: off"),
    int_key("train", "seed", 42, "[0, inf)", "seed of weights, dropout and shuffling"),
    bool_key("train", "shuffle", true, "shuffle the train split every epoch"),
    int_key("train", "max-steps", -1, "[-1, inf)",
            "at most this many steps: the run ends at train.epochs or train.max-steps, "
            "whichever comes first; -1: epochs decide"),
    int_key("train", "threads", 0, "[0, 1024]", "compute threads, one per core; 0: all cores"),
    int_key("train", "log-every-steps", 10, "[1, inf)", "steps between training log lines"),
    int_key("train", "checkpoint-every-steps", 0, "[0, inf)",
            "steps between checkpoints; 0: at evaluations only"),
    int_key("train", "keep-checkpoints", 3, "[1, 1000]", "recent checkpoints kept (and the best)"),
    int_key("train", "credit-window", 2, "[1, 64]", "micro-batches in flight per pipeline stage"),
    int_key("train", "micro-windows", 64, "[1, 1048576]",
            "data.long-text = chunk: the most windows one micro-batch carries through the "
            "encoder; a step or evaluation whose micro-batches of whole documents would carry "
            "more runs in windows mode (memory bounded by it, not by document length; one "
            "more forward pass)"),
    int_key("train", "recovery-attempts", 3, "[0, 1000]",
            "recoveries from a lost actor or node in a row (no step completed between them) "
            "before the job gives up; 0: a lost actor ends the job"),

    int_key("eval", "every-steps", 0, "[0, inf)", "steps between evaluations; 0: epoch ends only"),
    choice_key("eval", "metric", {"accuracy", "macro_f1", "loss"},
               "dev metric that picks the best checkpoint"),
    choice_key("eval", "mode", {"max", "min"}, "whether a larger or smaller metric is better"),
    int_key("eval", "patience", 3, "[0, 10000]",
            "evaluations without improvement before stopping; 0: never stop early"),
    real_key("eval", "min-delta", 0.0, "[0, inf)", "smallest change that counts as improvement"),
    int_key("eval", "batch-size", 64, "[1, 1048576]", "sequences per evaluation batch"),

    int_key("placement", "stages", 1, "[1, 1024]", "pipeline stages (actors in a chain)"),
    int_key("placement", "shards", 1, "[1, 1024]", "data-parallel replicas of each stage"),
    int_key("placement", "max-shards", 64, "[1, 1024]",
            "most data-parallel replicas a running job may scale to (`scale shards N` from "
            "the console)"),
    bool_key("placement", "elastic", false,
             "nodes may join (`axon node --join`) and leave (SIGTERM) a running job: "
             "cluster.nodes absent at the start are not required, placement.nodes rules "
             "naming an absent node are skipped (docs/elastic.md)"),
    int_key("placement", "optimizer-slices", 1, "[1, 64]",
            "optimizer actors per stage, each owning a run of whole tensors (ZeRO-1)"),
    string_list_key("placement", "nodes", {},
                    "\"PATTERN=NODE\" rules over actor names (e.g. \"shard1*=worker2\"; "
                    "`axon serve`: \"replica0=worker1\"); the first match wins; unmatched "
                    "actors run locally"),
    string_list_key("placement", "devices", {},
                    "\"PATTERN=DEVICE\" rules over stage and optimizer actor names (e.g. "
                    "\"shard0.*=cuda:0\", \"optimizer*=cuda:0\"), DEVICE cpu, cuda or cuda:N; "
                    "the first match wins; unmatched actors compute on the CPU (`axon serve`: "
                    "\"replica*=cuda:0\" puts its model replicas on a GPU)"),

    choice_key("compute", "precision", {"f32", "bf16"},
               "GEMM inputs on a CUDA device: f32, or bf16 (rounded; fp32 accumulation and "
               "outputs)"),
    bool_key("compute", "tf32", false, "f32 GEMMs on a CUDA device use TF32 tensor cores"),
    choice_key("compute", "attention", {"gemm", "fused"},
               "attention on a CUDA device: gemm (cuBLAS, keeps the (B,NH,T,T) probabilities "
               "for backward) or fused (flash-style kernels, keeps (B,NH,T))"),

    string_list_key("cluster", "nodes", {},
                    "node processes as \"NAME=HOST:PORT\" (e.g. \"worker1=127.0.0.1:7101\")"),
    string_key("cluster", "bind", "127.0.0.1",
               "address `axon node` listens on; anything but loopback requires TLS"),
    timespan_key("cluster", "heartbeat", std::chrono::milliseconds{500}, "[10ms, 1min]",
                 "interval of heartbeats between connected processes"),
    timespan_key("cluster", "timeout", std::chrono::seconds{5}, "[100ms, 1h]",
                 "a node silent this long is down (also the limit for connecting)"),
    timespan_key("cluster", "rejoin-timeout", std::chrono::seconds{10}, "[0s, 1h]",
                 "how long recovery waits for a lost node process to come back before moving "
                 "its actors to a surviving process"),
    timespan_key("cluster", "elastic-timeout", std::chrono::seconds{60}, "[1s, 1h]",
                 "how long `axon node --join` waits for the running job to take it in, and "
                 "`axon node` on SIGTERM for the job to retire the actors it hosts before it "
                 "exits anyway (both happen between steps)"),
    int_key("cluster", "max-message-mb", 1024, "[1, 4095]",
            "largest BASP message (header's payload) a process accepts from a cluster "
            "connection, in MiB; a larger one is refused before allocation, logged, and its "
            "connection closed (docs/security.md)"),
    path_key("cluster", "tls-certificate", "", "PEM certificate of this process (TLS on when set)"),
    path_key("cluster", "tls-key", "", "PEM private key of that certificate"),
    path_key("cluster", "tls-ca", "", "PEM CA certificate that peers' certificates must chain to"),

    string_list_key("pretrain", "corpus", {},
                    "text files or folders (every file below; .gz or not), e.g. "
                    "[\"corpus/\", \"extra.txt.gz\"]"),
    choice_key("pretrain", "layout", {"lines", "paragraphs"},
               "a document per line, or documents separated by blank lines"),
    choice_key("pretrain", "encoding", {"utf-8", "latin-1"},
               "text encoding of the corpus; invalid UTF-8 is an error unless latin-1"),
    bool_key("pretrain", "dedup", false, "skip exact duplicate documents"),
    real_key("pretrain", "heldout-fraction", 0.01, "[0, 0.5]",
             "share of documents held out for MLM evaluation (chosen by a hash of the text)"),
    int_key("pretrain", "eval-sequences", 256, "[0, 1048576]",
            "held-out sequences evaluated; 0: no evaluation"),
    int_key("pretrain", "eval-every-steps", 200, "[0, inf)",
            "steps between held-out evaluations (and checkpoints); 0: at the end only"),
    real_key("pretrain", "mask-prob", 0.15, "(0, 1)",
             "share of tokens chosen as targets (each: 80% [MASK], 10% random, 10% kept)"),
    bool_key("pretrain", "whole-word", false, "choose whole words (a token and its ## pieces)"),
    int_key("pretrain", "max-steps", 1000, "[0, inf)", "stop after this many steps; 0: no limit"),
    real_key("pretrain", "max-minutes", 0.0, "[0, inf)",
             "stop after this much training time (resumes count on); 0: no limit"),
    int_key("pretrain", "vocab-sample-mb", 16, "[1, 65536]",
            "MiB of training text that a vocabulary built here is trained on"),

    int_key("monitor", "port", 0, "[-1, 65535]",
            "inspection endpoint port; 0: a free port (in RUN_DIR/monitor.json); -1: off"),
    bool_key("monitor", "start-paused", false,
             "wait before the first step until `resume` from `axon console` (to inspect or "
             "scale the graph first)"),
    string_key("monitor", "bind", "127.0.0.1",
               "address the inspection endpoint listens on; anything but loopback requires "
               "monitor.tls-* (docs/security.md)"),
    path_key("monitor", "tls-certificate", "",
             "PEM certificate of the job (OU=axon-coordinator); set with monitor.tls-key and "
             "monitor.tls-ca, the endpoint speaks TLS only and clients need a console "
             "certificate of that CA (OU=axon-console, or OU=axon-console-read for reads)"),
    path_key("monitor", "tls-key", "", "PEM private key of monitor.tls-certificate"),
    path_key("monitor", "tls-ca", "", "PEM CA certificate that console certificates must chain to"),
    int_key("monitor", "prometheus-port", -1, "[-1, 65535]",
            "Prometheus metrics over HTTP; 0: a free port (in RUN_DIR/monitor.json); -1: off"),
    string_key("monitor", "prometheus-bind", "",
               "address of the Prometheus port, which serves the metrics text and nothing "
               "else (read-only, plain HTTP; may be off loopback); empty: monitor.bind"),
    int_key("monitor", "max-connections", 64, "[1, 4096]",
            "open connections to the endpoint and the Prometheus port together; a newcomer "
            "beyond it replaces the connection quiet for longest"),
    int_key("monitor", "max-connections-per-client", 8, "[1, 4096]",
            "open connections from one address; a newcomer beyond it replaces that "
            "address's connection quiet for longest"),
    timespan_key("monitor", "frame-timeout", std::chrono::seconds{2}, "[100ms, 1min]",
                 "a request must arrive whole within this of its first byte, and a reply be "
                 "taken within this plus 1s per MiB, or the connection is closed"),
    timespan_key("monitor", "idle-timeout", std::chrono::seconds{60}, "[1s, 1h]",
                 "a connection with nothing under way this long is closed"),

    string_key("serve", "bind", "127.0.0.1",
               "address `axon serve` listens on; beyond loopback it needs TLS and a token"),
    int_key("serve", "port", 8080, "[0, 65535]", "HTTP port; 0: a free port (printed at start)"),
    int_key("serve", "replicas", 1, "[1, 64]",
            "model replica actors (those of one process on one device share one copy of the "
            "weights)"),
    int_key("serve", "max-batch", 32, "[1, 4096]", "texts per dynamic batch at most"),
    timespan_key("serve", "max-wait", std::chrono::milliseconds{2}, "[0s, 10s]",
                 "how long a text waits for its batch to fill before it goes as it is"),
    bool_key("serve", "dispatch-when-idle", true,
             "when no batch is being computed, a text leaves at once instead of waiting "
             "serve.max-wait (batches still form while the replicas compute); false: every "
             "batch waits for serve.max-batch texts or serve.max-wait"),
    int_key("serve", "queue", 64, "[1, 1000000]",
            "requests held at once (waiting or computing); more get 503 at once"),
    int_key("serve", "max-texts", 64, "[1, 100000]", "texts per request at most (else 400)"),
    int_key("serve", "max-text-bytes", 10000, "[1, 16777216]",
            "UTF-8 bytes per text at most (else 400)"),
    int_key("serve", "http-threads", 72, "[1, 1024]",
            "worker threads answering classify and reload requests (in progress at once; "
            "connections are read asynchronously); at least serve.queue lets every admitted "
            "request reach the batcher, where batches form (fewer: the rest wait for a worker)"),
    timespan_key("serve", "timeout", std::chrono::seconds{30}, "[10ms, 1h]",
                 "a classify request not answered by then gets 504"),
    path_key("serve", "tls-certificate", "", "PEM certificate: HTTPS when set (with serve.tls-key)"),
    path_key("serve", "tls-key", "", "PEM private key of serve.tls-certificate"),
    path_key("serve", "token-file", "",
             "file holding the bearer token every request must carry (Authorization: Bearer "
             "TOKEN); empty: none"),
    timespan_key("serve", "watch", std::chrono::seconds{0}, "[0s, 1h]",
                 "look at the run directory this often and reload when it marks another "
                 "checkpoint best (or writes a newer one when none is marked); 0s: off "
                 "(POST /v1/reload still reloads)"),
    choice_key("serve", "ship-run", {"auto", "always", "never"},
               "replicas on node processes: copy the run (config, vocabulary, labels, KG, the "
               "served checkpoint) from the serving process into serve.node-cache and load "
               "the copy: auto when the node does not see the run directory at the same "
               "path, always, or never (the node must see it)"),
    path_key("serve", "node-cache", "",
             "on a node process (`axon node`): the folder runs are copied into "
             "(serve.ship-run); empty: axon-node-NAME in the system's temporary folder"),
    timespan_key("serve", "move-lost-after", std::chrono::seconds{30}, "[0s, 1h]",
                 "a replica whose node process is lost and has not come back for this long "
                 "is spawned in this process instead (and stays here); 0s: never, wait for "
                 "the node"),
    path_key("serve", "console-dir", "",
             "folder where the console endpoint ([monitor] keys) writes monitor.json and "
             "console.token, for `axon console --run DIR`; empty: RUN_DIR/serve"),

    path_key("kg", "triples", "", "KG triples (head<TAB>relation<TAB>tail); empty: no KG fusion"),
    path_key("kg", "aliases", "", "entity surface forms (entity<TAB>alias) to link in the text"),
    path_key("kg", "embeddings", "",
             "folder written by `axon kg train` (entities.txt, embeddings.safetensors); "
             "empty: random entity embeddings"),
    int_key("kg", "dim", 64, "[1, 4096]", "entity embedding width (must match kg.embeddings)"),
    bool_key("kg", "finetune", false, "train the entity embeddings too (false: frozen)"),
  };
}

} // namespace

const schema& train_schema() {
  static const schema instance(groups(), keys(), train_rules());
  return instance;
}

} // namespace axon::config
