#include "bench/e2e/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>

namespace custos::bench::e2e {
namespace {

constexpr int kMaxChildren = 64;
std::atomic<pid_t> g_children[kMaxChildren];
static_assert(std::atomic<pid_t>::is_always_lock_free, "the signal handler reads the child table");

void add_child(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
  // No slot left: do not leave an untracked child behind.
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  throw std::runtime_error("more than 64 child processes");
}

void remove_child(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t p = pid;
    if (slot.compare_exchange_strong(p, 0)) return;
  }
}

void on_fatal_signal(int sig) {
  kill_all_now();
  signal(sig, SIG_DFL);
  raise(sig);
}

void on_terminate() {
  kill_all_now();
  std::abort();
}

}  // namespace

void kill_all_now() {
  for (auto& slot : g_children) {
    const pid_t p = slot.exchange(0);
    if (p <= 0) continue;
    kill(p, SIGCONT);
    kill(p, SIGKILL);
    waitpid(p, nullptr, 0);
  }
}

int live_children() {
  int n = 0;
  for (auto& slot : g_children) n += slot.load() > 0 ? 1 : 0;
  return n;
}

void install_cleanup() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  std::atexit(kill_all_now);
  std::set_terminate(on_terminate);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a node closing a connection must not end the driver
}

pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  // Blocks the cleanup signals around fork so a handler never runs between fork and add_child.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  const pid_t pid = fork();
  if (pid == 0) {
    // Child: async-signal-safe calls only until exec.
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGPIPE}) signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);  // the driver is already gone
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0) _exit(125);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const int fork_errno = errno;
  if (pid > 0) {
    try {
      add_child(pid);
    } catch (...) {
      sigprocmask(SIG_SETMASK, &old, nullptr);
      throw;
    }
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(fork_errno));
  return pid;
}

int wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      remove_child(pid);
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (r < 0) {  // not our child (any more)
      remove_child(pid);
      return -2;
    }
    if (std::chrono::steady_clock::now() >= end) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int run(const std::vector<std::string>& args, const std::string& log, std::chrono::seconds limit) {
  const pid_t pid = spawn(args, log);
  const int rc = wait_exit(pid, limit);
  if (rc != -1) return rc;
  kill(pid, SIGKILL);
  return wait_exit(pid, std::chrono::seconds(10));
}

int stop(pid_t pid, std::chrono::milliseconds grace) {
  kill(pid, SIGCONT);
  kill(pid, SIGTERM);
  int rc = wait_exit(pid, grace);
  if (rc != -1) return rc;
  kill(pid, SIGKILL);
  return wait_exit(pid, std::chrono::seconds(10));
}

}  // namespace custos::bench::e2e
