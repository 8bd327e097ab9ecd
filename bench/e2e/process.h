// Child processes of the end-to-end benchmark driver (bench/e2e_signing.cpp): spawning a binary with
// its output in a log file, waiting with a limit, and cleanup that no exit path can skip.
//
// Every child is recorded in a fixed table of lock-free atomics, so signal handlers can read it.
// install_cleanup() arranges that the children are SIGKILLed when the driver ends in any way other
// than stop_all(): a normal return from main or exit() (atexit), std::terminate, SIGINT/SIGTERM/
// SIGHUP/SIGQUIT and the crash signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT), after which the
// signal is re-raised with its default action. Each child also gets PR_SET_PDEATHSIG = SIGKILL
// before exec, so even a SIGKILLed driver leaves no node behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace custos::bench::e2e {

// Installs the signal, atexit and terminate handlers (once; later calls do nothing).
void install_cleanup();

// Starts args[0] (a path) with args, stdin from /dev/null and stdout+stderr appended to `log`.
// Throws std::runtime_error when fork fails; an exec failure shows as exit status 127.
pid_t spawn(const std::vector<std::string>& args, const std::string& log);

// Waits up to `limit` for the child; returns its exit status (128 + signal if killed), or -1 if it
// still runs. A reaped child leaves the table.
int wait_exit(pid_t pid, std::chrono::milliseconds limit);

// Runs a command to completion (at most `limit`, then SIGKILL) and returns its exit status.
int run(const std::vector<std::string>& args, const std::string& log, std::chrono::seconds limit);

// SIGTERM to `pid`, then waits up to `grace`; SIGKILL if it still runs. Returns the exit status.
int stop(pid_t pid, std::chrono::milliseconds grace);

// SIGKILLs and reaps every child still in the table (idempotent, async-signal-safe).
void kill_all_now();

// Number of children in the table (started and not yet reaped).
int live_children();

}  // namespace custos::bench::e2e
