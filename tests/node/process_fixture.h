// Real child processes for the node-level tests: spawn a binary with its output in a log file, wait
// for it with a limit, read files, and kill whatever a failed test leaves running.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace custos::testing {

inline const std::string kBinDir = CUSTOS_BIN_DIR;

// Runs argv as a child process with stdout+stderr to `log`; returns its pid.
inline pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE(rc == 0);
  return pid;
}

// Waits up to `limit` for the child; returns its exit status (128+signal if killed), or -1 if it still runs.
inline int wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a command to completion (30 s at most) and returns its exit status.
inline int run(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = spawn(args, log);
  int rc = wait_exit(pid, std::chrono::seconds(30));
  if (rc == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  return rc;
}

// Kills (SIGKILL) every process still listed when the test ends, passed or not.
struct Processes {
  std::vector<pid_t> pids;
  ~Processes() {
    for (pid_t p : pids) {
      if (p <= 0) continue;
      kill(p, SIGCONT);
      kill(p, SIGKILL);
      waitpid(p, nullptr, 0);
    }
  }
};

}  // namespace custos::testing
