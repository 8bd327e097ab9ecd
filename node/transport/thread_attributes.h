// Per-thread attributes of the node's threads.
//
// Names (Linux: at most 15 characters) let `top -H`, `ps -L`, perf and /proc/<pid>/task/*/comm tell an
// operator which part of the node uses the CPU.
//
// Background work (filling the presignature pool, judging requests this node does not sign) runs at a
// lower scheduling priority, so that when the CPU is short an online signing round, which the client is
// waiting for, goes first. Nothing depends on the ordering for correctness; on an idle machine the
// priority changes nothing.
#pragma once

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <string>

namespace custos::node {

inline void name_this_thread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

inline constexpr int kBackgroundNice = 10;

// Lowers the calling thread's priority (raising nice never needs privileges); best effort.
inline void make_this_thread_background() { (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kBackgroundNice); }

}  // namespace custos::node
