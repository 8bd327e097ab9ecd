// custos intent create: a signing intent (DESIGN §5 step 1) ready for approvers. It fills in what a
// client must not choose by hand: a fresh random 32-byte request nonce (it makes every request unique, so
// an approval can never be replayed for another request) and created_at = now. The intent JSON goes to
// --out or stdout; the WebAuthn challenge the approvers' passkeys will sign is printed with it.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "crypto/passkey/challenge.h"
#include "crypto/rng.h"
#include "node/cli/cli_args.h"
#include "node/cli/cli_files.h"
#include "node/cli/commands.h"
#include "crypto/hex.h"
#include "node/cli/intent_text.h"
#include "protocol/intent.h"

namespace custos::cli {
namespace {

constexpr const char* kPrefix = "custos intent create";
constexpr size_t kNonceBytes = 32;
// Nodes refuse intents valid for longer than this (node::GateConfig::max_intent_lifetime_s).
constexpr int64_t kMaxLifetimeSeconds = 3600;

// "0/1/2" or "m/0/1/2" (or "" / "m" for the key itself): non-hardened components only.
std::optional<std::vector<uint32_t>> parse_path(const std::string& text, std::string* problem) {
  std::string rest = text;
  if (rest == "m" || rest.empty()) return std::vector<uint32_t>{};
  if (rest.rfind("m/", 0) == 0) rest = rest.substr(2);
  std::vector<uint32_t> path;
  size_t start = 0;
  while (true) {
    const size_t slash = rest.find('/', start);
    const std::string part = rest.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part.size() > 10 || part.find_first_not_of("0123456789") != std::string::npos) {
      *problem = "component \"" + part.substr(0, 20) + "\" is not a decimal number (hardened components such as 0' are not allowed)";
      return std::nullopt;
    }
    const uint64_t v = std::stoull(part);
    if (v >= 0x80000000u) {
      *problem = "component " + part + " is hardened (>= 2^31); threshold keys only derive non-hardened children";
      return std::nullopt;
    }
    path.push_back(static_cast<uint32_t>(v));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return path;
}

std::string default_initiator() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "cli";
}

}  // namespace

int intent_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Signing intents: what a signing request asks the nodes to sign.", "custos intent");
  app.require_subcommand(1);
  CLI::App* create = app.add_subcommand(
      "create", "Create a signing intent (fresh random nonce, created now) and print its WebAuthn challenge.");
  std::string key, digest_hex, raw_hex, path_text, chain = "bitcoin", amount, asset, destination, out_path;
  std::string initiator = default_initiator();
  int64_t expires_in = 600;
  bool json_output = false;
  create->add_option("--key", key, "key id the nodes know the key by")->required();
  auto* digest_opt = create->add_option("--digest", digest_hex, "the 32-byte hash to sign (64 hex digits)");
  auto* raw_opt = create->add_option("--raw-tx", raw_hex, "the unsigned transaction to sign (hex)");
  digest_opt->excludes(raw_opt);
  create->add_option("--path", path_text, "BIP-32 derivation path below the key, e.g. 0/1/2 (non-hardened)");
  create->add_option("--chain", chain, "chain the payload belongs to")->capture_default_str();
  create->add_option("--amount", amount, "decoded amount, plain decimal (e.g. 0.5), shown to approvers");
  create->add_option("--asset", asset, "asset of the amount (e.g. BTC)");
  create->add_option("--destination", destination, "decoded destination address, shown to approvers");
  create->add_option("--expires-in", expires_in, "seconds the intent stays valid (nodes accept at most 3600)")
      ->check(CLI::Range(int64_t{1}, kMaxLifetimeSeconds))
      ->capture_default_str();
  create->add_option("--initiator", initiator, "who asks for the signature (default $USER, or \"cli\")");
  create->add_option("--out", out_path, "write the intent JSON to this file (never overwritten) instead of stdout");
  create->add_flag("--json", json_output, "print JSON: {intent_file, challenge, intent} with --out, else the intent");
  if (auto done = parse_command_line(app, argc, argv, out, err)) return *done;

  SigningIntent intent;
  intent.set_key_id(key);
  std::string problem;
  auto path = parse_path(path_text, &problem);
  if (!path) {
    err << kPrefix << ": --path " << path_text << ": " << problem << "\n";
    return 2;
  }
  for (uint32_t c : *path) intent.add_derivation_path(c);
  intent.set_chain(chain);
  if (!digest_opt->empty()) {
    auto digest = from_hex(digest_hex);
    if (!digest || digest->size() != 32) {
      err << kPrefix << ": --digest must be exactly 64 hex digits (a 32-byte hash)\n";
      return 2;
    }
    intent.set_digest(std::string(digest->begin(), digest->end()));
  } else if (!raw_opt->empty()) {
    auto raw = from_hex(raw_hex);
    if (!raw || raw->empty()) {
      err << kPrefix << ": --raw-tx is not a non-empty, even-length hex string\n";
      return 2;
    }
    intent.set_raw_transaction(std::string(raw->begin(), raw->end()));
  } else {
    err << kPrefix << ": give the payload: --digest HEX32 or --raw-tx HEX\n";
    return 2;
  }
  if (!amount.empty()) intent.set_amount(amount);
  if (!asset.empty()) intent.set_asset(asset);
  if (!destination.empty()) intent.set_destination(destination);
  std::array<uint8_t, kNonceBytes> nonce{};
  OsRng().fill(nonce);
  intent.set_request_nonce(std::string(nonce.begin(), nonce.end()));
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  intent.set_created_at_unix(static_cast<uint64_t>(now));
  intent.set_expires_at_unix(static_cast<uint64_t>(now + expires_in));
  intent.set_initiator(initiator);

  // intent_to_json validates every field and names the one that is wrong.
  auto text = protocol::intent_to_json(intent);
  auto canonical = protocol::intent_canonical_bytes(intent);
  if (!text.ok() || !canonical.ok()) {
    err << kPrefix << ": invalid intent: " << (text.ok() ? canonical.status() : text.status()).message() << "\n";
    return 2;
  }
  const std::string challenge = passkey::intent_challenge_b64url(*canonical);
  if (!out_path.empty()) {
    if (Status st = write_new_file(out_path, *text + "\n", 0644); !st.ok()) {
      err << kPrefix << ": " << st.message() << "\n";
      return 1;
    }
  }

  if (json_output) {
    if (out_path.empty()) {
      out << *text << "\n";
    } else {
      out << nlohmann::ordered_json{{"intent_file", out_path},
                                    {"challenge", challenge},
                                    {"intent", nlohmann::ordered_json::parse(*text)}}
                 .dump(2)
          << "\n";
    }
    return 0;
  }
  // Without --out, stdout carries the intent alone (so it can be redirected) and the rest goes to stderr.
  std::ostream& info = out_path.empty() ? err : out;
  if (out_path.empty()) out << *text << "\n";
  info << "signing intent" << (out_path.empty() ? "" : " written to " + out_path) << ":\n";
  describe_intent(intent, now, info);
  info << "WebAuthn challenge (what approvers' passkeys sign): " << challenge << "\n";
  return 0;
}

}  // namespace custos::cli
