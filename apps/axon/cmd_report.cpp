// `axon report RUN_DIR [--out FILE]`: a self-contained HTML page of a classification run
// from its metrics.jsonl: training loss, learning rate and tokens/s per logged step, the dev
// metric the run selects on (eval.metric) per evaluation, and the confusion matrix of the
// test report (else of the last evaluation). Charts are inline SVG; the page loads nothing.
#include "apps/axon/commands.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/terminal_plot.hpp"
#include "runtime/config/load.hpp"
#include "runtime/path_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace axon::app {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text)
    out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;"
                                                                           : std::string{c};
  return out;
}

/// One series as an SVG line chart: the y range labelled on the left, the step range below;
/// a single point is drawn as a dot, with its value.
std::string svg_chart(const std::string& title, const std::vector<double>& x,
                      const std::vector<double>& y) {
  constexpr double width = 580, height = 200, left = 90, right = 15, top = 30, bottom = 30;
  std::ostringstream out;
  out << "<figure><svg width=\"" << width << "\" height=\"" << height << "\" role=\"img\">"
      << "<title>" << escaped(title) << "</title><text x=\"" << left << "\" y=\"18\" "
      << "class=\"title\">" << escaped(title) << "</text>";
  if (y.empty()) {
    out << "<text x=\"" << left << "\" y=\"" << height / 2 << "\">no points</text></svg></figure>";
    return out.str();
  }
  const auto [y_low, y_high] = std::minmax_element(y.begin(), y.end());
  const double x0 = x.front(), x1 = x.back(), low = *y_low, high = *y_high;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  auto px = [&](double v) { return left + (x1 > x0 ? (v - x0) / (x1 - x0) : 0.5) * plot_w; };
  auto py = [&](double v) { return top + (high > low ? (high - v) / (high - low) : 0.5) * plot_h; };
  out << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\""
      << plot_h << "\" class=\"frame\"/>";
  out << "<text x=\"" << left - 6 << "\" y=\"" << top + 4 << "\" text-anchor=\"end\">"
      << plot_number(high) << "</text><text x=\"" << left - 6 << "\" y=\"" << top + plot_h
      << "\" text-anchor=\"end\">" << plot_number(low) << "</text>";
  out << "<text x=\"" << left << "\" y=\"" << height - 8 << "\">step " << plot_number(x0)
      << "</text><text x=\"" << left + plot_w << "\" y=\"" << height - 8
      << "\" text-anchor=\"end\">step " << plot_number(x1) << "</text>";
  if (y.size() == 1) {
    out << "<circle cx=\"" << px(x0) << "\" cy=\"" << py(y[0]) << "\" r=\"4\" class=\"dot\"/>";
  } else {
    out << "<polyline class=\"line\" points=\"";
    for (std::size_t i = 0; i < y.size(); ++i)
      out << px(x[i]) << ',' << py(y[i]) << ' ';
    out << "\"/>";
  }
  out << "</svg></figure>";
  return out.str();
}

/// The confusion matrix of a report event as a table, cells shaded by their row's share.
std::string confusion_table(const json& report) {
  const auto& names = report.at("class_names");
  const auto& matrix = report.at("confusion");
  std::ostringstream out;
  out << "<table class=\"confusion\"><tr><th>true \\ predicted</th>";
  for (const auto& name : names)
    out << "<th>" << escaped(name.get<std::string>()) << "</th>";
  out << "</tr>";
  for (std::size_t r = 0; r < names.size(); ++r) {
    double row_total = 0;
    for (const auto& count : matrix.at(r))
      row_total += count.get<double>();
    out << "<tr><th>" << escaped(names[r].get<std::string>()) << "</th>";
    for (const auto& count : matrix.at(r)) {
      const double share = row_total > 0 ? count.get<double>() / row_total : 0;
      out << "<td style=\"background: rgba(40, 90, 200, " << plot_number(share * 0.8) << ")\">"
          << count.get<std::int64_t>() << "</td>";
    }
    out << "</tr>";
  }
  out << "</table>";
  return out.str();
}

} // namespace

int report(args words) {
  std::string out_file;
  std::vector<std::string> positional;
  flag_parser flags{"axon report RUN_DIR [--out FILE]"};
  flags.add("out", &out_file, "the HTML file to write [RUN_DIR/report.html]");
  if (auto status = flags.parse(words, &positional))
    return *status;
  if (positional.size() != 1) {
    std::cerr << "axon report: expected one run directory (see --help)\n";
    return 2;
  }
  const fs::path run_dir{positional[0]};
  if (out_file.empty())
    out_file = (run_dir / "report.html").string();
  std::ifstream in{run_dir / "metrics.jsonl"};
  if (!in) {
    std::cerr << "axon report: " << path_in_error((run_dir / "metrics.jsonl").string())
              << ": cannot open (is it a run directory of axon train?)\n";
    return 2;
  }
  auto loaded = config::load_config_file((run_dir / "config.ini").string(), {});
  const std::string metric = loaded.resolved ? loaded.resolved->get_string("eval.metric")
                                             : "accuracy";
  std::vector<double> step, loss, lr, tokens, eval_step, eval_value;
  json final_report; // the test report, else the last evaluation
  std::string final_title;
  for (std::string line; std::getline(in, line);) {
    auto e = json::parse(line, nullptr, false);
    if (e.is_discarded() || !e.contains("event"))
      continue; // a line still being written by a running job
    if (e["event"] == "train" && e["loss"].is_number()) {
      step.push_back(e["step"].get<double>());
      loss.push_back(e["loss"].get<double>());
      lr.push_back(e["lr"].get<double>());
      tokens.push_back(e["tokens_per_s"].get<double>());
    } else if (e["event"] == "eval" && e[metric].is_number()) {
      eval_step.push_back(e["step"].get<double>());
      eval_value.push_back(e[metric].get<double>());
      if (final_title.rfind("test", 0) != 0) {
        final_report = e;
        final_title = "dev, step " + plot_number(e["step"].get<double>());
      }
    } else if (e["event"] == "test") {
      final_report = e;
      final_title = "test (best checkpoint)";
    }
  }
  std::ostringstream page;
  const auto name = escaped(fs::absolute(run_dir).lexically_normal().string());
  page << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>axon report: " << name
       << "</title><style>body{font-family:sans-serif;margin:2em;color:#222}"
       << "figure{display:inline-block;margin:0.5em}.frame{fill:none;stroke:#999}"
       << ".line{fill:none;stroke:#2557c8;stroke-width:1.5}.dot{fill:#2557c8}"
       << ".title{font-weight:bold}svg text{font-size:12px}"
       << "table.confusion{border-collapse:collapse}table.confusion td,table.confusion th"
       << "{border:1px solid #bbb;padding:0.3em 0.8em;text-align:right}</style></head><body>\n"
       << "<h1>" << name << "</h1>\n<h2>Training</h2>\n"
       << svg_chart("training loss", step, loss) << '\n'
       << svg_chart("learning rate", step, lr) << '\n'
       << svg_chart("tokens/s", step, tokens) << '\n'
       << "<h2>Dev " << escaped(metric) << " (eval.metric)</h2>\n"
       << svg_chart("dev " + metric, eval_step, eval_value) << '\n';
  if (!final_report.is_null()) {
    char summary[96];
    std::snprintf(summary, sizeof summary, "accuracy=%.4f macro_f1=%.4f",
                  final_report["accuracy"].get<double>(), final_report["macro_f1"].get<double>());
    page << "<h2>Confusion matrix: " << escaped(final_title) << "</h2>\n<p>" << summary
         << "</p>\n" << confusion_table(final_report) << '\n';
  }
  page << "</body></html>\n";
  std::ofstream out{out_file};
  out << page.str();
  if (!out.flush()) {
    std::cerr << "axon report: " << path_in_error(out_file) << ": cannot write\n";
    return 2;
  }
  std::cout << "wrote " << out_file << " (" << step.size() << " training points, "
            << eval_step.size() << " evaluations)\n";
  return 0;
}

} // namespace axon::app
