// A local Custos network of real custos-node processes on 127.0.0.1 for the signing tests: written by
// the real `custos init-network`, with software-passkey approvers enrolled in every node's config,
// started, connected, and given a key by a real distributed keygen. Helpers build signing intents and
// approvals the way a client does (software authenticators, browser-format JSON).
#pragma once

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/bip32.h"
#include "crypto/ecdsa.h"
#include "crypto/hex.h"
#include "crypto/passkey/challenge.h"
#include "crypto/passkey/base64url.h"
#include "crypto/rng.h"
#include "config/identity.h"
#include "config/loader.h"
#include "protocol/intent.h"
#include "sim/soft_authenticator.h"
#include "tests/node/process_fixture.h"
#include "tests/node/store_fixture.h"

namespace custos::testing {

struct NetworkOptions {
  int nodes = 3;
  int threshold = 2;
  int pool_depth = 2;
  int sign_deadline_s = 3;
  int session_deadline_s = 60;
  int quorum = 2;  // of the approvers alice and bob
  // Authenticator signature counters. Off, like synced passkeys (signCount always 0): approvals may then
  // reach the nodes in any order (with counters, an approval older than one already seen is refused).
  bool counters = true;
};

inline std::string hex_of(std::span<const uint8_t> b) { return to_hex(b); }

// Hex from a node's answer (the test fails on bad hex rather than reading garbage).
inline std::vector<uint8_t> bytes_of_hex(const std::string& h) {
  auto bytes = from_hex(h);
  REQUIRE(bytes.has_value());
  return *bytes;
}

class LocalNetwork {
 public:
  // Ports: node i listens on base+i and serves its API on base+100+i, base = port_block + 5·(pid mod 100):
  // give each test its own block of 1000 so tests running in parallel never share a port.
  LocalNetwork(TempDir& dir, NetworkOptions opt, int port_block)
      : dir_(dir), opt_(opt), base_(port_block + static_cast<int>(getpid() % 100) * 5) {
    net_ = dir.file("net");
    REQUIRE(run({kBinDir + "/custos", "init-network", "--nodes", std::to_string(opt.nodes), "--threshold",
                 std::to_string(opt.threshold), "--dir", net_, "--base-port", std::to_string(base_), "--rp-id",
                 "custos.example", "--origin", "https://custos.example"},
                dir.file("init.log")) == 0);
    // Two approvers with software passkeys, enrolled in every node's config.
    for (const char* name : {"alice", "bob"}) {
      sim::SoftAuthenticatorOptions ao;
      ao.counter_enabled = opt.counters;
      auto a = sim::SoftAuthenticator::create(sim::SoftKeyType::kES256, nullptr, ao);
      REQUIRE(a.ok());
      approvers_.emplace(name, std::move(a).value());
      std::ofstream(dir.file(std::string(name) + ".json")) << approvers_.at(name).credential_record_json();
    }
    for (int i = 1; i <= opt.nodes; ++i) {
      const std::string yaml = config_path(i);
      std::string text = slurp(yaml);
      replace_line(text, "presign_pool_depth:", "  presign_pool_depth: " + std::to_string(opt.pool_depth));
      replace_line(text, "sign_deadline_seconds:", "  sign_deadline_seconds: " + std::to_string(opt.sign_deadline_s));
      replace_line(text, "session_deadline_seconds:", "  session_deadline_seconds: " + std::to_string(opt.session_deadline_s));
      const size_t policy = text.find("# No approval_policy");
      if (policy != std::string::npos) text.erase(policy, text.find('\n', policy) + 1 - policy);
      text += "approvers:\n  - id: alice\n    credential_file: \"" + dir.file("alice.json") +
              "\"\n  - id: bob\n    credential_file: \"" + dir.file("bob.json") +
              "\"\napproval_policy:\n  default: {k: " + std::to_string(opt.quorum) + ", of: [alice, bob]}\n";
      std::ofstream(yaml, std::ios::trunc) << text;
    }
    procs_.pids.assign(static_cast<size_t>(opt.nodes), 0);
  }

  std::string config_path(int i) const { return net_ + "/node-" + std::to_string(i) + "/node.yaml"; }
  std::string log_path(int i) const { return dir_.file("node" + std::to_string(i) + ".log"); }
  // Everything node i logged, across its restarts.
  std::string log(int i) const {
    std::string all = slurp(log_path(i));
    auto it = restarts_.find(i);
    for (int run = 2; it != restarts_.end() && run <= it->second; ++run) {
      all += "--- restart " + std::to_string(run) + "\n" + slurp(log_path(i) + "." + std::to_string(run));
    }
    return all;
  }
  int api_port(int i) const { return base_ + 100 + i; }
  pid_t pid(int i) const { return procs_.pids[static_cast<size_t>(i - 1)]; }
  sim::SoftAuthenticator& approver(const std::string& name) { return approvers_.at(name); }

  void start(int i) {
    // Keep earlier logs: a restarted node appends to a new file name.
    const std::string log = log_path(i) + (restarts_[i]++ ? "." + std::to_string(restarts_[i]) : "");
    procs_.pids[static_cast<size_t>(i - 1)] =
        spawn({kBinDir + "/custos-node", "--config", config_path(i), "--create-store"}, log);
  }
  void start_all() {
    for (int i = 1; i <= opt_.nodes; ++i) start(i);
    for (int i = 1; i <= opt_.nodes; ++i) wait_connected(i, opt_.nodes - 1);
  }

  // Waits until node i reports `peers` connected peers.
  void wait_connected(int i, int peers) {
    httplib::Client api("127.0.0.1", api_port(i));
    api.set_connection_timeout(1);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < end) {
      auto res = api.Get("/healthz");
      if (res && res->status == 200 &&
          res->body.find("\"peers_connected\":" + std::to_string(peers)) != std::string::npos) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    INFO("node " << i << " log:\n" << log(i));
    FAIL("node " << i << " did not connect to " << peers << " peers");
  }

  // Distributed keygen through node 1; returns the key summary once every node holds its share.
  nlohmann::json keygen() {
    httplib::Client api("127.0.0.1", api_port(1));
    api.set_read_timeout(300);
    auto res = api.Post("/v1/keygen", "{}", "application/json");
    REQUIRE(res);
    INFO("node 1 log:\n" << log(1));
    REQUIRE(res->status == 200);
    key_ = nlohmann::json::parse(res->body);
    for (int i = 2; i <= opt_.nodes; ++i) {
      httplib::Client other("127.0.0.1", api_port(i));
      const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      bool ok = false;
      while (!ok && std::chrono::steady_clock::now() < end) {
        auto r = other.Get(("/v1/keys/" + key_.at("key_id").get<std::string>()).c_str());
        ok = r && r->status == 200;
        if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      REQUIRE(ok);
    }
    return key_;
  }

  // Text fragments that would show a secret of node i in a log: every run of 8 bytes of each secret in
  // hex (both cases), each whole secret in base64url, and the Paillier primes in decimal. The secrets:
  // its key share, Paillier primes, the key files (database key, CURVE secret, Ed25519 seed). Call it
  // after the node has stopped (it opens the node's database).
  std::vector<std::string> secret_fragments(int i) {
    auto cfg = config::load_node_config(config_path(i));
    REQUIRE(cfg.ok());
    REQUIRE(cfg->kek.kind == config::KekSourceKind::kKeyFile);
    std::vector<std::vector<uint8_t>> secrets;
    for (const std::string& file : {cfg->kek.key_file, cfg->identity.curve_secret_key_file,
                                    cfg->identity.ed25519_secret_key_file}) {
      auto key = config::read_secret_key_file(file);
      REQUIRE(key.ok());
      secrets.emplace_back(key->expose().begin(), key->expose().end());
    }
    auto store = node::NodeStore::open((std::filesystem::path(cfg->data_dir) / "node.db").string(),
                                       node::KekSource::from_key_file(cfg->kek.key_file));
    REQUIRE(store.ok());
    auto key_id = from_hex(key_.at("key_id").get<std::string>());
    REQUIRE((key_id && key_id->size() == 32));
    Digest32 id{};
    std::copy(key_id->begin(), key_id->end(), id.begin());
    auto share = (*store)->get_key_share(id);
    REQUIRE(share.ok());
    auto x = share->secret_share.to_bytes();
    secrets.emplace_back(x.begin(), x.end());
    auto aux = (*store)->get_aux_info(id);
    REQUIRE(aux.ok());
    std::vector<std::string> fragments{aux->paillier->p().to_dec(), aux->paillier->q().to_dec()};
    secrets.push_back(aux->paillier->p().to_bytes());
    secrets.push_back(aux->paillier->q().to_bytes());
    for (const auto& secret : secrets) {
      REQUIRE(secret.size() >= 8);
      fragments.push_back(passkey::base64url_encode(secret));
      for (size_t k = 0; k + 8 <= secret.size(); ++k) {
        std::string h = to_hex(std::span<const uint8_t>(secret).subspan(k, 8));
        fragments.push_back(h);
        for (char& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        fragments.push_back(h);
      }
    }
    return fragments;
  }

  // A fresh intent for the network's key over a random digest.
  SigningIntent intent(std::vector<uint32_t> path = {0, 7}) {
    SigningIntent in;
    in.set_key_id(key_.at("key_id").get<std::string>());
    for (uint32_t c : path) in.add_derivation_path(c);
    in.set_chain("bitcoin");
    std::string digest(32, '\0'), nonce(32, '\0');
    OsRng rng;
    rng.fill(std::span(reinterpret_cast<uint8_t*>(digest.data()), digest.size()));
    rng.fill(std::span(reinterpret_cast<uint8_t*>(nonce.data()), nonce.size()));
    in.set_digest(digest);
    in.set_request_nonce(nonce);
    const auto now = static_cast<uint64_t>(std::time(nullptr));
    in.set_created_at_unix(now);
    in.set_expires_at_unix(now + 600);
    in.set_initiator("test");
    return in;
  }

  // The POST /v1/sign body with approvals from the named approvers.
  std::string sign_body(const SigningIntent& in, const std::vector<std::string>& approvers) {
    auto canonical = protocol::intent_canonical_bytes(in);
    REQUIRE(canonical.ok());
    const Digest32 challenge = passkey::intent_challenge(*canonical);
    auto intent_json = protocol::intent_to_json(in);
    REQUIRE(intent_json.ok());
    nlohmann::json body{{"intent", nlohmann::json::parse(*intent_json)}, {"approvals", nlohmann::json::array()}};
    for (const std::string& a : approvers) {
      body["approvals"].push_back(
          {{"approver", a}, {"assertion", nlohmann::json::parse(approvers_.at(a).assertion_json(challenge))}});
    }
    return body.dump();
  }

  httplib::Result post_sign(int node, const std::string& body, int timeout_s = 120) {
    httplib::Client api("127.0.0.1", api_port(node));
    api.set_read_timeout(timeout_s);
    return api.Post("/v1/sign", body, "application/json");
  }

  // Checks a 200 answer: the signature verifies under the public key derived by BIP-32 from the key's
  // xpub data (computed here, independently of the nodes) for the intent's digest.
  void check_signature(const nlohmann::json& answer, const SigningIntent& in) {
    ExtendedPublicKey root;
    auto pk = Point::decode(bytes_of_hex(key_.at("public_key")));
    REQUIRE(pk.ok());
    root.key = *pk;
    const auto cc = bytes_of_hex(key_.at("chain_code"));
    std::copy(cc.begin(), cc.end(), root.chain_code.begin());
    const std::vector<uint32_t> path(in.derivation_path().begin(), in.derivation_path().end());
    auto derived = derive_path(root, path);
    REQUIRE(derived.ok());
    const ExtendedPublicKey child = derived->xpub;
    CHECK(answer.at("public_key") == hex_of(child.key.encode()));
    CHECK(answer.at("digest") == hex_of(std::span(reinterpret_cast<const uint8_t*>(in.digest().data()), 32)));
    EcdsaSignature sig;
    auto r = Scalar::from_bytes(bytes_of_hex(answer.at("r")));
    auto s = Scalar::from_bytes(bytes_of_hex(answer.at("s")));
    REQUIRE(r.ok());
    REQUIRE(s.ok());
    sig.r = *r;
    sig.s = *s;
    const auto digest = bytes_of_hex(answer.at("digest"));
    CHECK(ecdsa_verify(child.key, digest, sig));            // libsecp256k1, low-s required
    CHECK(ecdsa_verify_openssl(child.key, digest, sig));    // OpenSSL, independently
  }

  // A value from node i's /metrics: the line starting with `series` (name with its labels), or -1.
  double metric(int i, const std::string& series) {
    httplib::Client api("127.0.0.1", api_port(i));
    auto res = api.Get("/metrics");
    if (!res || res->status != 200) return -1;
    std::istringstream in(res->body);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return -1;
  }

  // Resident memory of node i's process in KiB (from /proc).
  long rss_kib(int i) const {
    std::ifstream in("/proc/" + std::to_string(pid(i)) + "/status");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
  }

  // SIGTERM to every running node; each must exit 0 within 10 s.
  void stop_all() {
    for (pid_t& p : procs_.pids) {
      if (p > 0) kill(p, SIGTERM);
    }
    for (pid_t& p : procs_.pids) {
      if (p <= 0) continue;
      CHECK(wait_exit(p, std::chrono::seconds(10)) == 0);
      p = 0;
    }
  }
  // SIGTERM node i; it must exit 0 within 10 s.
  void stop_node(int i) {
    pid_t& p = procs_.pids[static_cast<size_t>(i - 1)];
    kill(p, SIGTERM);
    CHECK(wait_exit(p, std::chrono::seconds(10)) == 0);
    p = 0;
  }
  // Replaces every `from` in node i's config by `to` (takes effect at its next start).
  void edit_config(int i, const std::string& from, const std::string& to) {
    std::string text = slurp(config_path(i));
    size_t replaced = 0;
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()), ++replaced) {
      text.replace(at, from.size(), to);
    }
    REQUIRE(replaced > 0);
    std::ofstream(config_path(i), std::ios::trunc) << text;
  }
  // SIGKILL node i (as a crash would) and reap it.
  void kill_node(int i) {
    pid_t& p = procs_.pids[static_cast<size_t>(i - 1)];
    kill(p, SIGKILL);
    waitpid(p, nullptr, 0);
    p = 0;
  }
  std::string net_dir() const { return net_; }
  const nlohmann::json& key() const { return key_; }

  Processes& processes() { return procs_; }
  const NetworkOptions& options() const { return opt_; }

 private:
  static void replace_line(std::string& text, const std::string& key, const std::string& line) {
    const size_t at = text.find(key);
    REQUIRE(at != std::string::npos);
    const size_t bol = text.rfind('\n', at) + 1;
    text.replace(bol, text.find('\n', at) - bol, line);
  }

  TempDir& dir_;
  NetworkOptions opt_;
  int base_;
  std::string net_;
  std::map<std::string, sim::SoftAuthenticator> approvers_;
  std::map<int, int> restarts_;
  nlohmann::json key_;
  Processes procs_;
};

}  // namespace custos::testing
