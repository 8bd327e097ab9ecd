// custos status: is a node up, and how many of its peers is it connected to.
#include <CLI/CLI.hpp>

#include "node/cli/api_client.h"
#include "node/cli/commands.h"

namespace custos::cli {

int status_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Show a node's health: up, and its peer connections.", "custos status");
  std::string node = kDefaultNode;
  bool json_output = false;
  app.add_option("--node", node, "host:port of the node API to ask (default 127.0.0.1:7201)");
  app.add_flag("--json", json_output, "print JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }
  auto address = parse_node_address(node, err);
  if (!address) return 2;
  auto health = call_node(*address, "/healthz", std::nullopt, 10, err);
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
