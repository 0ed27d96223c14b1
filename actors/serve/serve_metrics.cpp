// serve_metrics: counters and their Prometheus text; see serve_metrics.hpp.
#include "actors/serve/serve_metrics.hpp"

#include "runtime/monitor/prometheus.hpp"

#include <sstream>

namespace axon {

template <std::size_t N>
void fixed_histogram<N>::observe(double value) {
  std::size_t bucket = 0;
  while (bucket < N && value > bounds[bucket])
    ++bucket;
  counts[bucket].fetch_add(1, std::memory_order_relaxed);
  count.fetch_add(1, std::memory_order_relaxed);
  for (double old = sum.load(); !sum.compare_exchange_weak(old, old + value);) {
    // nop: retried with the value read
  }
}

template <std::size_t N>
std::string fixed_histogram<N>::render(const std::string& name, const std::string& help) const {
  std::ostringstream out;
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= N; ++b) {
    cumulative += counts[b].load(std::memory_order_relaxed);
    out << name << "_bucket{le=\"";
    if (b < N)
      out << bounds[b];
    else
      out << "+Inf";
    out << "\"} " << cumulative << '\n';
  }
  out << name << "_sum " << sum.load() << '\n' << name << "_count " << count.load() << '\n';
  return out.str();
}

void serve_metrics::count_status(int status) {
  auto& counter = status == 200   ? ok
                  : status == 400 || status == 413 || status == 415 ? bad_request
                  : status == 401 ? unauthorized
                  : status == 403 ? forbidden
                  : status == 404 || status == 405 ? not_found
                  : status == 409 ? conflict
                  : status == 503 ? refused
                                  : failed;
  counter.fetch_add(1, std::memory_order_relaxed);
}

std::string serve_metrics::prometheus(const served_model* serving) const {
  std::ostringstream out;
  out << "# HELP axon_serve_requests_total API requests answered (not the probes or /metrics), by status\n"
         "# TYPE axon_serve_requests_total counter\n";
  auto line = [&](const char* code, const std::atomic<std::uint64_t>& n) {
    out << "axon_serve_requests_total{code=\"" << code << "\"} " << n.load() << '\n';
  };
  line("200", ok);
  line("400", bad_request);
  line("401", unauthorized);
  line("403", forbidden);
  line("404", not_found);
  line("409", conflict);
  line("503", refused);
  line("500", failed);
  out << "# HELP axon_serve_errors_total requests answered with an error status\n"
         "# TYPE axon_serve_errors_total counter\naxon_serve_errors_total "
      << bad_request.load() + unauthorized.load() + forbidden.load() + not_found.load()
           + conflict.load() + refused.load() + failed.load()
      << "\n# HELP axon_serve_texts_total texts classified\n"
         "# TYPE axon_serve_texts_total counter\naxon_serve_texts_total "
      << texts.load()
      << "\n# HELP axon_serve_queue_depth requests waiting for a model replica\n"
         "# TYPE axon_serve_queue_depth gauge\naxon_serve_queue_depth "
      << queue_depth.load()
      << "\n# HELP axon_serve_requests_held requests admitted and not yet answered\n"
         "# TYPE axon_serve_requests_held gauge\naxon_serve_requests_held "
      << held.load() << '\n';
  out << "# HELP axon_serve_reloads_total model reloads (POST /v1/reload, serve.watch), by result\n"
         "# TYPE axon_serve_reloads_total counter\naxon_serve_reloads_total{result=\"ok\"} "
      << reloads.load() << "\naxon_serve_reloads_total{result=\"refused\"} "
      << reloads_refused.load() << '\n';
  if (serving)
    out << "# HELP axon_serve_model_info the checkpoint that answers new requests\n"
           "# TYPE axon_serve_model_info gauge\naxon_serve_model_info{run=\""
        << monitor::escape_label(serving->run) << "\",checkpoint=\"" << monitor::escape_label(serving->checkpoint)
        << "\",step=\"" << serving->step << "\"} 1\n";
  out << batch_sizes.render("axon_serve_batch_size", "texts per batch sent to a replica");
  out << latency_s.render("axon_serve_request_latency_seconds",
                          "time from a classify request's arrival to its answer");
  return out.str();
}

template struct fixed_histogram<9>;
template struct fixed_histogram<12>;

} // namespace axon
