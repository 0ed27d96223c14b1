// supervisor actor: drives a training job from start to end. It spawns the BERT graph
// (coordinator, shards, stages, optimizers) and the loader, then runs the epochs: takes
// batches from the loader (granting it credit one batch at a time), runs each step, logs
// metrics.jsonl and a progress line, evaluates on dev every eval.every-steps and at each
// epoch end (scikit-learn style report), stops early after eval.patience evaluations
// without improvement, checkpoints at evaluations (the best one marked), and finally
// evaluates the best model on test, printing the report and, last,
// `test accuracy=A macro_f1=F`. With `resume` it continues from the newest valid
// checkpoint of the run directory exactly where the saved run was.
// Recovery: when an actor of the graph goes down (it failed, was killed, or its node process
// died or froze past cluster.timeout), the interrupted step is dropped, the graph is spawned
// anew (a lost node's actors on the same node if it is back within rejoin_timeout, else on
// the surviving process hosting the fewest), its state restored from the surviving
// optimizer actors (the last applied step) or else from the newest valid checkpoint, the
// loader rewound to the matching cursor, and training goes on; metrics.jsonl gets a
// "recovery" event. After recovery_attempts recoveries without a step completed between
// them, the job fails with the last failure.
// Console control (pause, resume, checkpoint, set train.lr, stop) arrives as messages,
// handled between steps.
// It is a detached blocking actor: its steps are a plain sequential loop (one request per
// step, so blocking costs nothing measurable), on its own thread, not a compute thread.
// Its parts: the epochs (supervisor_actor.cpp), evaluation and the test report
// (classifier_eval.cpp), its part of checkpoints and details (classifier_job.cpp), and
// what it shares with the pretraining supervisor (job_run.hpp: start, loader, control,
// recovery, checkpoints). No exceptions for control flow: graph failures are values.
// It exits normally when done, or with an error whose message says what went wrong.
#pragma once

#include "actors/jobs/run_plan.hpp"
#include "runtime/data/tokenized_examples.hpp"
#include "runtime/data/windows.hpp"
#include "runtime/train/early_stopping.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace axon {

struct supervisor_plan : run_plan {
  std::vector<std::string> label_names;
  using examples = std::vector<data::tokenized_example>;
  std::shared_ptr<const examples> train, dev, test; // dev, test may be empty
  std::size_t batch_size = 32, eval_batch_size = 64;
  bool shuffle = true;
  std::int32_t pad_id = 0;
  int epochs = 1;
  std::int64_t max_steps = -1; // -1: epochs decide
  std::int64_t eval_every = 0; // 0: at epoch ends only
  std::string metric = "accuracy";   // accuracy, macro_f1 or loss
  train::early_stopping_config stopping;
  bool early_stop = true;
  // With a KG (layout.kg: the KG service node "kg"), train/dev/test examples keep their
  // words, and each batch is linked by the service before its step.
  // data.long-text = chunk (layout.model.documents): train/dev/test hold whole documents
  // ([CLS] tokens [SEP], not truncated), batched as their windows with these settings;
  // batch_size and eval_batch_size count documents. nullopt: a row is an example.
  std::optional<data::window_settings> windows;
  std::int32_t cls_id = 0, sep_id = 0;
};

caf::actor spawn_supervisor(caf::actor_system& sys, std::shared_ptr<const supervisor_plan> plan);

} // namespace axon
