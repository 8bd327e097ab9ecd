#include <atomic>
#include <thread>

#include "protocol/session.h"

namespace custos::protocol {

Executor sequential_executor() {
  return [](std::vector<std::function<void()>>& tasks) {
    for (auto& t : tasks) t();
  };
}

Executor thread_executor(unsigned threads) {
  return [threads](std::vector<std::function<void()>>& tasks) {
    if (tasks.size() <= 1 || threads <= 1) {
      for (auto& t : tasks) t();
      return;
    }
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i = next++; i < tasks.size(); i = next++) tasks[i]();
    };
    std::vector<std::thread> pool;
    unsigned n = std::min<unsigned>(threads, static_cast<unsigned>(tasks.size()));
    for (unsigned k = 1; k < n; ++k) pool.emplace_back(worker);
    worker();
    for (auto& th : pool) th.join();
  };
}

}  // namespace custos::protocol
