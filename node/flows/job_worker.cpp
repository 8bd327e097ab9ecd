#include "node/flows/job_worker.h"

#include <algorithm>
#include <utility>

#include "node/transport/thread_attributes.h"

namespace custos::node {

JobWorker::JobWorker(Options options) : opt_(std::move(options)) {}

JobWorker::~JobWorker() {
  request_stop();
  join();
}

void JobWorker::start() {
  thread_ = std::thread([this] {
    name_this_thread(opt_.thread_name);
    if (opt_.background) make_this_thread_background();
    loop();
  });
}

bool JobWorker::post(std::function<void()> job, bool run_at_stop) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return false;
    if (jobs_.size() >= opt_.max_queued) {
      if (opt_.log) {
        opt_.log(opt_.thread_name + " queue full (" + std::to_string(opt_.max_queued) + " jobs): a job was dropped");
      }
      return false;
    }
    jobs_.push_back(Job{std::move(job), run_at_stop});
  }
  cv_.notify_one();
  return true;
}

void JobWorker::request_stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
}

void JobWorker::join() {
  if (thread_.joinable()) thread_.join();
}

void JobWorker::loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (stop_) {
        // Nothing new starts; what a finished signing still has to log is written.
        auto it = std::find_if(jobs_.begin(), jobs_.end(), [](const Job& j) { return j.run_at_stop; });
        if (it == jobs_.end()) return;
        job = std::move(*it);
        jobs_.erase(it);
      } else {
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
    }
    job.run();
  }
}

}  // namespace custos::node
