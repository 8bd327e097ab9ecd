// custos-passkey challenge: prints the WebAuthn challenge of a signing intent (DESIGN §5 step 2), so an
// operator or client can check what a passkey is being asked to sign.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "crypto/passkey/challenge.h"
#include "node/passkey_cli/cli_io.h"
#include "node/passkey_cli/commands.h"
#include "protocol/intent.h"

namespace custos::passkey_cli {

int challenge_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Print the WebAuthn challenge (base64url SHA-256 of the canonical bytes) of a signing intent",
               "custos-passkey challenge");
  std::string intent_path;
  bool json_output = false;
  app.add_option("--intent", intent_path, "signing intent JSON (docs/passkey.md, \"Signing intent encoding\")")->required();
  app.add_flag("--json", json_output, "print {\"challenge\", \"canonical_hex\"}");
  if (auto done = parse_command_line(app, argc, argv, out, err)) return *done;
  auto text = read_input_file(intent_path, "intent", err);
  if (!text) return 2;
  auto intent = protocol::intent_from_json(*text);
  if (!intent.ok()) {
    err << "custos-passkey: intent " << intent_path << " is invalid: " << intent.status().message() << "\n";
    return 2;
  }
  auto canonical = protocol::intent_canonical_bytes(*intent);
  if (!canonical.ok()) {
    err << "custos-passkey: intent " << intent_path << " is invalid: " << canonical.status().message() << "\n";
    return 2;
  }
  const std::string challenge = passkey::intent_challenge_b64url(*canonical);
  if (json_output) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (uint8_t b : *canonical) {
      hex += kHex[b >> 4];
      hex += kHex[b & 15];
    }
    out << nlohmann::json{{"challenge", challenge}, {"canonical_hex", hex}}.dump() << "\n";
  } else {
    out << challenge << "\n";
  }
  return 0;
}

}  // namespace custos::passkey_cli
