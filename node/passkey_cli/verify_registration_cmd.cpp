// custos-passkey verify-registration: runs the registration check (WebAuthn L3 §7.1 and the attestation
// formats of §8) on a browser's registration response and prints the credential record to store.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <ctime>

#include "crypto/passkey/attestation/cert_chain.h"
#include "crypto/passkey/base64url.h"
#include "crypto/passkey/registration.h"
#include "node/passkey_cli/cli_io.h"
#include "node/passkey_cli/commands.h"

namespace custos::passkey_cli {

int verify_registration_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Check a WebAuthn registration (navigator.credentials.create() JSON) and print the credential record",
               "custos-passkey verify-registration");
  std::string response_path, challenge_text, rp_id, roots_dir;
  std::vector<std::string> origins;
  std::vector<int64_t> algs;
  int64_t at = 0;
  bool no_require_uv = false, json_output = false, require_anchor = false, allow_sha1 = false;
  app.add_option("--response", response_path, "PublicKeyCredential.toJSON() of the registration")->required();
  app.add_option("--challenge", challenge_text, "expected challenge, unpadded base64url")->required();
  app.add_option("--origin", origins, "allowed origin, exact match (repeatable)")->required();
  app.add_option("--rp-id", rp_id, "relying party id, e.g. custos.example")->required();
  app.add_option("--alg", algs, "allowed COSE algorithm: -7 ES256, -8 EdDSA, -257 RS256 (repeatable; default all)");
  app.add_option("--roots", roots_dir,
                 "directory of trust roots: DIR/<fmt>/*.pem per attestation format (packed, tpm, android-key, "
                 "apple, fido-u2f), DIR/*.pem for every format");
  app.add_option("--at", at, "verification time for certificate validity, unix seconds (default: now)");
  app.add_flag("--no-require-uv", no_require_uv, "do not require the UV (user verified) flag");
  app.add_flag("--require-trust-root", require_anchor,
               "reject certificate-based attestation for formats without a configured root");
  app.add_flag("--allow-sha1", allow_sha1, "accept SHA-1 (RS1) signatures in attestation statements (some Windows TPMs)");
  app.add_flag("--json", json_output, "print the verdict as JSON with the attestation details");
  if (auto done = parse_command_line(app, argc, argv, out, err)) return *done;

  passkey::RegistrationOptions options;
  auto challenge = challenge_argument(challenge_text, err);
  if (!challenge) return 2;
  options.expected_challenge = std::move(*challenge);
  options.origins.allowed_origins = origins;
  options.rp_ids = {rp_id};
  options.require_user_verification = !no_require_uv;
  options.attestation.require_trust_anchor = require_anchor;
  options.attestation.allow_sha1 = allow_sha1;
  if (!algs.empty()) {
    options.allowed_algorithms.clear();
    for (int64_t a : algs) {
      if (a != -7 && a != -8 && a != -257) {
        err << "custos-passkey: --alg " << a << " is not supported (use -7, -8 or -257)\n";
        return 2;
      }
      options.allowed_algorithms.push_back(a);
    }
  }
  if (app.count("--at") > 0) {
    if (at < 0) {
      err << "custos-passkey: --at must be a non-negative unix time\n";
      return 2;
    }
    options.verification_time = at;
  }
  if (!roots_dir.empty()) {
    auto roots = passkey::load_trust_roots_directory(roots_dir);
    if (!roots.ok()) {
      err << "custos-passkey: --roots " << roots_dir << ": " << roots.status().message() << "\n";
      return 2;
    }
    options.trust_roots = std::move(roots.value());
  }

  auto response = read_input_file(response_path, "response", err);
  if (!response) return 2;

  auto verdict = passkey::verify_registration(*response, options);
  if (!verdict.ok()) return print_rejection(verdict.rejection(), json_output, out);
  if (json_output) {
    auto summary = nlohmann::json::parse(passkey::registration_summary_json(*verdict), nullptr, false);
    summary["verdict"] = "accept";
    out << summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    out << passkey::registration_record_json(*verdict) << "\n";
    if (!verdict->attestation_trust_path.empty() && !verdict->attestation_chain_anchored) {
      err << "custos-passkey: note: the " << verdict->attestation_format
          << " attestation certificate path was verified without a trust root (use --roots to anchor it)\n";
    }
  }
  return 0;
}

}  // namespace custos::passkey_cli
