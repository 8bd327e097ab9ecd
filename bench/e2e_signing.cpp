// bench_e2e: end-to-end signing through real custos-node processes (issue 4 "Benchmark").
//
// A 3-of-5 network on 127.0.0.1 written by the real `custos init-network`, with two software-passkey
// approvers (alice, bob; policy 2 of 2) enrolled in every node.yaml, five `custos-node` processes and
// one key from a real distributed keygen. Phases (docs/performance.md, "End-to-end signing"):
//
//  warm       pools filled (presign_pool_depth = --pool-depth; the fill is timed), then --requests
//             sequential POST /v1/sign, coordinators rotating over the 5 nodes, while the pools refill
//             in the background as they do in production;
//  frozen     the same network restarted with presign_pool_depth 0 after its pools refilled: the nodes
//             keep their pooled presignatures but make no new ones, so --frozen-requests sequential
//             signings run on otherwise idle nodes (the pure warm path). Here the driver also measures
//             where the time goes: node-side latency (the coordinator's sign.done log line and
//             custos_sign_latency_seconds), CPU of the five node processes per signing, GET /healthz (HTTP floor), a replayed request (409: HTTP +
//             intent parse), an under-approved request (403: every node's gate and one control-message
//             round, no storage commit), and write+fdatasync of 4 KiB in the network's directory;
//  throughput the nodes restarted with --pool-depth again, pools refilled; --concurrency client threads
//             send --throughput-requests requests (rotating coordinators); sustained signatures/s;
//  cold       a second network with presign_pool_depth 0: --requests sequential signings, each with a
//             fresh presignature.
//
// Request bodies (intent + both passkey assertions) are built before each timed phase, so the
// client-side authenticator work is excluded; the node-side passkey verification at every node is
// included. Every 200 answer's signature is verified (libsecp256k1, low-s) under the key derived here
// from the key's public data. Latencies are also given as a ratio to one single-key libsecp256k1
// signature timed in this process (mean of a measurement before and one after the phases).
//
// All node processes get SIGTERM at the end; every error path SIGKILLs them (bench/e2e/process.h).
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.h"
#include "bench/e2e/network.h"
#include "bench/e2e/process.h"

using namespace custos;
using namespace custos::bench::e2e;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

namespace {

struct Options {
  int requests = 50;
  int concurrency = 8;
  int throughput_requests = 100;
  int frozen_requests = 20;
  int probe_requests = 20;
  int pool_depth = 8;
  int base_port = 0;
  std::string dir;
  std::string json_file;
  bool keep = false;
  bool counters = false;
  bool skip_cold = false;
  int fill_timeout_s = 900;
  int stall_s = 45;
  std::string perf_file;  // perf record of the nodes during the frozen phase
  std::string perf_stat_file;  // perf stat (context switches, syscalls) of the nodes during the frozen phase
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void say(const std::string& line) {
  std::cerr << "[bench_e2e " << std::fixed << std::setprecision(1) << bench::wall_seconds() << "] " << line << std::endl;
}

// ---- statistics ----

struct Stats {
  size_t n = 0;
  double p50 = 0, p95 = 0, p99 = 0, mean = 0, min = 0, max = 0;
};

// Percentiles by linear interpolation between order statistics (q·(n−1)).
Stats stats_of(std::vector<double> v) {
  Stats s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto pct = [&](double q) {
    const double pos = q * static_cast<double>(v.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
  };
  s.p50 = pct(0.50);
  s.p95 = pct(0.95);
  s.p99 = pct(0.99);
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  s.min = v.front();
  s.max = v.back();
  return s;
}

json stats_json(const Stats& s, double baseline_ms) {
  json j{{"n", s.n}, {"p50_ms", s.p50}, {"p95_ms", s.p95}, {"p99_ms", s.p99}, {"mean_ms", s.mean},
         {"min_ms", s.min}, {"max_ms", s.max}};
  if (s.n > 0 && baseline_ms > 0) {
    j["ratio_to_secp256k1_sign"] = {{"p50", s.p50 / baseline_ms}, {"p95", s.p95 / baseline_ms},
                                    {"p99", s.p99 / baseline_ms}, {"mean", s.mean / baseline_ms}};
  }
  return j;
}

// ---- the baseline ----

struct Baseline {
  double wall_us = 0, cpu_us = 0;
};

// One single-key libsecp256k1 signature (bench/bench_common.h, the baseline of custos-bench), timed
// over `count` signatures by wall clock and by process CPU.
Baseline measure_baseline(int count = 5000) {
  unsigned char sink = 0;
  for (int i = 0; i < 200; ++i) sink ^= bench::secp256k1_sign_once(static_cast<uint64_t>(i)).data[0];  // warm-up
  bench::Stopwatch sw;
  for (int i = 0; i < count; ++i) sink ^= bench::secp256k1_sign_once(static_cast<uint64_t>(1000 + i)).data[0];
  Baseline b{sw.wall() / count * 1e6, sw.cpu() / count * 1e6};
  volatile unsigned char keep = sink;
  (void)keep;
  return b;
}

// ---- node processes: CPU ----

// CPU seconds of process `pid` since it started, all threads including exited ones (/proc/pid/stat
// utime + stime, clock ticks).
double process_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::vector<std::string> f((std::istream_iterator<std::string>(rest)), std::istream_iterator<std::string>());
  if (f.size() < 13) return 0;
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15 → indices 11, 12 here.
  return (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds of the live threads of `pid` (sum of /proc/pid/task/*/schedstat, nanosecond resolution).
double threads_cpu_seconds(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  double ns = 0;
  DIR* d = opendir(dir.c_str());
  if (!d) return 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(dir + "/" + e->d_name + "/schedstat");
    double run_ns = 0;
    if (in >> run_ns) ns += run_ns;
  }
  closedir(d);
  return ns * 1e-9;
}

double network_cpu(const Network& net, bool fine) {
  double s = 0;
  for (int i = 1; i <= net.options().nodes; ++i) s += fine ? threads_cpu_seconds(net.pid(i)) : process_cpu_seconds(net.pid(i));
  return s;
}

// CPU seconds of `pid`'s live threads by thread name (the node names its threads: custos-io, ...).
std::map<std::string, double> threads_cpu_by_name(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  std::map<std::string, double> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(dir + "/" + e->d_name + "/schedstat");
    double run_ns = 0;
    if (!(in >> run_ns)) continue;
    std::ifstream cn(dir + "/" + e->d_name + "/comm");
    std::string name;
    std::getline(cn, name);
    out[name] += run_ns * 1e-9;
  }
  closedir(d);
  return out;
}

std::vector<std::map<std::string, double>> per_node_cpu(const Network& net) {
  std::vector<std::map<std::string, double>> v;
  for (int i = 1; i <= net.options().nodes; ++i) v.push_back(threads_cpu_by_name(net.pid(i)));
  return v;
}

double driver_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// ---- node metrics ----

// The nodes' custos_sign_latency_seconds histograms, summed over the nodes.
struct NodeLatency {
  double sum_s = 0, count = 0;
  std::map<std::string, double> buckets;  // le -> cumulative count
};

NodeLatency node_latency(const Network& net) {
  NodeLatency out;
  const std::string prefix = "custos_sign_latency_seconds_bucket{le=\"";
  for (int i = 1; i <= net.options().nodes; ++i) {
    const Metrics m = net.metrics(i);
    out.sum_s += metric(m, "custos_sign_latency_seconds_sum");
    out.count += metric(m, "custos_sign_latency_seconds_count");
    for (const auto& [series, v] : m) {
      if (series.rfind(prefix, 0) == 0) out.buckets[series.substr(prefix.size(), series.size() - prefix.size() - 2)] += v;
    }
  }
  return out;
}

json node_latency_diff(const NodeLatency& a, const NodeLatency& b) {
  const double n = b.count - a.count;
  json j{{"requests", n}, {"mean_ms", n > 0 ? (b.sum_s - a.sum_s) / n * 1e3 : 0.0}};
  json buckets = json::object();
  for (const auto& [le, v] : b.buckets) buckets["le_" + le] = v - (a.buckets.count(le) ? a.buckets.at(le) : 0.0);
  j["cumulative_buckets"] = buckets;
  return j;
}

// Per node: (pool depth of the key, presignatures made since start, sessions running).
struct PoolState {
  std::vector<double> depth, made, running;
};

PoolState pool_state(const Network& net) {
  PoolState p;
  const std::string series = "custos_presign_pool_depth{key=\"" + net.key_id() + "\"}";
  for (int i = 1; i <= net.options().nodes; ++i) {
    const Metrics m = net.metrics(i);
    p.depth.push_back(metric(m, series));
    p.made.push_back(metric(m, "custos_presignatures_made"));
    p.running.push_back(metric(m, "custos_sessions_running"));
  }
  return p;
}

std::string join(const std::vector<double>& v) {
  std::string s;
  for (double x : v) {
    if (!s.empty()) s += ',';
    s += std::to_string(static_cast<long long>(x));
  }
  return s;
}

struct Settled {
  double seconds = 0;    // from t0 to the last depth change (or last busy moment when settled quietly)
  bool stalled = false;  // depths stopped changing while sessions kept "running" (see docs/performance.md)
  bool timed_out = false;
  PoolState state;
  json to_json() const {
    return json{{"seconds", seconds}, {"stalled", stalled}, {"timed_out", timed_out}, {"pool_depth_per_node", state.depth},
                {"sessions_running_per_node", state.running}};
  }
};

// Waits until the pools stop changing. Settled: no session running on any node and no depth change
// for `quiet` (longer than the pool leader's 500 ms idle wake-up). Stalled: no depth change for
// `stall` although sessions still run (they wait, they do not compute: see the presign pool finding
// in docs/performance.md). Gives up at `limit`.
Settled wait_pools_settled(const Network& net, Clock::time_point t0, std::chrono::seconds limit,
                           std::chrono::milliseconds quiet, std::chrono::seconds stall) {
  const auto end = Clock::now() + limit;
  PoolState last = pool_state(net);
  auto last_busy = Clock::now(), last_change = Clock::now(), last_report = Clock::now();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    PoolState now = pool_state(net);
    const bool busy = std::any_of(now.running.begin(), now.running.end(), [](double r) { return r > 0; });
    if (now.depth != last.depth) last_change = last_busy = Clock::now();
    if (busy) last_busy = Clock::now();
    last = now;
    if (Clock::now() - last_report > std::chrono::seconds(10)) {
      say("  pool depths {" + join(now.depth) + "}, sessions running {" + join(now.running) + "}");
      last_report = Clock::now();
    }
    Settled s;
    s.state = now;
    if (Clock::now() - last_busy >= quiet) {
      s.seconds = std::chrono::duration<double>(last_busy - t0).count();
      return s;
    }
    if (Clock::now() - last_change >= stall) {
      s.seconds = std::chrono::duration<double>(last_change - t0).count();
      s.stalled = true;
      say("  pools stalled: no depth change for " + std::to_string(stall.count()) + " s with sessions running {" +
          join(now.running) + "}");
      return s;
    }
    if (Clock::now() > end) {
      s.seconds = std::chrono::duration<double>(last_change - t0).count();
      s.timed_out = true;
      return s;
    }
  }
}

// The coordinators' own latency per request: the "ms" of their sign.done log lines (JSON lines),
// request id -> ms. Lines that are not JSON or lack the members are skipped.
std::map<std::string, double> node_sign_ms(const Network& net) {
  std::map<std::string, double> out;
  for (int i = 1; i <= net.options().nodes; ++i) {
    std::istringstream in(slurp(net.log_path(i)));
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("\"sign.done\"") == std::string::npos) continue;
      auto j = json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("request") || !j.contains("ms") || !j["request"].is_string() || !j["ms"].is_number()) continue;
      out[j["request"].get<std::string>()] = j["ms"].get<double>();
    }
  }
  return out;
}

// ---- phases ----

struct Request {
  SigningIntent intent;
  std::string body;
  int node = 0;
};

std::vector<Request> build_requests(Network& net, int count, uint32_t path_base) {
  std::vector<Request> out;
  out.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    Request r;
    r.intent = net.intent({path_base, static_cast<uint32_t>(i)});
    r.body = net.sign_body(r.intent, {"alice", "bob"});
    r.node = 1 + i % net.options().nodes;
    out.push_back(std::move(r));
  }
  return out;
}

struct PhaseResult {
  std::string name;
  std::vector<SignOutcome> outcomes;
  double wall_s = 0;
  double node_cpu_s = 0;    // all five nodes, /proc/pid/stat
  double driver_cpu_s = 0;  // this process (HTTP client side; bodies were built before)
  json node_side;
  json extra = json::object();

  std::vector<double> latencies(const std::string& kind = "") const {
    std::vector<double> v;
    for (const SignOutcome& o : outcomes) {
      if (o.status == 200 && (kind.empty() || o.presignature == kind)) v.push_back(o.ms);
    }
    return v;
  }
  // Node-side (coordinator) latencies, and client minus node per request, of the 200s whose
  // sign.done line was found.
  std::vector<double> node_latencies(const std::string& kind = "", bool overhead = false) const {
    std::vector<double> v;
    for (const SignOutcome& o : outcomes) {
      if (o.status == 200 && o.node_ms >= 0 && (kind.empty() || o.presignature == kind)) v.push_back(overhead ? o.ms - o.node_ms : o.node_ms);
    }
    return v;
  }
  int count_status(int s) const {
    return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), [&](const SignOutcome& o) { return o.status == s; }));
  }
  int count_kind(const std::string& k) const {
    return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), [&](const SignOutcome& o) { return o.presignature == k; }));
  }
  int verify_failures() const {
    return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), [](const SignOutcome& o) { return o.status == 200 && !o.verified; }));
  }
  int retried() const {
    return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), [](const SignOutcome& o) { return o.attempts > 1; }));
  }
};

void attach_node_ms(const Network& net, PhaseResult& p) {
  const auto ms = node_sign_ms(net);
  for (SignOutcome& o : p.outcomes) {
    if (auto it = ms.find(o.request_id); !o.request_id.empty() && it != ms.end()) o.node_ms = it->second;
  }
}

// What a phase measures around its requests: the nodes' latency histogram, CPU and wall time.
struct PhaseClock {
  NodeLatency nl0;
  double cpu0 = 0, dcpu0 = 0;
  Clock::time_point t0;
  explicit PhaseClock(const Network& net)
      : nl0(node_latency(net)), cpu0(network_cpu(net, false)), dcpu0(driver_cpu_seconds()), t0(Clock::now()) {}
  // Fills the phase's totals, checks every answer and attaches the coordinators' own latencies.
  void finish(Network& net, std::vector<Request>& reqs, PhaseResult& p) const {
    p.wall_s = seconds_since(t0);
    p.node_cpu_s = network_cpu(net, false) - cpu0;
    p.driver_cpu_s = driver_cpu_seconds() - dcpu0;
    p.node_side = node_latency_diff(nl0, node_latency(net));
    for (size_t i = 0; i < reqs.size(); ++i) net.check_answer(p.outcomes[i], reqs[i].intent);
    attach_node_ms(net, p);
  }
};

// Sequential signings; with per_request_cpu, the nodes' thread CPU around each request is recorded.
PhaseResult run_sequential(const std::string& name, Network& net, std::vector<Request>& reqs, bool per_request_cpu) {
  PhaseResult p;
  p.name = name;
  std::vector<double> cpu_ms;
  const PhaseClock clock(net);
  for (size_t i = 0; i < reqs.size(); ++i) {
    const auto c0 = per_request_cpu ? per_node_cpu(net) : std::vector<std::map<std::string, double>>{};
    SignOutcome o = net.sign(reqs[i].node, reqs[i].body);
    if (per_request_cpu) {
      const auto c1 = per_node_cpu(net);
      double sum = 0;
      for (size_t n = 0; n < c1.size() && n < c0.size(); ++n) {
        std::map<std::string, double> by_thread;
        double node_sum = 0;
        for (const auto& [name, s1] : c1[n]) {
          auto it = c0[n].find(name);
          const double ms = (s1 - (it == c0[n].end() ? 0 : it->second)) * 1e3;
          by_thread[name] = ms;
          node_sum += ms;
        }
        o.node_cpu_ms_by_node.push_back(node_sum);
        o.node_thread_cpu_ms.push_back(std::move(by_thread));
        sum += node_sum;
      }
      cpu_ms.push_back(sum);
      o.node_cpu_ms = sum;
    }
    p.outcomes.push_back(std::move(o));
  }
  clock.finish(net, reqs, p);
  if (per_request_cpu) {
    const Stats s = stats_of(cpu_ms);
    std::vector<double> pool_ms, coordinator_ms, signer_ms, bystander_ms;
    // Mean CPU per thread name and role over the pooled requests.
    std::map<std::string, std::map<std::string, double>> role_thread_ms;
    std::map<std::string, int> role_count;
    for (const SignOutcome& o : p.outcomes) {
      if (o.status != 200 || o.presignature != "pool") continue;
      pool_ms.push_back(o.node_cpu_ms);
      // By role: the coordinator, each other signer, each node that only judged the request.
      for (size_t n = 0; n < o.node_cpu_ms_by_node.size(); ++n) {
        const int node = static_cast<int>(n) + 1;
        const bool signer = std::find(o.signers.begin(), o.signers.end(), node) != o.signers.end();
        const std::string role = node == o.node ? "coordinator" : signer ? "other_signer" : "non_signer";
        (node == o.node ? coordinator_ms : signer ? signer_ms : bystander_ms).push_back(o.node_cpu_ms_by_node[n]);
        role_count[role] += 1;
        for (const auto& [name, ms] : o.node_thread_cpu_ms[n]) role_thread_ms[role][name] += ms;
      }
    }
    nlohmann::json by_thread;
    for (auto& [role, threads] : role_thread_ms) {
      for (auto& [name, ms] : threads) by_thread[role][name] = ms / role_count[role];
    }
    p.extra["node_cpu_ms_by_role_and_thread"] = by_thread;
    const Stats sp = stats_of(pool_ms);
    p.extra["node_cpu_ms_per_request"] = {{"p50", s.p50}, {"mean", s.mean}, {"max", s.max},
                                          {"pool_p50", sp.p50}, {"pool_mean", sp.mean},
                                          {"pool_coordinator_p50", stats_of(coordinator_ms).p50},
                                          {"pool_other_signer_p50", stats_of(signer_ms).p50},
                                          {"pool_non_signer_p50", stats_of(bystander_ms).p50},
                                          {"note", "sum over the 5 nodes' live threads (schedstat) around each request; "
                                                   "by role: per node, pooled requests"}};
  }
  return p;
}

PhaseResult run_concurrent(const std::string& name, Network& net, std::vector<Request>& reqs, int threads) {
  PhaseResult p;
  p.name = name;
  p.outcomes.resize(reqs.size());
  std::atomic<size_t> next{0};
  const PhaseClock clock(net);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < reqs.size(); i = next++) p.outcomes[i] = net.sign(reqs[i].node, reqs[i].body);
    });
  }
  for (std::thread& t : pool) t.join();
  clock.finish(net, reqs, p);
  return p;
}

json phase_json(const PhaseResult& p, double baseline_ms) {
  const int ok = p.count_status(200);
  json j{{"requests", p.outcomes.size()},
         {"ok", ok},
         {"pool", p.count_kind("pool")},
         {"fresh", p.count_kind("fresh")},
         {"retried", p.retried()},
         {"verify_failures", p.verify_failures()},
         {"wall_s", p.wall_s},
         {"signatures_per_s", p.wall_s > 0 ? ok / p.wall_s : 0.0},
         {"node_cpu_ms_per_ok_request", ok > 0 ? p.node_cpu_s * 1e3 / ok : 0.0},
         {"driver_cpu_ms_per_request", p.outcomes.empty() ? 0.0 : p.driver_cpu_s * 1e3 / static_cast<double>(p.outcomes.size())},
         {"latency", stats_json(stats_of(p.latencies()), baseline_ms)},
         {"latency_pool", stats_json(stats_of(p.latencies("pool")), baseline_ms)},
         {"latency_fresh", stats_json(stats_of(p.latencies("fresh")), baseline_ms)},
         {"node_side_latency", p.node_side},
         {"node_side_latency_from_logs", stats_json(stats_of(p.node_latencies()), 0)},
         {"node_side_latency_from_logs_pool", stats_json(stats_of(p.node_latencies("pool")), 0)},
         {"client_minus_node_ms_pool", stats_json(stats_of(p.node_latencies("pool", true)), 0)}};
  std::map<std::string, int> statuses;
  json errors = json::array();
  for (const SignOutcome& o : p.outcomes) {
    statuses[std::to_string(o.status)]++;
    if (!o.error.empty() && errors.size() < 10) {
      errors.push_back({{"node", o.node}, {"status", o.status}, {"error", o.error.substr(0, 600)}});
    }
  }
  j["statuses"] = statuses;
  j["errors"] = errors;
  j["attempts"] = json::array();
  for (const SignOutcome& o : p.outcomes) j["attempts"].push_back(o.attempts);
  j["latencies_ms"] = json::array();
  for (const SignOutcome& o : p.outcomes) j["latencies_ms"].push_back(std::round(o.ms * 1000) / 1000);
  j["presignature"] = json::array();
  for (const SignOutcome& o : p.outcomes) j["presignature"].push_back(o.presignature);
  j.update(p.extra);
  return j;
}

// ---- probes on the frozen (idle) network ----

Stats time_probe(int count, const std::function<void(int)>& fn) {
  std::vector<double> v;
  for (int i = 0; i < count; ++i) {
    const auto t0 = Clock::now();
    fn(i);
    v.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return stats_of(v);
}

// write(4 KiB) + fdatasync in `dir`: the durable-commit floor of the disk under the nodes' SQLite files.
Stats fsync_probe(const std::string& dir, int count) {
  const std::string path = dir + "/fsync-probe";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  std::vector<char> block(4096, 'x');
  Stats s = time_probe(count, [&](int i) {
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(i % 16) * 4096) < 0 || ::fdatasync(fd) != 0) {
      throw std::runtime_error("fsync probe: write/fdatasync failed");
    }
  });
  ::close(fd);
  ::unlink(path.c_str());
  return s;
}

// Lines of the node logs that report something other than a normal signing or presigning.
// Byte ranges [from, to) of node i's log are skipped (the driver's deliberate 409/403 probes).
json log_findings(const std::string& dir, const std::string& label, int nodes,
                  const std::map<int, std::pair<size_t, size_t>>& skip = {}) {
  json out = json::object();
  const std::vector<std::string> keys{"failed", "refused", "declined", "error", "dropped", "not sent", "abort", "full", "warn"};
  for (int i = 1; i <= nodes; ++i) {
    std::string text = slurp(dir + "/node" + std::to_string(i) + ".log");
    if (auto it = skip.find(i); it != skip.end() && it->second.first < it->second.second && it->second.second <= text.size()) {
      text.erase(it->second.first, it->second.second - it->second.first);
    }
    std::istringstream in(text);
    std::string line;
    json lines = json::array();
    int count = 0;
    while (std::getline(in, line)) {
      std::string lower = line;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (std::none_of(keys.begin(), keys.end(), [&](const std::string& k) { return lower.find(k) != std::string::npos; })) continue;
      ++count;
      if (lines.size() < 8) lines.push_back(line.substr(0, 400));
    }
    if (count > 0) out[label + "/node" + std::to_string(i)] = {{"lines", count}, {"first", lines}};
  }
  return out;
}

// ---- output ----

std::string fmt(double v, int prec = 1) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

void print_table(const std::vector<std::pair<std::string, const PhaseResult*>>& rows, double baseline_ms) {
  std::printf("\n%-44s %5s %5s %5s %5s %5s %9s %9s %9s %9s %9s\n", "phase (latency in ms, client side)", "req", "ok",
              "pool", "fresh", "retry", "p50", "p95", "p99", "mean", "max");
  for (const auto& [label, p] : rows) {
    const std::string kind = label.find("[pool]") != std::string::npos ? "pool"
                             : label.find("[fresh]") != std::string::npos ? "fresh" : "";
    const Stats s = stats_of(p->latencies(kind));
    std::printf("%-44s %5zu %5d %5d %5d %5d %9s %9s %9s %9s %9s\n", label.c_str(), kind.empty() ? p->outcomes.size() : s.n,
                kind.empty() ? p->count_status(200) : static_cast<int>(s.n), kind.empty() || kind == "pool" ? p->count_kind("pool") : 0,
                kind.empty() || kind == "fresh" ? p->count_kind("fresh") : 0, p->retried(), fmt(s.p50, 2).c_str(),
                fmt(s.p95, 2).c_str(), fmt(s.p99, 2).c_str(), fmt(s.mean, 2).c_str(), fmt(s.max, 2).c_str());
  }
  std::printf("\n%-44s %12s %12s %12s %12s\n", "same, as a ratio to one secp256k1 signature", "p50 ×", "p95 ×", "p99 ×", "mean ×");
  for (const auto& [label, p] : rows) {
    const std::string kind = label.find("[pool]") != std::string::npos ? "pool"
                             : label.find("[fresh]") != std::string::npos ? "fresh" : "";
    const Stats s = stats_of(p->latencies(kind));
    if (s.n == 0) continue;
    std::printf("%-44s %12s %12s %12s %12s\n", label.c_str(), fmt(s.p50 / baseline_ms, 0).c_str(),
                fmt(s.p95 / baseline_ms, 0).c_str(), fmt(s.p99 / baseline_ms, 0).c_str(), fmt(s.mean / baseline_ms, 0).c_str());
  }
}

// A fresh, empty work directory.
std::string make_work_dir(const std::string& wanted) {
  namespace fs = std::filesystem;
  if (wanted.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "custos-e2e-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    return tmpl;
  }
  std::error_code ec;
  if (fs::exists(wanted, ec)) {
    if (!fs::is_directory(wanted, ec) || !fs::is_empty(wanted, ec)) {
      throw std::runtime_error("--dir " + wanted + " exists and is not an empty directory");
    }
  } else if (!fs::create_directories(wanted, ec)) {
    throw std::runtime_error("cannot create --dir " + wanted + ": " + ec.message());
  }
  return fs::absolute(wanted).string();
}

int run_bench(const Options& opt, const std::string& work) {
  json report;
  report["options"] = {{"requests", opt.requests}, {"concurrency", opt.concurrency},
                       {"throughput_requests", opt.throughput_requests}, {"frozen_requests", opt.frozen_requests},
                       {"pool_depth", opt.pool_depth}, {"base_port", opt.base_port}, {"dir", work},
                       {"approver_counters", opt.counters}, {"nodes", 5}, {"threshold", 3}};
  report["machine"] = {{"nproc", std::thread::hardware_concurrency()}};
  {
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) == 3) report["machine"]["loadavg_start"] = {load[0], load[1], load[2]};
  }

  say("baseline: single-key libsecp256k1 signatures");
  const Baseline base_before = measure_baseline();

  // ---------------- warm network ----------------
  NetworkOptions wo;
  wo.pool_depth = opt.pool_depth;
  wo.base_port = opt.base_port;
  wo.counters = opt.counters;
  const std::string warm_dir = work + "/warm";
  std::filesystem::create_directories(warm_dir);
  say("warm network: init-network 3-of-5 in " + warm_dir + ", ports " + std::to_string(opt.base_port + 1) + "..");
  Network warm(warm_dir, wo, CUSTOS_BIN_DIR);
  auto t = Clock::now();
  warm.start_all();
  const double start_s = seconds_since(t);
  say("5 nodes connected in " + fmt(start_s, 2) + " s; keygen");
  t = Clock::now();
  warm.keygen();
  const double keygen_s = seconds_since(t);
  say("keygen " + warm.key_id().substr(0, 12) + ".. on all nodes in " + fmt(keygen_s, 2) + " s; waiting for the pools");
  const auto fill_t0 = Clock::now();
  const Settled fill = wait_pools_settled(warm, fill_t0, std::chrono::seconds(opt.fill_timeout_s), std::chrono::seconds(3),
                                          std::chrono::seconds(opt.stall_s));
  const PoolState& filled = fill.state;
  double made = 0, depth_sum = 0;
  for (double m : filled.made) made += m;
  for (double d : filled.depth) depth_sum += d;
  // Each node leads one signer set and fills it to the depth; leaders whose sets coincide share one
  // count, so 5 × depth is an upper bound of the distinct presignatures, not the exact target.
  const bool at_bound = depth_sum / 3 >= 5.0 * opt.pool_depth;
  const std::string fill_word = fill.timed_out ? "pools still changing at --fill-timeout"
                                : !fill.stalled ? "pools filled"
                                : at_bound      ? "pools filled, with sessions still open"
                                                : "pools STALLED: no growth for --stall s with sessions open";
  say(fill_word +
      " after " + fmt(fill.seconds, 1) + " s: depths {" + join(filled.depth) + "}, presignatures made (member count) " +
      std::to_string(static_cast<long long>(made)));
  report["warm_network"] = {{"start_s", start_s}, {"keygen_s", keygen_s}, {"pool_fill_s", fill.seconds},
                            {"pool_fill", fill.to_json()}, {"presignatures_made_per_node", filled.made},
                            {"distinct_presignatures", depth_sum / 3},
                            {"max_presignatures", 5 * opt.pool_depth}, {"pool_fill_outcome", fill_word}};

  // Restarts the warm network's nodes (same stores) with another presign_pool_depth; returns the
  // exit statuses of the stopped run.
  auto restart_with_depth = [&](int depth) {
    const std::vector<int> codes = warm.stop_all();
    for (int i = 1; i <= 5; ++i) {
      std::string text = slurp(warm.config_path(i));
      const size_t at = text.find("presign_pool_depth:");
      text.replace(at, text.find('\n', at) - at, "presign_pool_depth: " + std::to_string(depth));
      std::ofstream(warm.config_path(i), std::ios::trunc) << text;
    }
    warm.start_all(std::chrono::seconds(60), false);
    return codes;
  };

  // Waits for the pools to refill. When they stall (members left waiting out a declined presigning
  // until their session deadline: the presign pool finding in docs/performance.md), restarts the nodes
  // once, which ends those sessions, and waits again, so the next phase starts with usable pools.
  auto refill = [&](const std::string& label) {
    const auto t0 = Clock::now();
    json j = wait_pools_settled(warm, t0, std::chrono::seconds(opt.fill_timeout_s), std::chrono::seconds(2),
                                std::chrono::seconds(opt.stall_s)).to_json();
    if (j["stalled"].get<bool>()) {
      say("  restarting the nodes once to end the stuck presign sessions, then waiting again");
      j["restart_exit_codes"] = restart_with_depth(opt.pool_depth);
      const auto t1 = Clock::now();
      j["after_restart"] = wait_pools_settled(warm, t1, std::chrono::seconds(opt.fill_timeout_s), std::chrono::seconds(2),
                                              std::chrono::seconds(opt.stall_s)).to_json();
    }
    report["warm_network"][label] = j;
  };

  // Warm, back-to-back, pools refilling behind.
  auto warm_reqs = build_requests(warm, opt.requests, 1);
  say("warm: " + std::to_string(opt.requests) + " sequential signings (pools refill in the background)");
  PhaseResult warm_p = run_sequential("warm", warm, warm_reqs, false);
  say("  " + std::to_string(warm_p.count_status(200)) + " ok, " + std::to_string(warm_p.count_kind("pool")) + " pool, p50 " +
      fmt(stats_of(warm_p.latencies()).p50, 2) + " ms");

  // Frozen pool: refill, restart with presign_pool_depth 0.
  say("waiting for the pools to refill, then restarting the nodes with presign_pool_depth 0 (pool frozen)");
  refill("refill_after_warm");
  report["warm_network"]["exit_codes_first_run"] = restart_with_depth(0);
  const PoolState frozen_start = pool_state(warm);
  report["warm_network"]["pool_depth_per_node_frozen"] = frozen_start.depth;
  say("frozen: depths {" + join(frozen_start.depth) + "}; " + std::to_string(opt.frozen_requests) + " sequential signings");
  auto frozen_reqs = build_requests(warm, opt.frozen_requests, 3);
  // The nodes' CPU while idle (nothing to do but their timers), to compare with the per-request figure.
  {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const double c0 = network_cpu(warm, true);
    const auto i0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const double idle_ms_per_s = (network_cpu(warm, true) - c0) * 1e3 / seconds_since(i0);
    report["warm_network"]["idle_cpu_ms_per_s_all_nodes"] = idle_ms_per_s;
    say("  idle CPU of the 5 nodes: " + fmt(idle_ms_per_s, 2) + " ms per second");
  }
  std::string node_pids;
  for (int i = 1; i <= 5; ++i) node_pids += (i > 1 ? "," : "") + std::to_string(warm.pid(i));
  pid_t perf = 0;
  if (!opt.perf_file.empty()) {
    perf = spawn({"/usr/bin/perf", "record", "-e", "cpu-clock", "-F", "4000", "-g", "-p", node_pids, "-o", opt.perf_file},
                 work + "/perf.log");
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  // Counts, not samples: divided by the pooled signings of the phase they tell how many context switches
  // and system calls one signing costs the five nodes together.
  pid_t perf_stat = 0;
  if (!opt.perf_stat_file.empty()) {
    perf_stat = spawn({"/usr/bin/perf", "stat", "-x", ",", "-e",
                       "task-clock,context-switches,cpu-migrations,syscalls:sys_enter_poll,syscalls:sys_enter_epoll_wait,"
                       "syscalls:sys_enter_futex,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,"
                       "syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_pwrite64,"
                       "syscalls:sys_enter_fdatasync",
                       "-p", node_pids, "-o", opt.perf_stat_file},
                      work + "/perf-stat.log");
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  PhaseResult frozen_p = run_sequential("frozen", warm, frozen_reqs, true);
  if (perf > 0) {
    kill(perf, SIGINT);
    report["perf_exit"] = wait_exit(perf, std::chrono::seconds(60));
    say("  perf data in " + opt.perf_file);
  }
  if (perf_stat > 0) {
    kill(perf_stat, SIGINT);
    report["perf_stat_exit"] = wait_exit(perf_stat, std::chrono::seconds(60));
    say("  perf stat counts in " + opt.perf_stat_file + " (whole frozen phase, all 5 nodes)");
  }
  say("  " + std::to_string(frozen_p.count_status(200)) + " ok, " + std::to_string(frozen_p.count_kind("pool")) +
      " pool, p50 " + fmt(stats_of(frozen_p.latencies()).p50, 2) + " ms");

  // Probes on the idle frozen network.
  say("probes: GET /healthz, a replayed request (409), an under-approved request (403), fdatasync");
  json probes;
  std::map<int, std::pair<size_t, size_t>> probe_ranges;
  for (int i = 1; i <= 5; ++i) probe_ranges[i].first = slurp(warm.log_path(i)).size();
  const Stats healthz = time_probe(opt.probe_requests, [&](int i) {
    auto r = warm.get(1 + i % 5, "/healthz");
    if (!r || r->status != 200) throw std::runtime_error("GET /healthz failed");
  });
  int replay_non409 = 0;
  const Stats replay = time_probe(opt.probe_requests, [&](int i) {
    const Request& r = frozen_reqs[static_cast<size_t>(i) % frozen_reqs.size()];
    if (warm.sign(r.node, r.body).status != 409) ++replay_non409;
  });
  std::vector<std::string> under_bodies;
  for (int i = 0; i < opt.probe_requests; ++i) under_bodies.push_back(warm.sign_body(warm.intent({4, static_cast<uint32_t>(i)}), {"alice"}));
  int under_non403 = 0;
  const Stats under = time_probe(opt.probe_requests, [&](int i) {
    if (warm.sign(1 + i % 5, under_bodies[static_cast<size_t>(i)]).status != 403) ++under_non403;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the last refusals reach the logs
  for (int i = 1; i <= 5; ++i) probe_ranges[i].second = slurp(warm.log_path(i)).size();
  const Stats fsync = fsync_probe(warm_dir, 50);
  const double base_ms_now = (base_before.wall_us) / 1e3;
  probes["healthz"] = stats_json(healthz, base_ms_now);
  probes["replay_409"] = stats_json(replay, base_ms_now);
  probes["replay_409"]["unexpected_status"] = replay_non409;
  probes["under_approved_403"] = stats_json(under, base_ms_now);
  probes["under_approved_403"]["unexpected_status"] = under_non403;
  probes["fdatasync_4k"] = stats_json(fsync, base_ms_now);
  report["warm_network"]["exit_codes_frozen_run"] = restart_with_depth(opt.pool_depth);

  // Throughput, from refilled pools.
  say("throughput: nodes restarted with presign_pool_depth " + std::to_string(opt.pool_depth) + "; waiting for the pools");
  refill("refill_before_throughput");
  auto tp_reqs = build_requests(warm, opt.throughput_requests, 2);
  say("throughput: " + std::to_string(opt.throughput_requests) + " requests from " + std::to_string(opt.concurrency) +
      " client threads");
  PhaseResult tp_p = run_concurrent("throughput", warm, tp_reqs, opt.concurrency);
  say("  " + std::to_string(tp_p.count_status(200)) + " ok in " + fmt(tp_p.wall_s, 1) + " s = " +
      fmt(tp_p.count_status(200) / tp_p.wall_s, 2) + " signatures/s");
  report["warm_network"]["exit_codes_throughput_run"] = warm.stop_all();

  // ---------------- cold network ----------------
  std::optional<PhaseResult> cold_p;
  if (!opt.skip_cold) {
    NetworkOptions co = wo;
    co.pool_depth = 0;
    co.base_port = opt.base_port + 200;
    const std::string cold_dir = work + "/cold";
    std::filesystem::create_directories(cold_dir);
    say("cold network (presign_pool_depth 0): init, start, keygen");
    Network cold(cold_dir, co, CUSTOS_BIN_DIR);
    cold.start_all();
    t = Clock::now();
    cold.keygen();
    report["cold_network"] = {{"keygen_s", seconds_since(t)}};
    auto cold_reqs = build_requests(cold, opt.requests, 5);
    say("cold: " + std::to_string(opt.requests) + " sequential signings");
    cold_p = run_sequential("cold", cold, cold_reqs, false);
    say("  " + std::to_string(cold_p->count_status(200)) + " ok, p50 " + fmt(stats_of(cold_p->latencies()).p50, 1) + " ms");
    report["cold_network"]["exit_codes"] = cold.stop_all();
  }

  say("baseline again");
  const Baseline base_after = measure_baseline();
  const double baseline_ms = (base_before.wall_us + base_after.wall_us) / 2 / 1e3;
  report["baseline_secp256k1_sign"] = {{"wall_us", baseline_ms * 1e3}, {"wall_us_before", base_before.wall_us},
                                       {"wall_us_after", base_after.wall_us},
                                       {"cpu_us", (base_before.cpu_us + base_after.cpu_us) / 2}};
  // Recompute the probe ratios against the final baseline.
  for (auto& [name, p] : probes.items()) {
    if (p.contains("p50_ms")) {
      p["ratio_to_secp256k1_sign"] = {{"p50", p["p50_ms"].get<double>() / baseline_ms}, {"p95", p["p95_ms"].get<double>() / baseline_ms},
                                      {"p99", p["p99_ms"].get<double>() / baseline_ms}, {"mean", p["mean_ms"].get<double>() / baseline_ms}};
    }
  }
  report["phases"]["warm"] = phase_json(warm_p, baseline_ms);
  report["phases"]["throughput"] = phase_json(tp_p, baseline_ms);
  report["phases"]["frozen"] = phase_json(frozen_p, baseline_ms);
  if (cold_p) report["phases"]["cold"] = phase_json(*cold_p, baseline_ms);
  report["probes"] = probes;
  json findings = log_findings(warm_dir, "warm", 5, probe_ranges);
  if (!opt.skip_cold) findings.update(log_findings(work + "/cold", "cold", 5));
  report["node_log_findings"] = findings;
  {
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) == 3) report["machine"]["loadavg_end"] = {load[0], load[1], load[2]};
  }

  // ---------------- the table ----------------
  std::vector<std::pair<std::string, const PhaseResult*>> rows{
      {"warm, pools refilling behind (all)", &warm_p},
      {"warm, pools refilling behind [pool]", &warm_p},
      {"warm, pools refilling behind [fresh]", &warm_p},
      {"warm, pool frozen, idle nodes (all)", &frozen_p},
      {"warm, pool frozen, idle nodes [pool]", &frozen_p},
      {"throughput, " + std::to_string(opt.concurrency) + " clients (all)", &tp_p},
      {"throughput, " + std::to_string(opt.concurrency) + " clients [pool]", &tp_p},
      {"throughput, " + std::to_string(opt.concurrency) + " clients [fresh]", &tp_p}};
  if (cold_p) rows.push_back({"cold, pool depth 0 (all)", &*cold_p});
  std::printf("\nEnd-to-end signing, 5 custos-node processes, 3-of-5, 2 passkey approvals (%d-core machine)\n",
              static_cast<int>(std::thread::hardware_concurrency()));
  std::printf("baseline: one single-key libsecp256k1 signature = %.1f us wall (%.1f us CPU), same run\n", baseline_ms * 1e3,
              (base_before.cpu_us + base_after.cpu_us) / 2);
  std::printf("warm network: keygen %.1f s; %s after %.1f s (depth %d: %.0f presignatures, at most %d; sessions open {%s})\n",
              keygen_s, fill_word.c_str(), fill.seconds, opt.pool_depth, depth_sum / 3, 5 * opt.pool_depth, join(filled.running).c_str());
  print_table(rows, baseline_ms);
  const int tp_ok = tp_p.count_status(200);
  std::printf("\nthroughput: %d of %d signed in %.1f s = %.2f signatures/s (%d pool, %d fresh)\n", tp_ok,
              static_cast<int>(tp_p.outcomes.size()), tp_p.wall_s, tp_ok / tp_p.wall_s, tp_p.count_kind("pool"),
              tp_p.count_kind("fresh"));
  std::printf("\nwhere the warm-path time goes (pool frozen, idle nodes):\n");
  const Stats fz = stats_of(frozen_p.latencies("pool"));
  std::printf("  client latency, pooled presignature        p50 %8.2f ms   mean %8.2f ms\n", fz.p50, fz.mean);
  const Stats fzn = stats_of(frozen_p.node_latencies("pool"));
  const Stats fzo = stats_of(frozen_p.node_latencies("pool", true));
  if (fzn.n > 0) {
    std::printf("  coordinator's own latency (sign.done log)  p50 %8.2f ms   mean %8.2f ms\n", fzn.p50, fzn.mean);
    std::printf("  client minus coordinator (HTTP, JSON)      p50 %8.2f ms   mean %8.2f ms\n", fzo.p50, fzo.mean);
  }
  std::printf("  node-side (custos_sign_latency_seconds)    mean %7.2f ms (all requests of the phase)\n",
              frozen_p.node_side.value("mean_ms", 0.0));
  if (frozen_p.extra.contains("node_cpu_ms_per_request")) {
    std::printf("  CPU of the 5 nodes per pooled signing      p50 %8.2f ms   mean %8.2f ms (idle: %.2f ms/s)\n",
                frozen_p.extra["node_cpu_ms_per_request"]["pool_p50"].get<double>(),
                frozen_p.extra["node_cpu_ms_per_request"]["pool_mean"].get<double>(),
                report["warm_network"].value("idle_cpu_ms_per_s_all_nodes", 0.0));
    const auto& c = frozen_p.extra["node_cpu_ms_per_request"];
    std::printf("    per node, p50: coordinator %.2f ms, each other signer %.2f ms, each non-signer %.2f ms\n",
                c["pool_coordinator_p50"].get<double>(), c["pool_other_signer_p50"].get<double>(),
                c["pool_non_signer_p50"].get<double>());
    for (const auto& [role, threads] : frozen_p.extra["node_cpu_ms_by_role_and_thread"].items()) {
      std::string line;
      for (const auto& [name, ms] : threads.items()) {
        if (ms.get<double>() >= 0.01) line += " " + name + " " + fmt(ms.get<double>(), 2);
      }
      std::printf("    %s, mean ms by thread:%s\n", role.c_str(), line.c_str());
    }
  }
  std::printf("  GET /healthz (HTTP floor)                  p50 %8.2f ms\n", healthz.p50);
  std::printf("  replayed request, 409 (HTTP + parse)       p50 %8.2f ms\n", replay.p50);
  std::printf("  under-approved, 403 (5 gates, 1 round)     p50 %8.2f ms\n", under.p50);
  std::printf("  write 4 KiB + fdatasync in the node dir    p50 %8.2f ms   p95 %8.2f ms\n", fsync.p50, fsync.p95);

  int verify_failures = warm_p.verify_failures() + tp_p.verify_failures() + frozen_p.verify_failures() +
                        (cold_p ? cold_p->verify_failures() : 0);
  int non200 = static_cast<int>(warm_p.outcomes.size()) - warm_p.count_status(200) +
               static_cast<int>(tp_p.outcomes.size()) - tp_p.count_status(200) +
               static_cast<int>(frozen_p.outcomes.size()) - frozen_p.count_status(200) +
               (cold_p ? static_cast<int>(cold_p->outcomes.size()) - cold_p->count_status(200) : 0);
  report["verify_failures"] = verify_failures;
  report["non_200"] = non200;
  std::printf("\nsignature verification failures: %d; non-200 answers: %d\n", verify_failures, non200);
  if (!findings.empty()) {
    std::printf("node log lines reporting failures/refusals (details in the JSON):");
    for (auto& [k, v] : findings.items()) std::printf(" %s=%d", k.c_str(), v["lines"].get<int>());
    std::printf("\n");
  }
  if (!opt.json_file.empty()) {
    std::ofstream(opt.json_file, std::ios::trunc) << report.dump(2) << "\n";
    say("wrote " + opt.json_file);
  }
  return verify_failures == 0 ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  install_cleanup();
  Options opt;
  CLI::App cli("bench_e2e: end-to-end signing through 5 real custos-node processes (3-of-5)", "bench_e2e");
  cli.add_option("--requests", opt.requests, "sequential signings in the warm and cold phases")->check(CLI::Range(1, 100000));
  cli.add_option("--concurrency", opt.concurrency, "client threads in the throughput phase")->check(CLI::Range(1, 256));
  cli.add_option("--throughput-requests", opt.throughput_requests, "requests in the throughput phase")->check(CLI::Range(1, 100000));
  cli.add_option("--frozen-requests", opt.frozen_requests, "sequential signings with the pool frozen (idle nodes)")->check(CLI::Range(1, 100000));
  cli.add_option("--probe-requests", opt.probe_requests, "requests per probe (healthz, 409, 403)")->check(CLI::Range(1, 100000));
  cli.add_option("--pool-depth", opt.pool_depth, "timeouts.presign_pool_depth of the warm network")->check(CLI::Range(1, 4096));
  cli.add_option("--dir", opt.dir, "work directory (created; must be empty); default a mkdtemp directory");
  cli.add_option("--base-port", opt.base_port, "first port: warm network base..base+105, cold base+200..base+305");
  cli.add_option("--json", opt.json_file, "write the results as JSON to this file");
  cli.add_option("--fill-timeout", opt.fill_timeout_s, "seconds to wait for the pools to fill");
  cli.add_option("--stall", opt.stall_s, "seconds without any pool depth change after which the pools count as stalled");
  cli.add_flag("--keep", opt.keep, "keep the work directory (configs, node logs) at the end");
  cli.add_flag("--with-counters", opt.counters, "approvers' authenticators keep signature counters (default: counterless, "
                                               "like synced passkeys; with counters, concurrent requests can be refused as rollbacks)");
  cli.add_flag("--skip-cold", opt.skip_cold, "skip the cold network");
  cli.add_option("--perf", opt.perf_file, "record the nodes with `perf record -g` during the frozen phase into this file");
  cli.add_option("--perf-stat", opt.perf_stat_file,
                 "count the nodes' context switches and system calls with `perf stat` during the frozen phase into this file");
  CLI11_PARSE(cli, argc, argv);
  if (opt.base_port == 0) opt.base_port = 20000 + static_cast<int>(getpid() % 30) * 400;

  std::string work;
  int rc = 1;
  try {
    work = make_work_dir(opt.dir);
    rc = run_bench(opt, work);
  } catch (const std::exception& e) {
    kill_all_now();
    std::cerr << "bench_e2e: error: " << e.what() << "\n";
    if (!work.empty()) std::cerr << "bench_e2e: node logs kept in " << work << "\n";
    return 1;
  }
  kill_all_now();  // nothing should be left; belt and braces
  if (!opt.keep) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  } else {
    say("work directory kept: " + work);
  }
  return rc;
}
