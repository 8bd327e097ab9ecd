#include "config/writer.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "config/validate.h"

namespace custos::config {
namespace {

// A YAML double-quoted scalar. JSON string syntax is a subset of it, so nlohmann's escaping is exact.
std::string q(const std::string& s) { return nlohmann::json(s).dump(); }

void quorum(std::ostringstream& o, const Quorum& qm, const std::string& indent) {
  o << indent << "k: " << qm.k << "\n" << indent << "of: [";
  for (size_t i = 0; i < qm.of.size(); ++i) o << (i ? ", " : "") << q(qm.of[i]);
  o << "]\n";
}

// Writes the members of a credential-record JSON object as a YAML map.
void credential(std::ostringstream& o, const passkey::CredentialRecord& rec, const std::string& indent) {
  const auto j = nlohmann::ordered_json::parse(passkey::credential_record_to_json(rec));
  for (const auto& [name, value] : j.items()) {
    o << indent << name << ": ";
    if (value.is_array()) {
      o << "[";
      bool first = true;
      for (const auto& e : value) o << (first ? "" : ", ") << e.dump(), first = false;
      o << "]\n";
    } else {
      o << value.dump() << "\n";  // a JSON string, number or boolean is the same YAML scalar
    }
  }
}

}  // namespace

std::string render_node_config(const NodeConfig& c) {
  std::ostringstream o;
  o << "# Custos node configuration (schema: docs/operations.md, \"Configuration\").\n"
       "# Secret keys are not in this file: they are in the files named under node.identity and node.kek.\n";
  o << "version: " << kSchemaVersion << "\n";
  o << "node:\n";
  o << "  id: " << c.node_id << "\n";
  o << "  name: " << q(c.name) << "\n";
  o << "  listen: " << q(c.listen) << "\n";
  o << "  api:\n";
  o << "    listen: " << q(c.api.listen) << "\n";
  if (!c.api.tls_cert_file.empty() || !c.api.tls_key_file.empty()) {
    o << "    tls_cert_file: " << q(c.api.tls_cert_file) << "\n";
    o << "    tls_key_file: " << q(c.api.tls_key_file) << "\n";
  }
  o << "  data_dir: " << q(c.data_dir) << "\n";
  o << "  kek:\n";
  if (c.kek.kind == KekSourceKind::kKeyFile)
    o << "    key_file: " << q(c.kek.key_file) << "\n";
  else
    o << "    passphrase_env: " << q(c.kek.passphrase_env) << "\n";
  o << "  identity:\n";
  o << "    curve_secret_key_file: " << q(c.identity.curve_secret_key_file) << "\n";
  o << "    ed25519_secret_key_file: " << q(c.identity.ed25519_secret_key_file) << "\n";
  o << "network:\n";
  o << "  size: " << c.network.size << "\n";
  o << "  threshold: " << c.network.threshold << "\n";
  if (c.peers.empty()) o << "peers: []\n";
  else o << "peers:\n";
  for (const auto& p : c.peers) {
    o << "  - id: " << p.id << "\n";
    o << "    name: " << q(p.name) << "\n";
    o << "    endpoint: " << q(p.endpoint) << "\n";
    o << "    curve_public_key: " << q(curve_key_to_z85(p.curve_public_key)) << "\n";
    o << "    ed25519_public_key: " << q(hex32(p.ed25519_public_key)) << "\n";
  }
  o << "webauthn:\n";
  o << "  rp_id: " << q(c.webauthn.rp_id) << "\n";
  o << "  origins:\n";
  for (const auto& origin : c.webauthn.origins) o << "    - " << q(origin) << "\n";
  o << "  require_user_verification: " << (c.webauthn.require_user_verification ? "true" : "false") << "\n";
  if (!c.approvers.empty()) {
    o << "approvers:\n";
    for (const auto& a : c.approvers) {
      o << "  - id: " << q(a.id) << "\n";
      if (!a.credential_file.empty()) {
        o << "    credential_file: " << q(a.credential_file) << "\n";
      } else {
        o << "    credential:\n";
        credential(o, a.credential, "      ");
      }
    }
  }
  if (c.approval_policy) {
    o << "approval_policy:\n";
    o << "  default:\n";
    quorum(o, c.approval_policy->default_quorum, "    ");
    if (!c.approval_policy->per_key.empty()) {
      o << "  keys:\n";
      for (const auto& [key_id, qm] : c.approval_policy->per_key) {
        o << "    " << q(hex32(key_id)) << ":\n";
        quorum(o, qm, "      ");
      }
    }
  } else {
    o << "# No approval_policy: this node approves no signing intent (default deny).\n";
  }
  o << "timeouts:\n";
  o << "  session_deadline_seconds: " << c.timeouts.session_deadline_seconds << "\n";
  o << "  presign_pool_depth: " << c.timeouts.presign_pool_depth << "\n";
  o << "  sign_deadline_seconds: " << c.timeouts.sign_deadline_seconds << "\n";
  return o.str();
}

}  // namespace custos::config
