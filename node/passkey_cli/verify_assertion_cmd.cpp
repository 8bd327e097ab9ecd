// custos-passkey verify-assertion: runs the node's assertion check (WebAuthn L3 §7.2) on files an
// operator collected, and says why an approval is accepted or rejected.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "crypto/passkey/assertion.h"
#include "crypto/passkey/base64url.h"
#include "node/passkey_cli/cli_io.h"
#include "node/passkey_cli/commands.h"

namespace custos::passkey_cli {

int verify_assertion_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Check a WebAuthn assertion (navigator.credentials.get() JSON) against a stored credential record",
               "custos-passkey verify-assertion");
  std::string response_path, credential_path, challenge_text, rp_id;
  std::vector<std::string> origins, top_origins;
  std::vector<int64_t> algs;
  bool allow_cross_origin = false, no_require_uv = false, json_output = false;
  app.add_option("--response", response_path, "PublicKeyCredential.toJSON() of the assertion")->required();
  app.add_option("--credential", credential_path, "credential record JSON (as printed by verify-registration)")->required();
  app.add_option("--challenge", challenge_text, "expected challenge, unpadded base64url")->required();
  app.add_option("--origin", origins, "allowed origin, exact match (repeatable)")->required();
  app.add_option("--rp-id", rp_id, "relying party id, e.g. custos.example")->required();
  app.add_flag("--allow-cross-origin", allow_cross_origin, "accept crossOrigin:true when topOrigin is allowed");
  app.add_option("--top-origin", top_origins, "allowed top-level origin for cross-origin use (repeatable)");
  app.add_flag("--no-require-uv", no_require_uv, "do not require the UV (user verified) flag");
  app.add_option("--alg", algs, "allowed COSE algorithm: -7 ES256, -8 EdDSA, -257 RS256 (repeatable; default all)");
  app.add_flag("--json", json_output, "print the verdict as JSON");
  if (auto done = parse_command_line(app, argc, argv, out, err)) return *done;

  passkey::AssertionExpectations expect;
  auto challenge = challenge_argument(challenge_text, err);
  if (!challenge) return 2;
  expect.challenge = std::move(*challenge);
  expect.origins.allowed_origins = origins;
  expect.origins.allow_cross_origin = allow_cross_origin;
  expect.origins.allowed_top_origins = top_origins;
  if (allow_cross_origin && top_origins.empty()) {
    err << "custos-passkey: --allow-cross-origin needs at least one --top-origin\n";
    return 2;
  }
  expect.rp_id = rp_id;
  expect.require_user_verification = !no_require_uv;
  if (!algs.empty()) {
    expect.allowed_algorithms.clear();
    for (int64_t a : algs) {
      if (a != -7 && a != -8 && a != -257) {
        err << "custos-passkey: --alg " << a << " is not supported (use -7, -8 or -257)\n";
        return 2;
      }
      expect.allowed_algorithms.push_back(static_cast<passkey::CoseAlg>(a));
    }
  }

  auto response = read_input_file(response_path, "response", err);
  if (!response) return 2;
  auto record_text = read_input_file(credential_path, "credential record", err);
  if (!record_text) return 2;
  auto record = passkey::parse_credential_record(*record_text);
  if (!record.ok()) {
    err << "custos-passkey: credential record " << credential_path << " is unusable: "
        << passkey::reason_code(record.rejection().reason) << ": " << record.rejection().message << "\n";
    return 2;
  }

  auto verdict = passkey::verify_assertion(*response, *record, expect);
  if (!verdict.ok()) return print_rejection(verdict.rejection(), json_output, out);
  const passkey::AssertionResult& r = *verdict;
  if (json_output) {
    nlohmann::json j = {{"verdict", "accept"},
                        {"credential_id", passkey::base64url_encode(r.credential_id)},
                        {"sign_count", r.sign_count},
                        {"uv", r.user_verified},
                        {"be", r.backup_eligible},
                        {"bs", r.backup_state}};
    out << j.dump() << "\n";
  } else {
    out << "accept sign_count=" << r.sign_count << " uv=" << (r.user_verified ? 1 : 0)
        << " be=" << (r.backup_eligible ? 1 : 0) << " bs=" << (r.backup_state ? 1 : 0) << "\n";
  }
  return 0;
}

}  // namespace custos::passkey_cli
