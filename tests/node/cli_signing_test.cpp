// `custos approver create`, `custos intent create` and `custos approve`, run in-process: an approval
// made from the command line passes the real passkey gate (node::check_approvals on a real store), the
// credential file's counter advances and is saved, nothing is ever overwritten, and bad inputs are
// refused with exit 2 (usage) or 1 (operation failed) and a message naming the file or field.
#include <catch2/catch.hpp>

#include <ctime>
#include <nlohmann/json.hpp>

#include "crypto/passkey/authenticator_data.h"
#include "crypto/passkey/base64url.h"
#include "crypto/passkey/challenge.h"
#include "node/gate/approval_gate.h"
#include "protocol/intent.h"
#include "sim/soft_authenticator.h"
#include "tests/node/cli_fixture.h"
#include "tests/node/store_fixture.h"

using namespace custos;
using custos::testing::CliRun;
using custos::testing::has;
using custos::testing::TempDir;

namespace {

const std::string kDigest = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

CliRun approver(std::vector<std::string> args) {
  args.insert(args.begin(), "create");
  return testing::run_cli(cli::approver_command, "approver", std::move(args));
}
CliRun intent(std::vector<std::string> args) {
  args.insert(args.begin(), "create");
  return testing::run_cli(cli::intent_command, "intent", std::move(args));
}
CliRun approve(std::vector<std::string> args) { return testing::run_cli(cli::approve_command, "approve", std::move(args)); }

// Creates approver `id` in `dir`: returns {credential file, record file}.
std::pair<std::string, std::string> make_approver(const TempDir& dir, const std::string& id) {
  const std::string cred = dir.file(id + ".cred.json"), rec = dir.file(id + ".record.json");
  const CliRun r = approver({"--id", id, "--out", cred, "--record-out", rec});
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  return {cred, rec};
}

std::string make_intent(const TempDir& dir, const std::string& name, std::vector<std::string> extra = {}) {
  const std::string path = dir.file(name);
  std::vector<std::string> args = {"--key", "treasury-1", "--digest", kDigest, "--out", path};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliRun r = intent(args);
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  return path;
}

SigningIntent load_intent(const std::string& path) {
  auto in = protocol::intent_from_json(testing::slurp_file(path));
  REQUIRE(in.ok());
  return *in;
}

uint32_t counter_of(const std::string& credential_file) {
  auto a = sim::SoftAuthenticator::from_file_json(testing::slurp_file(credential_file));
  REQUIRE(a.ok());
  return a->sign_count();
}

// A node's gate over the given approvers, with the settings `custos init-network` writes by default
// (which are `custos approver create`'s defaults).
struct Gate {
  TempDir dir;
  std::unique_ptr<node::NodeStore> store;
  node::GateConfig config;

  explicit Gate(const std::map<std::string, std::string>& record_files) {
    store = custos::testing::open_store(dir.file("node.db"), custos::testing::make_key_file(dir));
    config.origins.allowed_origins = {"http://localhost:8080"};
    config.rp_id = "localhost";
    for (const auto& [id, path] : record_files) {
      auto rec = passkey::parse_credential_record(testing::slurp_file(path));
      INFO(path);
      REQUIRE(rec.ok());
      config.approvers[id] = node::Approver{id, *rec};
    }
  }
  node::GateDecision check(const node::ApprovalPolicy& policy, const SigningIntent& in,
                           const std::vector<std::string>& approval_files) {
    std::vector<node::Approval> approvals;
    for (const auto& f : approval_files) {
      const auto j = nlohmann::json::parse(testing::slurp_file(f));
      approvals.push_back(node::Approval{j.at("approver").get<std::string>(), j.at("assertion").dump()});
    }
    auto d = node::check_approvals(config, policy, in, approvals, static_cast<int64_t>(std::time(nullptr)), *store);
    REQUIRE(d.ok());
    return *d;
  }
};

}  // namespace

TEST_CASE("cli: approver create -> intent create -> approve passes the real passkey gate", "[cli][gate]") {
  TempDir dir;
  const auto [alice_cred, alice_rec] = make_approver(dir, "alice");
  const auto [bob_cred, bob_rec] = make_approver(dir, "bob");
  // The credential file holds the private key: 0600. The record is public.
  CHECK(testing::file_mode(alice_cred) == 0600);
  CHECK(testing::file_mode(alice_rec) == 0644);
  CHECK(counter_of(alice_cred) == 0);

  const CliRun made = intent({"--key", "treasury-1", "--digest", kDigest, "--path", "0/1", "--amount", "0.5", "--asset",
                              "BTC", "--destination", "bc1qexampleaddress", "--initiator", "ops", "--out", dir.file("intent.json")});
  INFO(made.out << made.err);
  REQUIRE(made.rc == 0);
  const SigningIntent in = load_intent(dir.file("intent.json"));
  CHECK(in.key_id() == "treasury-1");
  CHECK(in.derivation_path_size() == 2);
  CHECK(in.derivation_path(1) == 1);
  CHECK(in.request_nonce().size() == 32);
  CHECK(in.expires_at_unix() == in.created_at_unix() + 600);
  CHECK(in.initiator() == "ops");
  auto canonical = protocol::intent_canonical_bytes(in);
  REQUIRE(canonical.ok());
  const std::string challenge = passkey::intent_challenge_b64url(*canonical);
  CHECK(has(made.out, "WebAuthn challenge"));
  CHECK(has(made.out, challenge));

  const CliRun a = approve({"--credential", alice_cred, "--intent", dir.file("intent.json"), "--out", dir.file("alice.approval")});
  INFO(a.out << a.err);
  REQUIRE(a.rc == 0);
  // What is approved is shown before it is signed.
  for (const char* shown : {"treasury-1", "m/0/1", "bitcoin", "0.5 BTC", "bc1qexampleaddress", kDigest.c_str(), "expires"})
    CHECK(has(a.out, shown));
  const CliRun b = approve({"--credential", bob_cred, "--intent", dir.file("intent.json"), "--out", dir.file("bob.approval")});
  REQUIRE(b.rc == 0);
  const auto approval = nlohmann::json::parse(testing::slurp_file(dir.file("alice.approval")));
  CHECK(approval["approver"] == "alice");
  CHECK(approval["assertion"].is_object());
  CHECK(approval["assertion"]["type"] == "public-key");

  Gate gate({{"alice", alice_rec}, {"bob", bob_rec}});
  const auto d = gate.check(node::ApprovalPolicy{2, {"alice", "bob"}}, in, {dir.file("alice.approval"), dir.file("bob.approval")});
  INFO(d.reason);
  CHECK(d.approved);
  CHECK(d.counted == 2);
  // A second submission of the same intent is a replay.
  const auto again = gate.check(node::ApprovalPolicy{2, {"alice", "bob"}}, in, {dir.file("alice.approval"), dir.file("bob.approval")});
  CHECK_FALSE(again.approved);

  // An approval of this intent does not approve another one.
  const SigningIntent other = load_intent(make_intent(dir, "other.json"));
  const auto cross = gate.check(node::ApprovalPolicy{1, {"alice"}}, other, {dir.file("alice.approval")});
  CHECK_FALSE(cross.approved);
  CHECK(has(cross.reason, "challenge_mismatch"));
}

TEST_CASE("cli: the counter advances across approvals and is saved atomically", "[cli]") {
  TempDir dir;
  const auto [cred, rec] = make_approver(dir, "carol");
  const std::string in1 = make_intent(dir, "one.json"), in2 = make_intent(dir, "two.json");
  REQUIRE(approve({"--credential", cred, "--intent", in1, "--out", dir.file("one.approval")}).rc == 0);
  CHECK(counter_of(cred) == 1);
  // Without --out the approval goes to stdout alone (the summary to stderr), so it can be redirected.
  const CliRun second = approve({"--credential", cred, "--intent", in2});
  REQUIRE(second.rc == 0);
  CHECK(counter_of(cred) == 2);
  CHECK(testing::file_mode(cred) == 0600);
  const auto j = nlohmann::json::parse(second.out);
  CHECK(j["approver"] == "carol");
  CHECK(has(second.err, "approving as carol"));
  auto ad = passkey::parse_authenticator_data(
      *passkey::base64url_decode(j["assertion"]["response"]["authenticatorData"].get<std::string>()));
  REQUIRE(ad.ok());
  CHECK(ad->sign_count == 2);
  // No temporary file is left next to the credential file.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(cred).parent_path())) {
    CHECK_FALSE(has(e.path().filename().string(), ".tmp-"));
    ++files;
  }
  CHECK(files == 5);  // credential, record, two intents, one approval

  // Both approvals pass the gate in order: the node's stored counter moves 1 -> 2.
  testing::write_file(dir.file("two.approval"), second.out);
  Gate gate({{"carol", rec}});
  CHECK(gate.check(node::ApprovalPolicy{1, {"carol"}}, load_intent(in1), {dir.file("one.approval")}).approved);
  CHECK(gate.check(node::ApprovalPolicy{1, {"carol"}}, load_intent(in2), {dir.file("two.approval")}).approved);
}

TEST_CASE("cli: files are never overwritten", "[cli]") {
  TempDir dir;
  const auto [cred, rec] = make_approver(dir, "dave");
  const std::string before = testing::slurp_file(cred);

  const CliRun again = approver({"--id", "dave", "--out", cred});
  CHECK(again.rc == 1);
  CHECK(has(again.err, cred + " already exists"));
  CHECK(testing::slurp_file(cred) == before);
  // An existing record file is refused before the credential file is created.
  const CliRun rec_exists = approver({"--id", "erin", "--out", dir.file("erin.cred"), "--record-out", rec});
  CHECK(rec_exists.rc == 1);
  CHECK_FALSE(std::filesystem::exists(dir.file("erin.cred")));

  const std::string in = make_intent(dir, "intent.json");
  const CliRun dup_intent = intent({"--key", "k", "--digest", kDigest, "--out", in});
  CHECK(dup_intent.rc == 1);
  CHECK(has(dup_intent.err, "already exists"));

  testing::write_file(dir.file("taken.approval"), "mine");
  const CliRun dup_approval = approve({"--credential", cred, "--intent", in, "--out", dir.file("taken.approval")});
  CHECK(dup_approval.rc == 1);
  CHECK(has(dup_approval.err, "already exists"));
  CHECK(testing::slurp_file(dir.file("taken.approval")) == "mine");
  CHECK(counter_of(cred) == 0);  // refused before signing: no counter value spent
}

TEST_CASE("cli: intent create refuses bad arguments with exit 2", "[cli]") {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const std::vector<Case> cases = {
      {{"--key", "k", "--digest", kDigest, "--raw-tx", "00"}, "excludes"},
      {{"--key", "k", "--digest", "zz"}, "--digest must be exactly 64 hex digits"},
      {{"--key", "k", "--digest", kDigest.substr(2)}, "--digest must be exactly 64 hex digits"},
      {{"--key", "k", "--raw-tx", "abc"}, "--raw-tx"},
      {{"--key", "k"}, "--digest HEX32 or --raw-tx HEX"},
      {{"--digest", kDigest}, "--key"},
      {{"--key", "k", "--digest", kDigest, "--path", "0/2147483648"}, "hardened"},
      {{"--key", "k", "--digest", kDigest, "--path", "0'/1"}, "--path"},
      {{"--key", "k", "--digest", kDigest, "--amount", "1e5"}, "amount"},
      {{"--key", "k", "--digest", kDigest, "--expires-in", "0"}, "--expires-in"},
      {{"--key", "k", "--digest", kDigest, "--expires-in", "86400"}, "--expires-in"},
      {{"--key", "two words", "--digest", kDigest}, "key_id"},
  };
  for (const auto& c : cases) {
    const CliRun r = intent(c.args);
    INFO(r.err);
    CHECK(r.rc == 2);
    CHECK(has(r.err, c.message));
  }
  // A raw transaction and the defaults are fine; --json without --out prints the intent itself.
  const CliRun raw = intent({"--key", "k", "--raw-tx", "0200000001", "--json"});
  REQUIRE(raw.rc == 0);
  auto in = protocol::intent_from_json(raw.out);
  REQUIRE(in.ok());
  CHECK(in->raw_transaction() == std::string("\x02\x00\x00\x00\x01", 5));
  CHECK(in->chain() == "bitcoin");
  CHECK(intent({"--help"}).rc == 0);
}

TEST_CASE("cli: approve and approver create refuse bad inputs with a clear message", "[cli]") {
  TempDir dir;
  const auto [cred, rec] = make_approver(dir, "frank");
  const std::string in = make_intent(dir, "intent.json");

  const CliRun missing_cred = approve({"--credential", dir.file("nope.json"), "--intent", in});
  CHECK(missing_cred.rc == 2);
  CHECK(has(missing_cred.err, "cannot read credential file " + dir.file("nope.json")));
  const CliRun missing_intent = approve({"--credential", cred, "--intent", dir.file("nope.json")});
  CHECK(missing_intent.rc == 2);
  CHECK(has(missing_intent.err, "cannot read intent " + dir.file("nope.json")));
  CHECK(approve({"--intent", in}).rc == 2);

  // The record is not a credential file.
  const CliRun record_as_cred = approve({"--credential", rec, "--intent", in});
  CHECK(record_as_cred.rc == 2);
  CHECK(has(record_as_cred.err, "credential file " + rec));
  // A tampered credential file names the member.
  auto j = nlohmann::json::parse(testing::slurp_file(cred));
  j["options"]["user_verified_"] = true;
  testing::write_file(dir.file("tampered.json"), j.dump());
  const CliRun tampered = approve({"--credential", dir.file("tampered.json"), "--intent", in});
  CHECK(tampered.rc == 2);
  CHECK(has(tampered.err, "unknown member \"options.user_verified_\""));
  // A broken intent names the field.
  auto ij = nlohmann::json::parse(testing::slurp_file(in));
  ij["digest"] = "00";
  testing::write_file(dir.file("bad-intent.json"), ij.dump());
  const CliRun bad_intent = approve({"--credential", cred, "--intent", dir.file("bad-intent.json")});
  CHECK(bad_intent.rc == 2);
  CHECK(has(bad_intent.err, "digest"));

  // An expired intent is refused without spending a counter value.
  SigningIntent old = load_intent(in);
  const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  old.set_created_at_unix(now - 1000);
  old.set_expires_at_unix(now - 400);
  testing::write_file(dir.file("expired.json"), *protocol::intent_to_json(old));
  const CliRun expired = approve({"--credential", cred, "--intent", dir.file("expired.json")});
  CHECK(expired.rc == 1);
  CHECK(has(expired.err, "expired"));
  CHECK(counter_of(cred) == 0);

  // approver create: ids, relying party and origin follow the config loader's rules.
  CHECK(approver({"--id", "bad id", "--out", dir.file("x")}).rc == 2);
  const CliRun bad_origin = approver({"--id", "gina", "--out", dir.file("x"), "--origin", "https://evil.example"});
  CHECK(bad_origin.rc == 2);
  CHECK(has(bad_origin.err, "--origin"));
  CHECK(approver({"--id", "gina", "--out", dir.file("x"), "--type", "rs256"}).rc == 2);
  CHECK(approver({"--id", "gina"}).rc == 2);
  CHECK_FALSE(std::filesystem::exists(dir.file("x")));
  const CliRun help = approver({"--help"});
  CHECK(help.rc == 0);
  CHECK(has(help.out, "tests and demos"));
}

TEST_CASE("cli: approver create prints the record when not asked to write it, and EdDSA works", "[cli][gate]") {
  TempDir dir;
  const CliRun r = approver({"--id", "hana", "--out", dir.file("hana.cred"), "--type", "eddsa", "--json"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["approver"] == "hana");
  CHECK(j["rp_id"] == "localhost");
  CHECK(j["record_file"].is_null());
  // The private key is never printed.
  CHECK_FALSE(has(r.out, "private"));
  testing::write_file(dir.file("hana.record.json"), j["record"].dump());
  const std::string in = make_intent(dir, "intent.json");
  REQUIRE(approve({"--credential", dir.file("hana.cred"), "--intent", in, "--out", dir.file("hana.approval")}).rc == 0);
  Gate gate({{"hana", dir.file("hana.record.json")}});
  CHECK(gate.check(node::ApprovalPolicy{1, {"hana"}}, load_intent(in), {dir.file("hana.approval")}).approved);
}
