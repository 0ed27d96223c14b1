// The subcommands of `axon`. Each takes the words after its name and returns the process
// exit status: 0 success, 1 failure at run time, 2 bad usage or bad input.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace axon::app {

using args = std::span<const std::string>;

struct command {
  std::string_view name;    // e.g. "bench train"
  std::string_view summary; // one line for `axon help`
  int (*run)(args words);
};

int bench_gemm(args words);
int bench_train(args words);
int bench_wire(args words);
int tokenize(args words);
int data_synth_finsent(args words);
int data_synth_longdocs(args words);
int data_split(args words);
int config_docs(args words);
int config_check(args words);
int train(args words);
int pretrain(args words);
int node(args words);
int predict(args words);
int serve(args words);
int eval(args words);
int report(args words);
int export_run(args words); // `export` is a C++ keyword
int console(args words);
int kg_train(args words);
int kg_eval(args words);
int kg_link(args words);
int kg_docs(args words);

} // namespace axon::app
