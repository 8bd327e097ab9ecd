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

// What a node answered: the HTTP status and the body, parsed when it is JSON.
struct NodeAnswer {
  int status = 0;
  std::string where;    // "host:port", for messages
  std::string raw;      // the body as received
  nlohmann::json body;  // parsed body; is_discarded() when it is not JSON

  bool success() const { return status >= 200 && status < 300; }
  // The node's "error" member, or the start of the body when there is none.
  std::string error_text() const {
    return body.is_object() && body.contains("error") && body["error"].is_string() ? body["error"].get<std::string>()
                                                                                    : raw.substr(0, 200);
  }
};

// GET (body empty) or POST (body set) `path`. Returns any answer, 2xx or not (callers that read the
// body of a refusal need it); nullopt, with "cannot reach node at …" written to `err`, only when no
// answer came.
inline std::optional<NodeAnswer> request_node(const NodeAddress& node, const std::string& path,
                                              const std::optional<std::string>& body, int timeout_s,
                                              std::ostream& err) {
  httplib::Client client(node.host, node.port);
  client.set_connection_timeout(5);
  client.set_read_timeout(timeout_s);
  auto res = body ? client.Post(path.c_str(), *body, "application/json") : client.Get(path.c_str());
  NodeAnswer answer;
  answer.where = node.host + ":" + std::to_string(node.port);
  if (!res) {
    err << "custos: cannot reach node at " << answer.where << " (" << httplib::to_string(res.error()) << ")\n";
    return std::nullopt;
  }
  answer.status = res->status;
  answer.raw = res->body;
  answer.body = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  return answer;
}

// GET (body empty) or POST (body set) `path`; returns the parsed JSON of a 2xx answer, or writes why not.
inline std::optional<nlohmann::json> call_node(const NodeAddress& node, const std::string& path,
                                               const std::optional<std::string>& body, int timeout_s,
                                               std::ostream& err) {
  auto answer = request_node(node, path, body, timeout_s, err);
  if (!answer) return std::nullopt;
  if (!answer->success()) {
    err << "custos: node at " << answer->where << " answered " << answer->status << ": " << answer->error_text() << "\n";
    return std::nullopt;
  }
  if (answer->body.is_discarded()) {
    err << "custos: node at " << answer->where << " sent an answer that is not JSON\n";
    return std::nullopt;
  }
  return std::move(answer->body);
}

}  // namespace custos::cli
