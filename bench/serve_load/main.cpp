// axon-serve-load: a bounded closed-loop load generator for `axon serve` (or any server
// with its JSON): C clients on loopback, each sending one request, waiting for its answer,
// then sending the next, for S seconds. Prints one JSON line: requests/s, p50/p99 latency
// of the 200s, and the count of every status (503s are the service refusing at once).
//   axon-serve-load --port P [--host 127.0.0.1] [--clients C] [--seconds S] [--texts FILE]
// FILE: sentences, one per line; request k of a client carries sentence k mod n (one per
// request). Bounded: at most 1024 clients and 600 s.
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
    else
      return false;
  }
  return argc % 2 == 1 && o.port > 0 && o.clients >= 1 && o.clients <= 1024 && o.seconds > 0
         && o.seconds <= 600;
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
                 "[--texts FILE]\n";
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
  std::vector<double> latencies_ms;
  std::map<int, long> statuses;
  const auto end = clock_type::now() + std::chrono::duration<double>(o.seconds);
  std::vector<std::thread> clients;
  for (int c = 0; c < o.clients; ++c)
    clients.emplace_back([&, c] {
      httplib::Client client{o.host, o.port};
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(60, 0);
      std::vector<double> mine;
      std::map<int, long> codes;
      for (std::size_t k = std::size_t(c); clock_type::now() < end; ++k) {
        auto start = clock_type::now();
        auto r = client.Post("/v1/classify", bodies[k % bodies.size()], "application/json");
        auto ms = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
        const int status = r ? r->status : 0; // 0: no answer (connection failed)
        ++codes[status];
        if (status == 200)
          mine.push_back(ms);
      }
      std::lock_guard<std::mutex> lock{mutex};
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      for (auto [code, n] : codes)
        statuses[code] += n;
    });
  for (auto& t : clients)
    t.join();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  nlohmann::json out{{"clients", o.clients},
                     {"seconds", o.seconds},
                     {"ok", latencies_ms.size()},
                     {"requests_per_s", double(latencies_ms.size()) / o.seconds},
                     {"p50_ms", percentile(latencies_ms, 0.50)},
                     {"p99_ms", percentile(latencies_ms, 0.99)}};
  for (auto [code, n] : statuses)
    out["statuses"][std::to_string(code)] = n;
  std::cout << out.dump() << std::endl;
  return statuses.count(0) > 0 ? 1 : 0;
}
