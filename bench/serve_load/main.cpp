// axon-serve-load: a bounded load generator for `axon serve` (or any server with its
// JSON): C clients on loopback, each sending one request, waiting for its answer, then
// sending the next, for S seconds (closed loop). With --rate R the clients send R requests
// per second between them on a fixed schedule (open loop: client c sends its k-th request
// at (k*C + c)/R s; a client still waiting for an answer sends late, and `sent_per_s`
// shows the rate reached), to offer a service more than it sustains. Prints one JSON line:
// requests/s answered 200, p50/p99 latency of the 200s (and of all answers), and the count
// of every status (503s are the service refusing at once; "0": no answer, with httplib's
// reason under "errors").
//   axon-serve-load --port P [--host 127.0.0.1] [--clients C] [--seconds S] [--rate R]
//                   [--texts FILE]
// FILE: sentences, one per line; request k of a client carries sentence k mod n (one per
// request). Bounded: at most 1024 clients, 600 s and 100000 requests/s.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string host = "127.0.0.1", texts_file;
  int port = 0, clients = 1;
  double seconds = 10;
  double rate = 0; // requests per second, all clients together; 0: closed loop
};

bool parse(int argc, char** argv, options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--host")
      o.host = value;
    else if (flag == "--port")
      o.port = std::stoi(value);
    else if (flag == "--clients")
      o.clients = std::stoi(value);
    else if (flag == "--seconds")
      o.seconds = std::stod(value);
    else if (flag == "--texts")
      o.texts_file = value;
    else if (flag == "--rate")
      o.rate = std::stod(value);
    else
      return false;
  }
  return argc % 2 == 1 && o.port > 0 && o.clients >= 1 && o.clients <= 1024 && o.seconds > 0
         && o.seconds <= 600 && o.rate >= 0 && o.rate <= 100000;
}

double percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty())
    return 0;
  auto at = static_cast<std::size_t>(q * double(sorted.size() - 1) + 0.5);
  return sorted[std::min(at, sorted.size() - 1)];
}

} // namespace

int main(int argc, char** argv) {
  options o;
  if (!parse(argc, argv, o)) {
    std::cerr << "usage: axon-serve-load --port P [--host H] [--clients 1..1024] [--seconds 0..600] "
                 "[--rate 0..100000] [--texts FILE]\n";
    return 2;
  }
  std::vector<std::string> texts;
  if (!o.texts_file.empty()) {
    std::ifstream in{o.texts_file};
    for (std::string line; std::getline(in, line);)
      if (!line.empty())
        texts.push_back(line);
  }
  if (texts.empty())
    texts.push_back("Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the corresponding period .");
  std::vector<std::string> bodies;
  for (const auto& t : texts)
    bodies.push_back(nlohmann::json{{"texts", {t}}}.dump());

  std::mutex mutex;
  std::vector<double> latencies_ms, all_ms; // of the 200s; of every answer
  std::map<int, long> statuses;
  std::map<std::string, long> errors; // of the requests without an answer, by httplib's error
  long sent = 0, late = 0;
  const auto begin = clock_type::now();
  const auto end = begin + std::chrono::duration<double>(o.seconds);
  std::vector<std::thread> clients;
  for (int c = 0; c < o.clients; ++c)
    clients.emplace_back([&, c] {
      httplib::Client client{o.host, o.port};
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(60, 0);
      std::vector<double> mine, every;
      std::map<int, long> codes;
      std::map<std::string, long> failures;
      long my_sent = 0, my_late = 0;
      for (std::size_t k = std::size_t(c); clock_type::now() < end; ++k) {
        if (o.rate > 0) { // this client's k-th turn on the schedule
          const auto due = begin + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(
                                     (double(k - std::size_t(c)) + double(c) / o.clients) / (o.rate / o.clients)));
          if (due >= end)
            break;
          if (clock_type::now() > due + std::chrono::milliseconds{1})
            ++my_late;
          std::this_thread::sleep_until(due);
        }
        ++my_sent;
        auto start = clock_type::now();
        auto r = client.Post("/v1/classify", bodies[k % bodies.size()], "application/json");
        auto ms = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
        const int status = r ? r->status : 0; // 0: no answer (connection failed)
        ++codes[status];
        if (!r)
          ++failures[httplib::to_string(r.error())];
        if (status == 200)
          mine.push_back(ms);
        if (status != 0)
          every.push_back(ms);
      }
      std::lock_guard<std::mutex> lock{mutex};
      sent += my_sent;
      late += my_late;
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      all_ms.insert(all_ms.end(), every.begin(), every.end());
      for (auto [code, n] : codes)
        statuses[code] += n;
      for (const auto& [why, n] : failures)
        errors[why] += n;
    });
  for (auto& t : clients)
    t.join();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::sort(all_ms.begin(), all_ms.end());
  nlohmann::json out{{"clients", o.clients},
                     {"seconds", o.seconds},
                     {"ok", latencies_ms.size()},
                     {"requests_per_s", double(latencies_ms.size()) / o.seconds},
                     {"p50_ms", percentile(latencies_ms, 0.50)},
                     {"p99_ms", percentile(latencies_ms, 0.99)},
                     {"sent_per_s", double(sent) / o.seconds},
                     {"all_p99_ms", percentile(all_ms, 0.99)}};
  if (o.rate > 0) {
    out["rate"] = o.rate;
    out["late"] = late; // sends more than 1 ms behind the schedule (the client was waiting)
  }
  for (auto [code, n] : statuses)
    out["statuses"][std::to_string(code)] = n;
  for (const auto& [why, n] : errors)
    out["errors"][why] = n;
  std::cout << out.dump() << std::endl;
  return statuses.count(0) > 0 ? 1 : 0;
}
