// classifier_job's evaluations: dev after steps (the report, early stopping, a checkpoint
// marked best when it improved), and at the end the best checkpoint on test, printing the
// scikit-learn style report and, last, `test accuracy=A macro_f1=F`. Each evaluation
// reads its split with its own batcher, in file order. See classifier_job.hpp.
#include "actors/jobs/classifier_job.hpp"

#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/checkpoint/hf_weights.hpp"
#include "runtime/data/batcher.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/monitor/probes.hpp"
#include "runtime/train/metrics_log.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace axon {

namespace fs = std::filesystem;

caf::expected<bool> classifier_job::evaluate_dev(train::early_stopping& stopping,
                                                 int step_epoch) {
  const auto step = run_->step();
  train::classification_report report{plan_.label_names};
  auto same_step = run_->recovering([&]() -> caf::error {
    auto got = evaluate(plan_.dev);
    if (!got)
      return got.error();
    report = std::move(*got);
    return caf::none;
  });
  if (!same_step || !*same_step) // an error, or recovery went back: nothing to evaluate
    return same_step;
  run_->log().append(train::eval_event("dev", step, step_epoch, report));
  auto decision = stopping.update(metric_of(report), step);
  std::cerr << "dev step " << step << ": loss " << report.mean_loss() << " accuracy "
            << report.accuracy() << " macro_f1 " << report.macro_average().f1
            << (decision.improved ? " (best)" : "") << '\n';
  stopping_state_ = stopping.state();
  monitor::process_probes().add_eval_point(
    {step, report.mean_loss(), report.accuracy(), report.macro_average().f1});
  auto saved = run_->recovering([&] { return run_->save(decision.improved); });
  if (!saved || !*saved)
    return saved ? caf::expected<bool>{false} : saved;
  if (!plan_.early_stop || !decision.should_stop)
    return false;
  run_->log().append(
    train::early_stop_event(step, stopping.best_step(), *stopping.best_value(), plan_.metric));
  std::cerr << "early stop at step " << step << ": no improvement of dev " << plan_.metric
            << " in " << plan_.stopping.patience << " evaluations; best at step "
            << stopping.best_step() << '\n';
  return true;
}

double classifier_job::metric_of(const train::classification_report& report) const {
  if (plan_.metric == "loss")
    return report.mean_loss();
  if (plan_.metric == "macro_f1")
    return report.macro_average().f1;
  return report.accuracy();
}

caf::expected<train::classification_report>
classifier_job::evaluate(const std::shared_ptr<const supervisor_plan::examples>& split) {
  auto batches = batches_of(split, {plan_.eval_batch_size, 0, false, false, plan_.pad_id});
  train::classification_report report{plan_.label_names};
  const int shards = run_->pipeline().layout().shards; // after any scale event
  for (std::size_t k = 0; k < batches->batches_per_epoch(); ++k) {
    auto b = batches->next();
    // Examples, or documents (one prediction each, from all its windows).
    const auto rows = b.labels.size(0);
    auto micro_rows = static_cast<int>((b.ids.size(0) + shards - 1) / shards);
    if (plan_.layout.kg) {
      auto entities = linked_entities(*split, b);
      if (!entities)
        return entities.error();
      b.entities = std::move(*entities);
    }
    auto out = run_->pipeline().evaluate(b, micro_rows);
    if (!out)
      return out.error();
    const auto& [logits, losses] = *out;
    const auto classes = logits.size(1);
    double loss_sum = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* row = logits.data<float>() + r * classes;
      auto predicted = std::int32_t(std::max_element(row, row + classes) - row);
      report.add(b.labels.data<std::int32_t>()[r], predicted);
      loss_sum += losses.data<float>()[r];
    }
    report.add_loss(loss_sum / double(rows), rows);
  }
  return report;
}

// ---- the end: best model on test ------------------------------------------------------
caf::error classifier_job::finish() {
  std::optional<train::classification_report> report;
  while (!report) {
    auto got = best_on_test();
    if (got) {
      report = std::move(*got);
    } else if (run_->pipeline().broken()) { // training is over: only the graph is needed
      if (auto err = run_->count_attempt(got.error()))
        return err;
      if (auto respawned = run_->respawn_graph(run_->pipeline().lost_nodes()); !respawned)
        return respawned.error();
    } else {
      return got.error();
    }
  }
  if (plan_.test->empty()) {
    std::cout << "no test split: nothing to report on test" << std::endl;
    return caf::none;
  }
  if (!logged_test_event())
    run_->log().append(train::test_event("test", run_->step(), *report));
  run_->close_logs();
  std::cout << report->to_text() << '\n';
  std::printf("test accuracy=%.4f macro_f1=%.4f\n", report->accuracy(),
              report->macro_average().f1);
  std::fflush(stdout);
  return caf::none;
}

// The best checkpoint's weights into the graph, then its report on test (empty without
// a test split).
caf::expected<train::classification_report> classifier_job::best_on_test() {
  if (auto best = checkpoint::best_checkpoint(plan_.run_dir)) {
    auto folder = fs::path{plan_.run_dir} / "checkpoints" / ("step-" + std::to_string(*best));
    auto ckpt = checkpoint::load_checkpoint(folder, run_->expected());
    param_arena weights{run_->specs()};
    checkpoint::load_weights(ckpt.model, weights);
    if (auto err = run_->pipeline().load_params(weights))
      return err;
    std::cerr << "best checkpoint: step " << *best << '\n';
  }
  if (plan_.test->empty())
    return train::classification_report{plan_.label_names};
  return evaluate(plan_.test);
}

// True when metrics.jsonl already ends with the test event (a resumed, finished run).
bool classifier_job::logged_test_event() const {
  std::ifstream in{run_->metrics_path()};
  for (std::string line; std::getline(in, line);)
    if (line.find("\"event\":\"test\"") != std::string::npos)
      return true;
  return false;
}

} // namespace axon
