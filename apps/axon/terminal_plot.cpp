// terminal_plot: bucket means, scaled into rows.
#include "apps/axon/terminal_plot.hpp"

#include <algorithm>
#include <cstdio>

namespace axon::app {

namespace {

std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", x);
  return text;
}

} // namespace

std::string terminal_plot(const std::string& title, const std::vector<double>& x,
                          const std::vector<double>& y, int width, int height) {
  if (y.empty())
    return title + ": no points yet\n";
  if (y.size() == 1) // one point makes no axis: its value, and the step it came from
    return title + ": " + number(y.front()) + " at step " + number(x.front()) + " (one point)\n";
  const int columns = std::min<int>(width, int(y.size()));
  std::vector<double> means(columns, 0.0);
  std::vector<int> counts(columns, 0);
  for (std::size_t i = 0; i < y.size(); ++i) {
    auto c = int(i * std::size_t(columns) / y.size());
    means[c] += y[i];
    ++counts[c];
  }
  for (int c = 0; c < columns; ++c)
    means[c] /= std::max(counts[c], 1);
  const auto [low_it, high_it] = std::minmax_element(means.begin(), means.end());
  const double low = *low_it, high = *high_it, span = high > low ? high - low : 1.0;
  const std::string top_label = number(high), bottom_label = number(low);
  const std::size_t label_width = std::max({top_label.size(), bottom_label.size(), title.size()});
  std::vector<std::string> rows(height, std::string(std::size_t(columns), ' '));
  for (int c = 0; c < columns; ++c) {
    int row = int((high - means[c]) / span * (height - 1) + 0.5);
    rows[std::size_t(row)][std::size_t(c)] = '*';
  }
  auto pad = [&](const std::string& s) { return std::string(label_width - s.size(), ' ') + s; };
  std::string out = pad(title) + "\n";
  for (int r = 0; r < height; ++r) {
    const std::string label = r == 0 ? top_label : r == height - 1 ? bottom_label : "";
    out += pad(label) + " |" + rows[std::size_t(r)] + "\n";
  }
  out += std::string(label_width + 1, ' ') + "+" + std::string(std::size_t(columns), '-') + "\n";
  out += std::string(label_width + 2, ' ') + "step " + number(x.front()) + " .. " + number(x.back())
         + "\n";
  return out;
}

} // namespace axon::app
