// One thread that runs posted jobs in order: the signing service's foreground worker (the requests this
// node signs) and its background worker (judging requests it was not asked to sign, logging signatures
// another node coordinated).
//
// Stopping. request_stop() lets the running job finish and drops every queued job, except those posted
// with run_at_stop: a finished signing's log entry must not be lost because the node is shutting down.
// Those still run, in order, before the thread ends.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace custos::node {

class JobWorker {
 public:
  struct Options {
    std::string thread_name;       // as shown by top -H (at most 15 characters)
    bool background = false;       // run at lower CPU priority (nice)
    size_t max_queued = 4096;      // a post beyond this is refused and logged
    std::function<void(const std::string&)> log;  // may be empty
  };

  explicit JobWorker(Options options);
  ~JobWorker();  // request_stop() and join()
  JobWorker(const JobWorker&) = delete;
  JobWorker& operator=(const JobWorker&) = delete;

  void start();
  // Queues `job`. False, and the job is dropped, once stopping or when the queue is full.
  bool post(std::function<void()> job, bool run_at_stop = false);
  // Returns at once; the thread ends after the running job and the queued run_at_stop jobs.
  void request_stop();
  void join();

 private:
  struct Job {
    std::function<void()> run;
    bool run_at_stop = false;
  };
  void loop();

  Options opt_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace custos::node
