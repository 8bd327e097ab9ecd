// Command-line parsing shared by the `custos` commands that work on local files (approver, intent,
// approve): CLI11 errors and --help become the exit statuses of node/cli/commands.h.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <ostream>

namespace custos::cli {

// Parses; returns the exit status to end with (0 after --help, 2 for a usage error, which CLI11 has
// already explained on `err`), or nullopt to go on.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                             std::ostream& err) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }
  return std::nullopt;
}

}  // namespace custos::cli
