// custos keygen: distributed key generation among all nodes, through one node's API.
#include <CLI/CLI.hpp>

#include "node/cli/api_client.h"
#include "node/cli/commands.h"

namespace custos::cli {

int keygen_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Generate a new threshold key: every node takes part, none ever holds the whole key.", "custos keygen");
  std::string node = kDefaultNode;
  bool json_output = false;
  NodeAddress address;
  if (auto done = parse_client_command(app, node, json_output, argc, argv, out, err, address)) return *done;
  auto key = call_node(address, "/v1/keygen", std::string("{}"), 600, err);
  if (!key) return 1;
  if (json_output) {
    out << key->dump() << "\n";
  } else {
    out << "key id      " << key->value("key_id", "") << "\n"
        << "public key  " << key->value("public_key", "") << "\n"
        << "threshold   " << key->value("threshold", 0) << " of " << key->value("participants", nlohmann::json::array()).size()
        << " nodes\n";
  }
  return 0;
}

}  // namespace custos::cli
