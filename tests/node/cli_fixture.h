// Shared by the tests of the `custos` signing commands: run a subcommand in-process (they are plain
// functions, node/cli/commands.h) and capture its exit status and output; small file helpers.
#pragma once

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "node/cli/commands.h"

namespace custos::testing {

struct CliRun {
  int rc = -1;
  std::string out, err;
};

using CliCommand = int (*)(int, const char* const*, std::ostream&, std::ostream&);

// Runs `command` with argv = {name, args...}.
inline CliRun run_cli(CliCommand command, const std::string& name, std::vector<std::string> args) {
  args.insert(args.begin(), name);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CliRun r;
  r.rc = command(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

inline std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  REQUIRE(out);
  out << text;
}

inline mode_t file_mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

inline bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace custos::testing
