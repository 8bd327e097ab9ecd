// Talking to a node's client API from the `custos` commands: `--node host:port`
// (default 127.0.0.1:7201, node 1 of `custos init-network`), one request, the
// JSON answer or a clear error ("cannot reach node at …", "node answered 502: …").
#pragma once

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>

namespace custos::cli {

inline constexpr const char* kDefaultNode = "127.0.0.1:7201";

struct NodeAddress {
  std::string host;
  int port = 0;
};

inline std::optional<NodeAddress> parse_node_address(const std::string& text, std::ostream& err) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    err << "custos: --node " << text << " is not host:port\n";
    return std::nullopt;
  }
  const std::string port_text = text.substr(colon + 1);
  int port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9' || port > 65535) {
      port = -1;
      break;
    }
    port = port * 10 + (c - '0');
  }
  if (port <= 0 || port > 65535) {
    err << "custos: --node " << text << ": port must be 1..65535\n";
    return std::nullopt;
  }
  return NodeAddress{text.substr(0, colon), port};
}

// Adds --node and --json to `app`, parses, and resolves the node address. Returns the exit status to end
// with (0 after --help, 2 for a usage error), or nullopt with `address` set to go on.
inline std::optional<int> parse_client_command(CLI::App& app, std::string& node, bool& json_output, int argc,
                                               const char* const* argv, std::ostream& out, std::ostream& err,
                                               NodeAddress& address, CLI::App* options_on = nullptr) {
  CLI::App& target = options_on ? *options_on : app;
  target.add_option("--node", node, "host:port of the node API to ask (default 127.0.0.1:7201)");
  target.add_flag("--json", json_output, "print JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }
  auto parsed = parse_node_address(node, err);
  if (!parsed) return 2;
  address = *parsed;
  return std::nullopt;
}

// GET (body empty) or POST (body set) `path`; returns the parsed JSON of a 2xx answer, or writes why not.
inline std::optional<nlohmann::json> call_node(const NodeAddress& node, const std::string& path,
                                               const std::optional<std::string>& body, int timeout_s,
                                               std::ostream& err) {
  httplib::Client client(node.host, node.port);
  client.set_connection_timeout(5);
  client.set_read_timeout(timeout_s);
  auto res = body ? client.Post(path.c_str(), *body, "application/json") : client.Get(path.c_str());
  const std::string where = node.host + ":" + std::to_string(node.port);
  if (!res) {
    err << "custos: cannot reach node at " << where << " (" << httplib::to_string(res.error()) << ")\n";
    return std::nullopt;
  }
  auto json = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (res->status < 200 || res->status >= 300) {
    std::string why = json.is_object() && json.contains("error") && json["error"].is_string()
                          ? json["error"].get<std::string>()
                          : res->body.substr(0, 200);
    err << "custos: node at " << where << " answered " << res->status << ": " << why << "\n";
    return std::nullopt;
  }
  if (json.is_discarded()) {
    err << "custos: node at " << where << " sent an answer that is not JSON\n";
    return std::nullopt;
  }
  return json;
}

}  // namespace custos::cli
