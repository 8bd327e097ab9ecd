#include "bench/e2e/network.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench/e2e/process.h"
#include "crypto/bip32.h"
#include "crypto/ecdsa.h"
#include "crypto/passkey/challenge.h"
#include "crypto/rng.h"

namespace custos::bench::e2e {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& why) { throw std::runtime_error(why); }

void replace_line(std::string& text, const std::string& key, const std::string& line) {
  const size_t at = text.find(key);
  if (at == std::string::npos) fail("node.yaml has no line with " + key);
  const size_t bol = text.rfind('\n', at) + 1;
  text.replace(bol, text.find('\n', at) - bol, line);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) fail("cannot write " + path);
}

// The last `lines` lines of a log, for error messages.
std::string tail(const std::string& path, size_t lines = 25) {
  const std::string text = slurp(path);
  size_t at = text.size();
  for (size_t n = 0; n <= lines && at != std::string::npos && at > 0; ++n) at = text.rfind('\n', at - 1);
  return text.substr(at == std::string::npos ? 0 : at + 1);
}

}  // namespace

std::string hex_of(std::span<const uint8_t> b) {
  static constexpr char d[] = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

std::vector<uint8_t> bytes_of_hex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_ports_free(const NetworkOptions& opt) {
  for (int i = 1; i <= opt.nodes; ++i) {
    for (int port : {opt.base_port + i, opt.base_port + 100 + i}) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0) fail("socket() failed");
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      close(fd);
      if (!ok) fail("port " + std::to_string(port) + " on 127.0.0.1 is in use: choose another --base-port");
    }
  }
}

Metrics parse_metrics(const std::string& text) {
  Metrics m;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    try {
      m[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
    } catch (...) {
      // +Inf / NaN or junk: not needed here
    }
  }
  return m;
}

double metric(const Metrics& m, const std::string& series, double fallback) {
  auto it = m.find(series);
  return it == m.end() ? fallback : it->second;
}

Network::Network(std::string dir, NetworkOptions opt, std::string bin_dir)
    : dir_(std::move(dir)), opt_(opt), bin_(std::move(bin_dir)) {
  net_ = dir_ + "/net";
  check_ports_free(opt_);
  const int rc = run({bin_ + "/custos", "init-network", "--nodes", std::to_string(opt_.nodes), "--threshold",
                      std::to_string(opt_.threshold), "--dir", net_, "--base-port", std::to_string(opt_.base_port),
                      "--rp-id", "custos.example", "--origin", "https://custos.example"},
                     dir_ + "/init.log", std::chrono::seconds(60));
  if (rc != 0) fail("custos init-network exited with " + std::to_string(rc) + ":\n" + slurp(dir_ + "/init.log"));
  // Two approvers with software passkeys, enrolled in every node's config.
  for (const char* name : {"alice", "bob"}) {
    sim::SoftAuthenticatorOptions ao;
    ao.counter_enabled = opt_.counters;
    auto a = sim::SoftAuthenticator::create(sim::SoftKeyType::kES256, nullptr, ao);
    if (!a.ok()) fail("software authenticator: " + a.status().message());
    approvers_.emplace(name, std::move(a).value());
    write_file(dir_ + "/" + name + ".json", approvers_.at(name).credential_record_json());
  }
  for (int i = 1; i <= opt_.nodes; ++i) {
    const std::string yaml = config_path(i);
    std::string text = slurp(yaml);
    replace_line(text, "presign_pool_depth:", "  presign_pool_depth: " + std::to_string(opt_.pool_depth));
    const size_t policy = text.find("# No approval_policy");
    if (policy != std::string::npos) text.erase(policy, text.find('\n', policy) + 1 - policy);
    text += "approvers:\n  - id: alice\n    credential_file: \"" + dir_ + "/alice.json" +
            "\"\n  - id: bob\n    credential_file: \"" + dir_ + "/bob.json" +
            "\"\napproval_policy:\n  default: {k: 2, of: [alice, bob]}\n";
    write_file(yaml, text);
  }
  pids_.assign(static_cast<size_t>(opt_.nodes), 0);
}

Network::~Network() {
  for (pid_t p : pids_) {
    if (p <= 0) continue;
    kill(p, SIGKILL);
    wait_exit(p, std::chrono::seconds(10));
  }
}

std::string Network::config_path(int i) const { return net_ + "/node-" + std::to_string(i) + "/node.yaml"; }
std::string Network::log_path(int i) const { return dir_ + "/node" + std::to_string(i) + ".log"; }

httplib::Result Network::get(int i, const std::string& path, int timeout_s) const {
  httplib::Client api("127.0.0.1", api_port(i));
  api.set_connection_timeout(2);
  api.set_read_timeout(timeout_s);
  return api.Get(path.c_str());
}

Metrics Network::metrics(int i) const {
  auto res = get(i, "/metrics");
  if (!res || res->status != 200) fail("GET /metrics on node " + std::to_string(i) + " failed");
  return parse_metrics(res->body);
}

void Network::start_all(std::chrono::seconds limit, bool create_store) {
  for (int i = 1; i <= opt_.nodes; ++i) {
    std::vector<std::string> args{bin_ + "/custos-node", "--config", config_path(i)};
    if (create_store) args.push_back("--create-store");
    pids_[static_cast<size_t>(i - 1)] = spawn(args, log_path(i));
  }
  const std::string want = "\"peers_connected\":" + std::to_string(opt_.nodes - 1);
  for (int i = 1; i <= opt_.nodes; ++i) {
    const auto end = Clock::now() + limit;
    for (;;) {
      if (wait_exit(pid(i), std::chrono::milliseconds(0)) >= 0) {
        pids_[static_cast<size_t>(i - 1)] = 0;
        fail("node " + std::to_string(i) + " exited at start; its log:\n" + tail(log_path(i)));
      }
      auto res = get(i, "/healthz", 2);
      if (res && res->status == 200 && res->body.find(want) != std::string::npos) break;
      if (Clock::now() > end) fail("node " + std::to_string(i) + " did not connect to its peers; its log:\n" + tail(log_path(i)));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

void Network::keygen() {
  httplib::Client api("127.0.0.1", api_port(1));
  api.set_read_timeout(600);
  auto res = api.Post("/v1/keygen", "{}", "application/json");
  if (!res) fail("POST /v1/keygen: no answer (" + httplib::to_string(res.error()) + "); node 1 log:\n" + tail(log_path(1)));
  if (res->status != 200) fail("POST /v1/keygen: " + std::to_string(res->status) + " " + res->body);
  key_ = nlohmann::json::parse(res->body);
  const std::string path = "/v1/keys/" + key_id();
  for (int i = 1; i <= opt_.nodes; ++i) {
    const auto end = Clock::now() + std::chrono::seconds(120);
    for (;;) {
      auto r = get(i, path);
      if (r && r->status == 200) break;
      if (Clock::now() > end) fail("node " + std::to_string(i) + " never got the key; its log:\n" + tail(log_path(i)));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

std::vector<int> Network::stop_all(std::chrono::milliseconds grace) {
  for (pid_t p : pids_) {
    if (p > 0) kill(p, SIGTERM);
  }
  std::vector<int> codes;
  for (pid_t& p : pids_) {
    if (p <= 0) {
      codes.push_back(-2);
      continue;
    }
    int rc = wait_exit(p, grace);
    if (rc == -1) rc = stop(p, std::chrono::milliseconds(0));  // SIGKILL
    codes.push_back(rc);
    p = 0;
  }
  return codes;
}

SigningIntent Network::intent(std::vector<uint32_t> path, uint64_t lifetime_s) const {
  SigningIntent in;
  in.set_key_id(key_id());
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
  in.set_expires_at_unix(now + lifetime_s);
  in.set_initiator("bench");
  return in;
}

std::string Network::sign_body(const SigningIntent& in, const std::vector<std::string>& approvers) {
  auto canonical = protocol::intent_canonical_bytes(in);
  if (!canonical.ok()) fail("intent: " + canonical.status().message());
  const Digest32 challenge = passkey::intent_challenge(*canonical);
  auto intent_json = protocol::intent_to_json(in);
  if (!intent_json.ok()) fail("intent JSON: " + intent_json.status().message());
  nlohmann::json body{{"intent", nlohmann::json::parse(*intent_json)}, {"approvals", nlohmann::json::array()}};
  for (const std::string& a : approvers) {
    body["approvals"].push_back(
        {{"approver", a}, {"assertion", nlohmann::json::parse(approvers_.at(a).assertion_json(challenge))}});
  }
  return body.dump();
}

SignOutcome Network::sign(int node, const std::string& body, int timeout_s) const {
  SignOutcome out;
  out.node = node;
  httplib::Client api("127.0.0.1", api_port(node));
  api.set_connection_timeout(5);
  api.set_read_timeout(timeout_s);
  const auto t0 = Clock::now();
  auto res = api.Post("/v1/sign", body, "application/json");
  out.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!res) {
    out.error = "no answer: " + httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  out.body = std::move(res->body);
  return out;
}

void Network::check_answer(SignOutcome& out, const SigningIntent& in) const {
  if (out.status == 0) return;
  if (out.status != 200) {
    out.error = std::move(out.body);
    out.body.clear();
    return;
  }
  auto answer = nlohmann::json::parse(out.body, nullptr, false);
  out.body.clear();
  if (answer.is_object() && answer.contains("request_id") && answer["request_id"].is_string()) {
    out.request_id = answer["request_id"].get<std::string>();
  }
  if (!answer.is_object()) {
    out.error = "200 with a body that is not a JSON object";
    return;
  }
  out.presignature = answer.value("presignature", "");
  out.attempts = answer.value("attempts", 0);
  if (answer.contains("signers") && answer["signers"].is_array()) {
    for (const auto& v : answer["signers"]) {
      if (v.is_number_integer()) out.signers.push_back(v.get<int>());
    }
  }
  out.error = check_signature(answer, in);
  out.verified = out.error.empty();
}

std::string Network::check_signature(const nlohmann::json& answer, const SigningIntent& in) const {
  try {
    ExtendedPublicKey root;
    auto pk = Point::decode(bytes_of_hex(key_.at("public_key")));
    if (!pk.ok()) return "key public_key does not decode";
    root.key = *pk;
    const auto cc = bytes_of_hex(key_.at("chain_code"));
    std::copy(cc.begin(), cc.end(), root.chain_code.begin());
    const std::vector<uint32_t> path(in.derivation_path().begin(), in.derivation_path().end());
    auto derived = derive_path(root, path);
    if (!derived.ok()) return "derive_path: " + derived.status().message();
    const Point& child = derived->xpub.key;
    if (answer.at("public_key") != hex_of(child.encode())) return "public_key is not the derived key";
    const std::string digest_hex = hex_of(std::span(reinterpret_cast<const uint8_t*>(in.digest().data()), 32));
    if (answer.at("digest") != digest_hex) return "digest is not the intent's";
    auto r = Scalar::from_bytes(bytes_of_hex(answer.at("r")));
    auto s = Scalar::from_bytes(bytes_of_hex(answer.at("s")));
    if (!r.ok() || !s.ok()) return "r or s is not a scalar";
    EcdsaSignature sig;
    sig.r = *r;
    sig.s = *s;
    if (!ecdsa_verify(child, bytes_of_hex(digest_hex), sig)) return "ecdsa_verify failed";
    return "";
  } catch (const std::exception& e) {
    return std::string("malformed answer: ") + e.what();
  }
}

}  // namespace custos::bench::e2e
