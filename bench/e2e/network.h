// A local Custos network of real custos-node processes on 127.0.0.1 for the end-to-end benchmark
// (bench/e2e_signing.cpp). The same steps as tests/node/network_fixture.h, without Catch2: written by
// the real `custos init-network`, two software-passkey approvers (alice, bob) enrolled in every
// node.yaml with a 2-of-2 approval policy, presign_pool_depth set, nodes started and connected, one key
// made by a real distributed keygen. Failures throw std::runtime_error (the driver's main catches
// them and kills every child).
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "protocol/intent.h"
#include "sim/soft_authenticator.h"

namespace custos::bench::e2e {

struct NetworkOptions {
  int nodes = 5;
  int threshold = 3;
  int pool_depth = 8;
  int base_port = 20000;  // ROUTER ports base+i, API ports base+100+i
  bool counters = false;  // approvers' authenticators keep signature counters
};

// One /metrics scrape: series ("name" or "name{labels}") -> value.
using Metrics = std::map<std::string, double>;
Metrics parse_metrics(const std::string& text);
double metric(const Metrics& m, const std::string& series, double fallback = 0);

// What the driver needs from one POST /v1/sign.
struct SignOutcome {
  int node = 0;              // coordinator
  int status = 0;            // HTTP status, 0 = no answer (transport error)
  double ms = 0;             // client-side wall latency
  std::string presignature;  // "pool" | "fresh" (200 only)
  int attempts = 0;
  bool verified = false;     // the signature verified under the independently derived key
  std::string error;         // body of a non-200 answer, the transport error, or why verification failed
  std::string body;          // the raw answer (until check_answer has read it)
  std::string request_id;    // from the answer
  double node_ms = -1;       // the coordinator's own latency (its sign.done log line), -1 if not found
  double node_cpu_ms = -1;   // CPU of the 5 nodes around this request (frozen phase only)
  std::vector<double> node_cpu_ms_by_node;  // the same, per node (index 0 = node 1)
  std::vector<std::map<std::string, double>> node_thread_cpu_ms;  // per node, by thread name
  std::vector<int> signers;  // from the answer
};

class Network {
 public:
  // Writes the network into `dir` (must not exist or be empty) with the binaries in `bin_dir`.
  Network(std::string dir, NetworkOptions options, std::string bin_dir);
  ~Network();  // SIGKILLs any node still running
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const NetworkOptions& options() const { return opt_; }
  const std::string& dir() const { return dir_; }
  std::string config_path(int i) const;
  std::string log_path(int i) const;
  int api_port(int i) const { return opt_.base_port + 100 + i; }
  pid_t pid(int i) const { return pids_.at(static_cast<size_t>(i - 1)); }
  const nlohmann::json& key() const { return key_; }
  std::string key_id() const { return key_.at("key_id").get<std::string>(); }

  // Starts every node (logs appended to log_path(i)) and waits (up to `limit`) until each reports n-1
  // connected peers. create_store: the first start (--create-store).
  void start_all(std::chrono::seconds limit = std::chrono::seconds(60), bool create_store = true);
  // Distributed keygen through node 1; returns when every node answers GET /v1/keys/<id>.
  void keygen();
  // SIGTERM to every node, then waits up to `grace` each (SIGKILL after); returns the exit statuses.
  std::vector<int> stop_all(std::chrono::milliseconds grace = std::chrono::seconds(20));

  // A fresh intent for the network's key over a random digest, valid for `lifetime_s`.
  SigningIntent intent(std::vector<uint32_t> path, uint64_t lifetime_s = 1800) const;
  // The POST /v1/sign body with approvals of the named approvers (their passkeys sign here).
  std::string sign_body(const SigningIntent& in, const std::vector<std::string>& approvers);

  // One POST /v1/sign on a fresh connection, timed around the HTTP exchange only.
  SignOutcome sign(int node, const std::string& body, int timeout_s = 180) const;
  // Checks a 200 answer: the signature verifies (libsecp256k1, low-s) under the key derived by BIP-32
  // from the key's public data along the intent's path, for the intent's digest. Empty = fine.
  std::string check_signature(const nlohmann::json& answer, const SigningIntent& in) const;
  // Reads out.body (after timing): presignature, attempts and the signature check for a 200, the
  // error text otherwise; then drops the body.
  void check_answer(SignOutcome& out, const SigningIntent& in) const;

  // GET on node i (fresh connection); an empty Result on a transport error.
  httplib::Result get(int i, const std::string& path, int timeout_s = 10) const;
  Metrics metrics(int i) const;

 private:
  std::string dir_;
  NetworkOptions opt_;
  std::string bin_;
  std::string net_;
  std::map<std::string, sim::SoftAuthenticator> approvers_;
  std::vector<pid_t> pids_;
  nlohmann::json key_;
};

std::string hex_of(std::span<const uint8_t> b);
std::vector<uint8_t> bytes_of_hex(const std::string& h);
std::string slurp(const std::string& path);
// Throws unless every port of the network (ROUTER and API) can be bound on 127.0.0.1 now.
void check_ports_free(const NetworkOptions& opt);

}  // namespace custos::bench::e2e
