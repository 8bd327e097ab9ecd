// custos approver create: a software passkey for an approver, for tests and demos (DESIGN §5). It writes
//   --out FILE         the software authenticator's credential file (mode 0600): the private key, the
//                      counter and the WebAuthn settings `custos approve` signs with;
//   --record-out FILE  the public credential record (mode 0644), the JSON a node config's
//                      approvers[].credential_file names (printed instead when not given).
// A software passkey keeps its private key in a plain file: whoever can read the file can approve.
// Real approvers use hardware-backed passkeys through a browser.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "config/validate.h"
#include "crypto/passkey/base64url.h"
#include "node/cli/cli_args.h"
#include "node/cli/cli_files.h"
#include "node/cli/commands.h"
#include "sim/soft_authenticator.h"

namespace custos::cli {
namespace {

constexpr const char* kPrefix = "custos approver create";

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

int approver_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Manage approvers' passkeys.", "custos approver");
  app.require_subcommand(1);
  CLI::App* create = app.add_subcommand(
      "create",
      "Create a SOFTWARE passkey for an approver. For tests and demos only: the private key is stored in a "
      "plain file (mode 0600), and anyone who can read it can approve as this approver.");
  std::string id, out_path, record_path, type = "es256";
  // The defaults are those of `custos init-network`, so a network and its approvers made with default
  // options agree on the relying party.
  std::string rp_id = "localhost", origin = "http://localhost:8080";
  bool json_output = false;
  create->add_option("--id", id, "approver id, as listed in the nodes' configs ([A-Za-z0-9][A-Za-z0-9._@-]{0,63})")
      ->required();
  create->add_option("--out", out_path, "credential file to create (mode 0600; holds the private key; never overwritten)")
      ->required();
  create->add_option("--record-out", record_path,
                     "write the public credential record here (mode 0644; for approvers[].credential_file); "
                     "printed when not given");
  create->add_option("--rp-id", rp_id, "WebAuthn relying-party id the nodes expect (their webauthn.rp_id)")
      ->capture_default_str();
  create->add_option("--origin", origin, "origin the passkey claims (one of the nodes' webauthn.origins)")
      ->capture_default_str();
  create->add_option("--type", type, "key type")->check(CLI::IsMember({"es256", "eddsa"}))->capture_default_str();
  create->add_flag("--json", json_output, "print a JSON summary");
  if (auto done = parse_command_line(app, argc, argv, out, err)) return *done;

  // Same rules as the config loader, so the record is accepted wherever the id and settings are.
  if (auto problem = config::check_approver_id(id)) {
    err << kPrefix << ": --id " << id << ": " << *problem << "\n";
    return 2;
  }
  if (auto problem = config::check_rp_id(rp_id)) {
    err << kPrefix << ": --rp-id " << rp_id << ": " << *problem << "\n";
    return 2;
  }
  if (auto problem = config::check_origin(origin, rp_id)) {
    err << kPrefix << ": --origin " << origin << ": " << *problem << "\n";
    return 2;
  }
  if (!record_path.empty() && record_path == out_path) {
    err << kPrefix << ": --out and --record-out name the same file\n";
    return 2;
  }
  // Checked before anything is created, so a refusal leaves no half-made approver behind.
  for (const std::string* path : {&out_path, &record_path}) {
    if (!path->empty() && exists(*path)) {
      err << kPrefix << ": " << *path << " already exists; refusing to overwrite it\n";
      return 1;
    }
  }

  sim::SoftAuthenticatorOptions options;
  options.rp_id = rp_id;
  options.origin = origin;
  auto authenticator = sim::SoftAuthenticator::create(type == "es256" ? sim::SoftKeyType::kES256 : sim::SoftKeyType::kEdDSA,
                                                      nullptr, options);
  if (!authenticator.ok()) {
    err << kPrefix << ": " << authenticator.status().message() << "\n";
    return 1;
  }
  authenticator->set_user_name(id);
  auto file_text = authenticator->to_file_json();
  if (!file_text.ok()) {
    err << kPrefix << ": " << file_text.status().message() << "\n";
    return 1;
  }
  if (Status st = write_new_file(out_path, *file_text, 0600); !st.ok()) {
    err << kPrefix << ": " << st.message() << "\n";
    return 1;
  }
  const std::string record = authenticator->credential_record_json();
  if (!record_path.empty()) {
    if (Status st = write_new_file(record_path, record + "\n", 0644); !st.ok()) {
      ::unlink(out_path.c_str());  // no credential without its record
      err << kPrefix << ": " << st.message() << "\n";
      return 1;
    }
  }

  const std::string credential_id = passkey::base64url_encode(authenticator->credential_id());
  if (json_output) {
    nlohmann::ordered_json j = {{"approver", id},
                                {"type", type},
                                {"credential_file", out_path},
                                {"record_file", record_path.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(record_path)},
                                {"rp_id", rp_id},
                                {"origin", origin},
                                {"credential_id", credential_id},
                                {"record", nlohmann::ordered_json::parse(record)}};
    out << j.dump(2) << "\n";
    return 0;
  }
  out << "created a software passkey (" << (type == "es256" ? "ES256" : "EdDSA") << ") for approver " << id
      << " (tests and demos only)\n"
      << "  credential file    " << out_path << " (mode 0600: it holds the private key)\n"
      << "  credential id      " << credential_id << "\n"
      << "  relying party      " << rp_id << ", origin " << origin << "\n";
  if (!record_path.empty()) {
    out << "  credential record  " << record_path << "\n";
  } else {
    out << "credential record (for approvers[].credential_file in every node's config):\n" << record << "\n";
  }
  return 0;
}

}  // namespace custos::cli
