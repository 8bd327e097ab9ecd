// custos status: is a node up, and how many of its peers is it connected to.
#include <CLI/CLI.hpp>

#include "node/cli/api_client.h"
#include "node/cli/commands.h"

namespace custos::cli {

int status_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Show a node's health: up, and its peer connections.", "custos status");
  std::string node = kDefaultNode;
  bool json_output = false;
  NodeAddress address;
  if (auto done = parse_client_command(app, node, json_output, argc, argv, out, err, address)) return *done;
  auto health = call_node(address, "/healthz", std::nullopt, 10, err);
  if (!health) return 1;
  if (json_output) {
    out << health->dump() << "\n";
  } else {
    out << "node " << health->value("node", 0) << ": " << health->value("status", "?") << ", "
        << health->value("peers_connected", 0) << " of " << health->value("peers", 0) << " peers connected\n";
  }
  return 0;
}

}  // namespace custos::cli
