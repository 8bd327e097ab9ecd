// node/metrics/registry.h: exact exposition text, escaping, validation and
// exact totals under concurrent updates.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "node/metrics/registry.h"

using namespace custos;
using namespace custos::node::metrics;

TEST_CASE("metrics: exact text for a counter, a labelled gauge and a histogram, families sorted", "[metrics]") {
  Registry r;
  // Registered out of order: render() must sort families by name.
  auto h = r.histogram("rpc_latency_seconds", "RPC latency.", {0.25, 0.5, 1});
  auto peers = r.gauge_family("peers", "Connected peers.", {"network", "role"});
  auto jobs = r.counter("jobs_total", "Jobs done.");
  REQUIRE(h.ok());
  REQUIRE(peers.ok());
  REQUIRE(jobs.ok());

  (*jobs)->inc();
  (*jobs)->inc(2);
  // Series created out of order: sorted by label values (network first, then role).
  auto main_signer = (*peers)->with({"main", "signer"});
  auto main_coord = (*peers)->with({"main", "coordinator"});
  auto dev_signer = (*peers)->with({"dev", "signer"});
  REQUIRE(main_signer.ok());
  REQUIRE(main_coord.ok());
  REQUIRE(dev_signer.ok());
  (*main_signer)->set(3);
  (*main_coord)->inc(1.5);
  (*dev_signer)->inc();
  (*dev_signer)->dec(3);
  // Dyadic values so the sum is exact: 0.125 + 0.25 + 0.375 + 1 + 2 = 3.75.
  // 0.25 and 1 sit exactly on bounds: "le" buckets include their bound.
  for (double v : {0.125, 0.25, 0.375, 1.0, 2.0}) (*h)->observe(v);

  CHECK(r.render() ==
        "# HELP jobs_total Jobs done.\n"
        "# TYPE jobs_total counter\n"
        "jobs_total 3\n"
        "# HELP peers Connected peers.\n"
        "# TYPE peers gauge\n"
        "peers{network=\"dev\",role=\"signer\"} -2\n"
        "peers{network=\"main\",role=\"coordinator\"} 1.5\n"
        "peers{network=\"main\",role=\"signer\"} 3\n"
        "# HELP rpc_latency_seconds RPC latency.\n"
        "# TYPE rpc_latency_seconds histogram\n"
        "rpc_latency_seconds_bucket{le=\"0.25\"} 2\n"
        "rpc_latency_seconds_bucket{le=\"0.5\"} 3\n"
        "rpc_latency_seconds_bucket{le=\"1\"} 4\n"
        "rpc_latency_seconds_bucket{le=\"+Inf\"} 5\n"
        "rpc_latency_seconds_sum 3.75\n"
        "rpc_latency_seconds_count 5\n");
}

TEST_CASE("metrics: labelled histogram puts le last; NaN goes to +Inf; empty labelled family renders nothing",
          "[metrics]") {
  Registry r;
  auto f = r.histogram_family("op_seconds", "Ops.", {1}, {"op"});
  REQUIRE(f.ok());
  REQUIRE(r.render().empty());  // no series yet: not even HELP/TYPE (as the Go client)
  auto s = (*f)->with({"sign"});
  REQUIRE(s.ok());
  (*s)->observe(0.5);
  (*s)->observe(std::numeric_limits<double>::quiet_NaN());
  CHECK(r.render() ==
        "# HELP op_seconds Ops.\n"
        "# TYPE op_seconds histogram\n"
        "op_seconds_bucket{op=\"sign\",le=\"1\"} 1\n"
        "op_seconds_bucket{op=\"sign\",le=\"+Inf\"} 2\n"
        "op_seconds_sum{op=\"sign\"} NaN\n"
        "op_seconds_count{op=\"sign\"} 2\n");
}

TEST_CASE("metrics: counters are monotonic, exact as integers, and add real amounts", "[metrics]") {
  Registry r;
  auto c = r.counter("bytes_total", "Bytes.");
  REQUIRE(c.ok());
  (*c)->inc((uint64_t{1} << 53) + 1);  // not representable as a double
  CHECK(r.render().find("bytes_total 9007199254740993\n") != std::string::npos);

  auto d = r.counter("seconds_total", "Seconds.");
  REQUIRE(d.ok());
  (*d)->inc(2);
  CHECK((*d)->add(0.5));
  CHECK_FALSE((*d)->add(-1));
  CHECK_FALSE((*d)->add(std::numeric_limits<double>::quiet_NaN()));
  CHECK_FALSE((*d)->add(std::numeric_limits<double>::infinity()));
  CHECK((*d)->value() == 2.5);
  CHECK(r.render().find("seconds_total 2.5\n") != std::string::npos);
}

TEST_CASE("metrics: label values and help text are escaped per the exposition format", "[metrics]") {
  CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  Registry r;
  auto f = r.counter_family("paths_total", "Help with \\ and\nnewline and \"quotes\".", {"path"});
  REQUIRE(f.ok());
  auto s = (*f)->with({"C:\\dir\n\"x\""});
  REQUIRE(s.ok());
  (*s)->inc();
  CHECK(r.render() ==
        "# HELP paths_total Help with \\\\ and\\nnewline and \"quotes\".\n"
        "# TYPE paths_total counter\n"
        "paths_total{path=\"C:\\\\dir\\n\\\"x\\\"\"} 1\n");
}

TEST_CASE("metrics: value formatting", "[metrics]") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(0.1) == "0.1");
  CHECK(format_value(-2.5) == "-2.5");
  CHECK(format_value(1e-9) == "1e-09");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::nan("")) == "NaN");
}

TEST_CASE("metrics: invalid names, labels, bounds and conflicting re-registration are refused", "[metrics]") {
  CHECK(valid_metric_name("a"));
  CHECK(valid_metric_name(":job:rate_5m"));
  CHECK(valid_metric_name("_x9"));
  for (const char* bad : {"", "1a", "a-b", "a b", "a.b", "\xc3\xa9"}) {
    INFO(bad);
    CHECK_FALSE(valid_metric_name(bad));
  }
  CHECK(valid_label_name("role"));
  CHECK(valid_label_name("_x"));
  for (const char* bad : {"", "1a", "a:b", "__reserved", "a-b"}) {
    INFO(bad);
    CHECK_FALSE(valid_label_name(bad));
  }

  Registry r;
  CHECK(r.counter("bad-name", "x").status().code() == Code::kInvalidArgument);
  CHECK(r.gauge_family("g", "x", {"a:b"}).status().code() == Code::kInvalidArgument);
  CHECK(r.gauge_family("g", "x", {"a", "a"}).status().code() == Code::kInvalidArgument);
  CHECK(r.histogram_family("h", "x", {1}, {"le"}).status().code() == Code::kInvalidArgument);
  CHECK(r.histogram("h", "x", {1, 1}).status().code() == Code::kInvalidArgument);
  CHECK(r.histogram("h", "x", {2, 1}).status().code() == Code::kInvalidArgument);
  CHECK(r.histogram("h", "x", {1, std::numeric_limits<double>::infinity()}).status().code() ==
        Code::kInvalidArgument);
  CHECK(r.histogram("h", "x", {std::nan("")}).status().code() == Code::kInvalidArgument);
  CHECK(r.render().empty());  // nothing above was registered

  // Identical re-registration returns the same family; anything different is refused.
  auto a = r.counter_family("c_total", "help", {"k"});
  auto b = r.counter_family("c_total", "help", {"k"});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
  CHECK(r.gauge_family("c_total", "help", {"k"}).status().code() == Code::kInvalidArgument);
  CHECK(r.counter_family("c_total", "other help", {"k"}).status().code() == Code::kInvalidArgument);
  CHECK(r.counter_family("c_total", "help", {"j"}).status().code() == Code::kInvalidArgument);
  auto h1 = r.histogram("h_seconds", "x", {1, 2});
  REQUIRE(h1.ok());
  CHECK(r.histogram("h_seconds", "x", {1, 3}).status().code() == Code::kInvalidArgument);
  // Wrong number of label values.
  CHECK((*a)->with({}).status().code() == Code::kInvalidArgument);
  CHECK((*a)->with({"x", "y"}).status().code() == Code::kInvalidArgument);
  // The same label values give the same series.
  auto s1 = (*a)->with({"x"});
  auto s2 = (*a)->with({"x"});
  REQUIRE(s1.ok());
  REQUIRE(s2.ok());
  CHECK(*s1 == *s2);
}

TEST_CASE("metrics: concurrent updates from 4 threads add up exactly", "[metrics]") {
  Registry r;
  auto c = r.counter("events_total", "Events.");
  auto f = r.counter_family("by_thread_total", "Per parity.", {"parity"});
  auto g = r.gauge("in_flight", "In flight.");
  auto h = r.histogram("sizes", "Sizes.", {10});
  REQUIRE(c.ok());
  REQUIRE(f.ok());
  REQUIRE(g.ok());
  REQUIRE(h.ok());
  constexpr int kThreads = 4;
  constexpr int kIters = 50000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIters; ++i) {
        (*c)->inc();
        // Looked up every time: exercises series creation/lookup under the family mutex.
        auto s = (*f)->with({i % 2 == 0 ? "even" : "odd"});
        if (s.ok()) (*s)->inc();
        (*g)->inc();
        (*g)->dec(0.5);
        (*h)->observe(t % 2 == 0 ? 1.0 : 20.0);  // 1 lands in le=10, 20 in +Inf
        if (i % 10000 == 0) (void)r.render();   // scrapes racing with updates
      }
    });
  }
  for (auto& th : threads) th.join();
  constexpr uint64_t kTotal = uint64_t{kThreads} * kIters;
  CHECK((*c)->whole() == kTotal);
  CHECK((*g)->value() == kTotal * 0.5);  // 0.5 steps: every partial sum is exact in a double
  CHECK((*h)->bucket_count(0) == kTotal / 2);
  CHECK((*h)->bucket_count(1) == kTotal / 2);
  CHECK((*h)->sum() == (kTotal / 2) * 1.0 + (kTotal / 2) * 20.0);
  std::string text = r.render();
  CHECK(text.find("by_thread_total{parity=\"even\"} 100000\n") != std::string::npos);
  CHECK(text.find("by_thread_total{parity=\"odd\"} 100000\n") != std::string::npos);
  CHECK(text.find("events_total 200000\n") != std::string::npos);
  CHECK(text.find("sizes_bucket{le=\"10\"} 100000\n") != std::string::npos);
  CHECK(text.find("sizes_bucket{le=\"+Inf\"} 200000\n") != std::string::npos);
  CHECK(text.find("sizes_count 200000\n") != std::string::npos);
}
