// terminal_plot: bucket means, scaled into rows.
#include "apps/axon/terminal_plot.hpp"

#include <algorithm>
#include <cstdio>

namespace axon::app {

std::string plot_number(double x, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, x);
  return text;
}

std::string terminal_plot(const std::string& title, const std::vector<double>& x,
                          const std::vector<double>& y, int width, int height) {
  if (y.empty())
    return title + ": no points yet\n";
  if (y.size() == 1) // one point makes no axis: its value, and the step it came from
    return title + ": " + plot_number(y.front()) + " at step " + plot_number(x.front())
           + " (one point)\n";
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
  const std::string top_label = plot_number(high), bottom_label = plot_number(low);
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
  out += std::string(label_width + 2, ' ') + "step " + plot_number(x.front()) + " .. "
         + plot_number(x.back())
         + "\n";
  return out;
}

} // namespace axon::app
