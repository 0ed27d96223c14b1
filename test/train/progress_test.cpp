// Progress line: duration and line formatting, smoothed tok/s, samples/s, elapsed time
// and ETA from an injected clock, '\r' redraws on a terminal and plain lines every N steps otherwise.
#include "runtime/train/progress.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>

using namespace axon::train;
using namespace std::chrono_literals;

namespace {

/// A clock the test advances by hand.
struct fake_clock {
  progress_printer::clock::time_point now{};
  std::function<progress_printer::clock::time_point()> function() {
    return [this] { return now; };
  }
};

/// Everything written to a tmpfile so far.
std::string contents_of(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  for (int c; (c = std::fgetc(file)) != EOF;)
    text += static_cast<char>(c);
  return text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(progress)

BOOST_AUTO_TEST_CASE(durations) {
  BOOST_TEST(format_duration(0) == "0s");
  BOOST_TEST(format_duration(45.9) == "45s");
  BOOST_TEST(format_duration(59) == "59s");
  BOOST_TEST(format_duration(60) == "1m00s");
  BOOST_TEST(format_duration(72) == "1m12s");
  BOOST_TEST(format_duration(3599) == "59m59s");
  BOOST_TEST(format_duration(3600) == "1h00m");
  BOOST_TEST(format_duration(2 * 3600 + 3 * 60 + 59) == "2h03m");
  BOOST_TEST(format_duration(100 * 3600) == "100h00m");
  BOOST_TEST(format_duration(-5) == "0s");
}

BOOST_AUTO_TEST_CASE(line_format) {
  progress_values values{2, 3, 140, 300, 0.43124, 1234.4, 38.64, 65.5, 72.0};
  BOOST_TEST(format_progress(values)
             == "epoch 2/3 step 140/300 loss 0.4312 1234 tok/s 38.6 samples/s elapsed 1m05s "
                "ETA 1m12s");
  values.eta_s.reset();
  BOOST_TEST(format_progress(values)
             == "epoch 2/3 step 140/300 loss 0.4312 1234 tok/s 38.6 samples/s elapsed 1m05s "
                "ETA ?");
}

BOOST_AUTO_TEST_CASE(eta_and_tokens_from_smoothed_step_time) {
  fake_clock clock;
  std::FILE* out = std::tmpfile();
  progress_printer printer(out, false, 1, clock.function());
  clock.now += 3s; // elapsed counts from the printer's creation
  printer.step_done(1, 1, 1, 11, 1.0, 1000, 10);  // no step time known yet
  BOOST_TEST(!printer.last_values().eta_s.has_value());
  BOOST_TEST(printer.last_values().elapsed_s == 3.0);
  clock.now += 2s;
  printer.step_done(1, 1, 2, 11, 0.9, 1000, 10);
  BOOST_TEST(*printer.last_values().eta_s == 18.0);  // 9 steps left at 2 s
  BOOST_TEST(printer.last_values().tokens_per_s == 500.0);
  BOOST_TEST(printer.last_values().samples_per_s == 5.0);
  BOOST_TEST(printer.last_values().elapsed_s == 5.0);
  clock.now += 1s;
  printer.step_done(1, 1, 3, 11, 0.8, 1000, 10);
  // smoothed: 0.9 * 2 + 0.1 * 1 = 1.9 s per step, 8 steps left
  BOOST_TEST(*printer.last_values().eta_s == 15.2, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(printer.last_values().tokens_per_s == 550.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(printer.last_values().samples_per_s == 5.5, boost::test_tools::tolerance(1e-12));
  std::fclose(out);
}

BOOST_AUTO_TEST_CASE(plain_lines_every_n_steps_and_at_the_end) {
  fake_clock clock;
  std::FILE* out = std::tmpfile();
  progress_printer printer(out, false, 2, clock.function());
  for (std::int64_t step = 1; step <= 5; ++step) {
    clock.now += 1s;
    printer.step_done(1, 1, step, 5, 0.5, 100, 4);
  }
  printer.finish();
  BOOST_TEST(contents_of(out)
             == "epoch 1/1 step 2/5 loss 0.5000 100 tok/s 4.0 samples/s elapsed 2s ETA 3s\n"
                "epoch 1/1 step 4/5 loss 0.5000 100 tok/s 4.0 samples/s elapsed 4s ETA 1s\n"
                "epoch 1/1 step 5/5 loss 0.5000 100 tok/s 4.0 samples/s elapsed 5s ETA 0s\n");
  std::fclose(out);
}

BOOST_AUTO_TEST_CASE(terminal_redraws_every_step) {
  fake_clock clock;
  std::FILE* out = std::tmpfile();
  progress_printer printer(out, true, 100, clock.function());
  clock.now += 1s;
  printer.step_done(1, 2, 1, 3, 0.5, 10, 2);
  clock.now += 1s;
  printer.step_done(1, 2, 2, 3, 0.25, 10, 2);
  printer.finish();
  printer.finish();  // a second finish adds nothing
  BOOST_TEST(contents_of(out)
             == "\repoch 1/2 step 1/3 loss 0.5000 0 tok/s 0.0 samples/s elapsed 1s ETA ?\033[K"
                "\repoch 1/2 step 2/3 loss 0.2500 10 tok/s 2.0 samples/s elapsed 2s ETA 1s\033[K\n");
  std::fclose(out);
}

BOOST_AUTO_TEST_SUITE_END()
