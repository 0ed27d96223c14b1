// terminal_plot: a series as a small character plot for the console's `metrics`:
// `height` rows of `width` columns, each column the mean of the points that fall in it,
// the y range labelled on the left and the x range underneath.
//
//   loss  1.0986 |*
//                | **
//                |   ****
//         0.3121 |       **********
//                +------------------
//                 step 1 .. 160
#pragma once

#include <string>
#include <vector>

namespace axon::app {

/// `x` printed with printf's `format` (default: 4 significant digits), for the labels of
/// plots and tables (console, `axon report`).
std::string plot_number(double x, const char* format = "%.4g");

std::string terminal_plot(const std::string& title, const std::vector<double>& x,
                          const std::vector<double>& y, int width = 60, int height = 8);

} // namespace axon::app
