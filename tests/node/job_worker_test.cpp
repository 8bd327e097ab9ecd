// The signing service's job threads: order, what survives a stop, the queue bound, the thread's priority.
#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "node/flows/job_worker.h"
#include "node/transport/thread_attributes.h"

using namespace custos;
using node::JobWorker;

namespace {

// Records which jobs ran, in order, from the worker thread.
struct Ran {
  std::mutex mu;
  std::vector<std::string> names;
  void add(const std::string& n) {
    std::lock_guard<std::mutex> lock(mu);
    names.push_back(n);
  }
  std::vector<std::string> get() {
    std::lock_guard<std::mutex> lock(mu);
    return names;
  }
};

// Posts a job that blocks the worker until the returned promise is set; waits until it has started.
std::promise<void> block(JobWorker& w) {
  std::promise<void> release;
  std::promise<void> started;
  auto gate = release.get_future().share();
  REQUIRE(w.post([gate, &started] {
    started.set_value();
    gate.wait();
  }));
  REQUIRE(started.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  return release;
}

}  // namespace

TEST_CASE("job worker: jobs run one at a time, in the order posted", "[node][jobs]") {
  JobWorker w({"test-jobs", false, 4096, {}});
  w.start();
  Ran ran;
  std::promise<void> done;
  for (int i = 0; i < 200; ++i) REQUIRE(w.post([&ran, i] { ran.add(std::to_string(i)); }));
  REQUIRE(w.post([&done] { done.set_value(); }));
  REQUIRE(done.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) expected.push_back(std::to_string(i));
  CHECK(ran.get() == expected);
}

TEST_CASE("job worker: a stop drops queued jobs but still runs those posted with run_at_stop", "[node][jobs]") {
  JobWorker w({"test-jobs", false, 4096, {}});
  w.start();
  Ran ran;
  std::promise<void> release = block(w);
  // Queued behind the running job: two signature logs around an ordinary job.
  REQUIRE(w.post([&ran] { ran.add("log 1"); }, /*run_at_stop=*/true));
  REQUIRE(w.post([&ran] { ran.add("judge"); }));
  REQUIRE(w.post([&ran] { ran.add("log 2"); }, /*run_at_stop=*/true));
  w.request_stop();
  CHECK_FALSE(w.post([&ran] { ran.add("after stop"); }, /*run_at_stop=*/true));
  release.set_value();  // the running job finishes; the thread then runs only the logs
  w.join();
  CHECK(ran.get() == std::vector<std::string>{"log 1", "log 2"});
}

TEST_CASE("job worker: a full queue refuses the job and says so", "[node][jobs]") {
  std::vector<std::string> logged;
  std::mutex log_mu;
  JobWorker w({"test-jobs", false, 2, [&](const std::string& l) {
                 std::lock_guard<std::mutex> lock(log_mu);
                 logged.push_back(l);
               }});
  w.start();
  Ran ran;
  std::promise<void> release = block(w);  // running, so no longer queued
  REQUIRE(w.post([&ran] { ran.add("a"); }));
  REQUIRE(w.post([&ran] { ran.add("b"); }));
  CHECK_FALSE(w.post([&ran] { ran.add("c"); }));
  {
    std::lock_guard<std::mutex> lock(log_mu);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0] == "test-jobs queue full (2 jobs): a job was dropped");
  }
  std::promise<void> done;
  release.set_value();
  // Room again once the worker has taken a job.
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool posted = false;
  while (!posted && std::chrono::steady_clock::now() < end) {
    posted = w.post([&done] { done.set_value(); });
    if (!posted) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(posted);
  REQUIRE(done.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(ran.get() == std::vector<std::string>{"a", "b"});
}

TEST_CASE("job worker: the background worker runs at lower priority under its own name", "[node][jobs]") {
  auto probe = [](bool background) {
    JobWorker w({background ? "test-bg" : "test-fg", background, 16, {}});
    w.start();
    std::promise<std::pair<int, std::string>> seen;
    REQUIRE(w.post([&seen] {
      char name[16] = {};
      pthread_getname_np(pthread_self(), name, sizeof name);
      seen.set_value({getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), name});
    }));
    auto f = seen.get_future();
    REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    return f.get();
  };
  const int own = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  auto [fg_nice, fg_name] = probe(false);
  auto [bg_nice, bg_name] = probe(true);
  CHECK(fg_nice == own);
  CHECK(fg_name == "test-fg");
  CHECK(bg_nice == std::min(own + node::kBackgroundNice, 19));
  CHECK(bg_name == "test-bg");
}

TEST_CASE("job worker: destroying a worker that was never started, or stopped twice, is harmless", "[node][jobs]") {
  { JobWorker idle({"test-idle", false, 4, {}}); }
  JobWorker w({"test-jobs", false, 4, {}});
  w.start();
  w.request_stop();
  w.request_stop();
  w.join();
  w.join();
  CHECK_FALSE(w.post([] {}));
}
