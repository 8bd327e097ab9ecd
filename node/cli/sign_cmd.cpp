// custos sign: submit an intent and its approvals to a node (POST /v1/sign), which gathers the other
// nodes, has each check the approvals itself (the passkey gate), and returns the threshold signature.
// The answer is checked here before it is shown: the signature must verify under the returned public key
// for the returned digest (and that digest must be the intent's, when the intent carries one). A node
// that returns garbage must not get it past the client.
#include <CLI/CLI.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "crypto/ecdsa.h"
#include "crypto/passkey/display.h"
#include "crypto/passkey/json_strict.h"
#include "node/cli/api_client.h"
#include "node/cli/cli_files.h"
#include "node/cli/commands.h"
#include "crypto/hex.h"
#include "protocol/intent.h"

namespace custos::cli {
namespace {

constexpr const char* kPrefix = "custos sign";

// An approval file: exactly {"approver": string, "assertion": object}. Checked here so a wrong file is a
// clear local error, not a refusal from every node.
std::optional<nlohmann::json> load_approval(const std::string& path, std::ostream& err) {
  auto text = read_input_file(path, "approval", kPrefix, err);
  if (!text) return std::nullopt;
  std::string error;
  auto doc = passkey::parse_json_strict(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text->data()), text->size()),
                                        &error);
  if (!doc || !doc->is_object()) {
    err << kPrefix << ": approval " << path << " is not a JSON object" << (doc ? "" : ": " + error) << "\n";
    return std::nullopt;
  }
  for (const auto& [name, value] : doc->items()) {
    if (name != "approver" && name != "assertion") {
      err << kPrefix << ": approval " << path << " has unknown member \"" << passkey::display_value(name, 64) << "\"\n";
      return std::nullopt;
    }
  }
  if (!doc->contains("approver") || !(*doc)["approver"].is_string()) {
    err << kPrefix << ": approval " << path << ": \"approver\" is missing or not a string\n";
    return std::nullopt;
  }
  if (!doc->contains("assertion") || !(*doc)["assertion"].is_object()) {
    err << kPrefix << ": approval " << path << ": \"assertion\" is missing or not an object\n";
    return std::nullopt;
  }
  return doc;
}

// A fixed-size hex member of the node's answer.
std::optional<std::vector<uint8_t>> hex_member(const nlohmann::json& j, const char* name, size_t size) {
  if (!j.contains(name) || !j[name].is_string()) return std::nullopt;
  auto bytes = from_hex(j[name].get<std::string>());
  if (!bytes || (size != 0 && bytes->size() != size)) return std::nullopt;
  return bytes;
}

// Checks a 200 answer; returns an empty string when it is a valid signature, else what is wrong.
std::string check_signature(const nlohmann::json& answer, const SigningIntent& intent) {
  if (!answer.is_object()) return "the answer is not a JSON object";
  auto pk_bytes = hex_member(answer, "public_key", 33);
  auto digest = hex_member(answer, "digest", 32);
  auto r_bytes = hex_member(answer, "r", 32);
  auto s_bytes = hex_member(answer, "s", 32);
  auto der = hex_member(answer, "der", 0);
  const std::pair<const char*, bool> present[] = {{"public_key (33 bytes hex)", pk_bytes.has_value()},
                                                  {"digest (32 bytes hex)", digest.has_value()},
                                                  {"r (32 bytes hex)", r_bytes.has_value()},
                                                  {"s (32 bytes hex)", s_bytes.has_value()},
                                                  {"der (hex)", der.has_value()}};
  for (const auto& [name, ok] : present)
    if (!ok) return std::string("no valid ") + name;
  for (const char* name : {"request_id", "key_id"})
    if (!answer.contains(name) || !answer[name].is_string()) return std::string("no ") + name;
  if (!answer.contains("recovery_id") || !answer["recovery_id"].is_number_unsigned() || answer["recovery_id"].get<uint64_t>() > 1)
    return "recovery_id is not 0 or 1";
  if (!answer.contains("signers") || !answer["signers"].is_array()) return "no signers list";
  for (const auto& s : answer["signers"])
    if (!s.is_number_unsigned()) return "signers are not node ids";
  if (!answer.contains("attempts") || !answer["attempts"].is_number_unsigned()) return "no attempts count";
  auto pk = Point::decode(*pk_bytes);
  if (!pk.ok()) return "public_key is not a secp256k1 point: " + pk.status().message();
  auto r = Scalar::from_bytes(*r_bytes);
  auto s = Scalar::from_bytes(*s_bytes);
  if (!r.ok() || !s.ok()) return "r or s is not below the group order";
  if (intent.payload_case() == SigningIntent::kDigest &&
      std::string(digest->begin(), digest->end()) != intent.digest())
    return "the signed digest is not the intent's digest";
  EcdsaSignature sig{*r, *s, static_cast<int>(answer["recovery_id"].get<uint64_t>())};
  // Low s only: that is what the nodes promise, and what Bitcoin and Ethereum require.
  if (!ecdsa_verify(*pk, *digest, sig)) return "the signature does not verify under public_key for digest";
  if (sig.der() != *der) return "der is not the DER encoding of (r, s)";
  return "";
}

// "node N refused: reason" for each refusal the node reports (a 403 always has them; a failed signing
// session may too).
void print_refusals(const nlohmann::json& body, std::ostream& err) {
  if (!body.is_object() || !body.contains("refusals") || !body["refusals"].is_array()) return;
  for (const auto& r : body["refusals"]) {
    const std::string who = r.is_object() && r.contains("node") ? r["node"].dump() : "?";
    const std::string why = r.is_object() && r.contains("reason") && r["reason"].is_string() ? r["reason"].get<std::string>() : "?";
    err << "node " << passkey::display_value(who, 20) << " refused: " << passkey::display_value(why, 2000) << "\n";
  }
}

std::string signer_list(const nlohmann::json& signers) {
  std::string s;
  for (const auto& id : signers) s += (s.empty() ? "" : ", ") + std::to_string(id.get<uint64_t>());
  return s;
}

}  // namespace

int sign_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Submit a signing intent with its approvals to a node and print the threshold signature.", "custos sign");
  std::string intent_path, node = kDefaultNode;
  std::vector<std::string> approval_paths;
  int timeout_s = 60;
  bool json_output = false;
  app.add_option("--intent", intent_path, "signing intent JSON (custos intent create)")->required();
  app.add_option("--approval", approval_paths, "an approval JSON (custos approve); repeat for each approver")->required();
  app.add_option("--timeout", timeout_s, "seconds to wait for the signature")->check(CLI::Range(1, 3600))->capture_default_str();
  NodeAddress address;
  if (auto done = parse_client_command(app, node, json_output, argc, argv, out, err, address)) return *done;

  auto intent_text = read_input_file(intent_path, "intent", kPrefix, err);
  if (!intent_text) return 2;
  auto intent = protocol::intent_from_json(*intent_text);
  if (!intent.ok()) {
    err << kPrefix << ": intent " << intent_path << " is invalid: " << intent.status().message() << "\n";
    return 2;
  }
  nlohmann::json body;
  body["intent"] = nlohmann::json::parse(*protocol::intent_to_json(*intent));
  body["approvals"] = nlohmann::json::array();
  std::map<std::string, std::string> file_of;
  for (const auto& path : approval_paths) {
    auto approval = load_approval(path, err);
    if (!approval) return 2;
    const std::string who = (*approval)["approver"].get<std::string>();
    if (auto [at, inserted] = file_of.emplace(who, path); !inserted) {
      err << kPrefix << ": " << at->second << " and " << path << " are both approvals by "
          << passkey::display_value(who, 64) << "; each approver counts once\n";
      return 2;
    }
    body["approvals"].push_back(std::move(*approval));
  }

  auto answer = request_node(address, "/v1/sign", body.dump(), timeout_s, err);
  if (!answer) return 1;
  if (!answer->success()) {
    if (json_output && !answer->body.is_discarded()) out << answer->body.dump() << "\n";
    if (answer->status == 403)  // refused by the passkey gate
      err << kPrefix << ": the nodes refused to sign: " << passkey::display_value(answer->error_text()) << "\n";
    else
      err << kPrefix << ": node at " << answer->where << " answered " << answer->status << ": "
          << passkey::display_value(answer->error_text()) << "\n";
    print_refusals(answer->body, err);
    return 1;
  }
  if (const std::string problem = check_signature(answer->body, *intent); !problem.empty()) {
    err << kPrefix << ": the node's answer is not a valid signature: " << problem << "; not using it\n";
    return 1;
  }

  const nlohmann::json& sig = answer->body;
  if (json_output) {
    out << sig.dump() << "\n";
    return 0;
  }
  out << "signed by nodes " << signer_list(sig["signers"]) << " (attempts: " << sig["attempts"].get<uint64_t>() << ")\n";
  for (const char* field : {"request_id", "key_id", "public_key", "digest", "r", "s"}) {
    std::string name = field;
    name.resize(12, ' ');
    out << name << passkey::display_value(sig[field].get<std::string>(), 1000) << "\n";
  }
  out << "recovery_id " << sig["recovery_id"].get<uint64_t>() << "\n"
      << "der         " << sig["der"].get<std::string>() << "\n"
      << "verified locally: the signature is valid (low s) for this public key and digest\n";
  return 0;
}

}  // namespace custos::cli
