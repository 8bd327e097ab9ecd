// custos approve: approve a signing intent with a software passkey (`custos approver create`), as a
// browser would with a real one (DESIGN §5 step 2): the challenge is recomputed here from the intent, so
// the approval is valid for exactly this intent and nothing else. Writes the approval
//   {"approver": "<id from the credential file>", "assertion": <AuthenticationResponseJSON object>}
// to --out or stdout, and saves the advanced signature counter back to the credential file first (a
// counter that went backwards would make the nodes reject this passkey's later approvals as clones).
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <nlohmann/json.hpp>

#include "config/validate.h"
#include "crypto/passkey/challenge.h"
#include "node/cli/cli_args.h"
#include "node/cli/cli_files.h"
#include "node/cli/commands.h"
#include "node/cli/intent_text.h"
#include "protocol/intent.h"
#include "sim/soft_authenticator.h"

namespace custos::cli {
namespace {

constexpr const char* kPrefix = "custos approve";
// Nodes refuse an intent created further in the future than this (node::GateConfig::max_clock_skew_s).
constexpr int64_t kMaxClockSkewSeconds = 60;

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

int approve_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app(
      "Approve a signing intent with a software passkey (tests and demos; real approvers use a browser).",
      "custos approve");
  std::string credential_path, intent_path, out_path;
  bool json_output = false;
  app.add_option("--credential", credential_path, "credential file from `custos approver create` (updated: its counter)")
      ->required();
  app.add_option("--intent", intent_path, "signing intent JSON from `custos intent create`")->required();
  app.add_option("--out", out_path, "write the approval JSON here (never overwritten) instead of stdout");
  app.add_flag("--json", json_output, "print JSON: {approval_file, approver, challenge, sign_count} with --out, else the approval");
  if (auto done = parse_command_line(app, argc, argv, out, err)) return *done;

  auto credential_text = read_input_file(credential_path, "credential file", kPrefix, err);
  if (!credential_text) return 2;
  auto authenticator = sim::SoftAuthenticator::from_file_json(*credential_text);
  if (!authenticator.ok()) {
    err << kPrefix << ": credential file " << credential_path << ": " << authenticator.status().message() << "\n";
    return 2;
  }
  const std::string approver = authenticator->user_name();
  if (auto problem = config::check_approver_id(approver)) {
    err << kPrefix << ": credential file " << credential_path << ": \"user_name\" is not an approver id: " << *problem << "\n";
    return 2;
  }
  auto intent_text = read_input_file(intent_path, "intent", kPrefix, err);
  if (!intent_text) return 2;
  auto intent = protocol::intent_from_json(*intent_text);
  if (!intent.ok()) {
    err << kPrefix << ": intent " << intent_path << " is invalid: " << intent.status().message() << "\n";
    return 2;
  }
  auto canonical = protocol::intent_canonical_bytes(*intent);
  if (!canonical.ok()) {
    err << kPrefix << ": intent " << intent_path << " is invalid: " << canonical.status().message() << "\n";
    return 2;
  }
  // The nodes would refuse these; approving them would only burn a counter value.
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (static_cast<int64_t>(intent->expires_at_unix()) <= now) {
    err << kPrefix << ": intent " << intent_path << " expired at " << utc_time(intent->expires_at_unix())
        << "; create a new one\n";
    return 1;
  }
  if (static_cast<int64_t>(intent->created_at_unix()) > now + kMaxClockSkewSeconds) {
    err << kPrefix << ": intent " << intent_path << " is created in the future (" << utc_time(intent->created_at_unix())
        << "); check the clocks\n";
    return 1;
  }
  if (!out_path.empty() && exists(out_path)) {
    err << kPrefix << ": " << out_path << " already exists; refusing to overwrite it\n";
    return 1;
  }
  struct stat st {};
  if (::stat(credential_path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    err << kPrefix << ": warning: " << credential_path << " is readable by others (mode "
        << std::oct << (st.st_mode & 0777) << std::dec << "); it holds a private key\n";

  // Show what is approved before signing it.
  if (!json_output) {
    std::ostream& info = out_path.empty() ? err : out;
    info << "approving as " << approver << ":\n";
    describe_intent(*intent, now, info);
  }

  const Digest32 challenge = passkey::intent_challenge(*canonical);
  const std::string assertion = authenticator->assertion_json(challenge);
  // Persist the counter before the approval leaves this process: a crash in between loses one counter
  // value, never reuses one.
  auto updated = authenticator->to_file_json();
  if (!updated.ok()) {
    err << kPrefix << ": " << updated.status().message() << "\n";
    return 1;
  }
  if (Status s = replace_file(credential_path, *updated, 0600); !s.ok()) {
    err << kPrefix << ": cannot save the new counter to " << credential_path << ": " << s.message()
        << "\n(no approval was written)\n";
    return 1;
  }
  nlohmann::ordered_json approval = {{"approver", approver}, {"assertion", nlohmann::ordered_json::parse(assertion)}};
  const std::string approval_text = approval.dump(2);
  if (!out_path.empty()) {
    if (Status s = write_new_file(out_path, approval_text + "\n", 0644); !s.ok()) {
      err << kPrefix << ": " << s.message() << "\n";
      return 1;
    }
  }

  const std::string challenge_b64 = passkey::intent_challenge_b64url(*canonical);
  if (json_output) {
    if (out_path.empty()) {
      out << approval_text << "\n";
    } else {
      out << nlohmann::ordered_json{{"approval_file", out_path},
                                    {"approver", approver},
                                    {"challenge", challenge_b64},
                                    {"sign_count", authenticator->sign_count()}}
                 .dump(2)
          << "\n";
    }
    return 0;
  }
  if (out_path.empty()) out << approval_text << "\n";
  std::ostream& info = out_path.empty() ? err : out;
  info << "approved" << (out_path.empty() ? "" : "; approval written to " + out_path) << " (challenge " << challenge_b64
       << ", signCount " << authenticator->sign_count() << ")\n";
  return 0;
}

}  // namespace custos::cli
