#include "node/daemon/node_app.h"

#include <httplib.h>

#include <cstdlib>
#include <filesystem>

#include "config/identity.h"
#include "config/loader.h"
#include "crypto/hex.h"
#include "node/transport/identity.h"
#include "node/transport/thread_attributes.h"
#include "protocol/intent.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace custos::node {
namespace {

// The public summary of a key: everything a client needs for addresses and BIP-32 public derivation.
nlohmann::json key_json(const cggmp21::KeyShare& share) {
  const auto pk = share.public_key.encode();
  return nlohmann::json{{"key_id", to_hex(share.key_id)}, {"public_key", to_hex(pk)},
                        {"chain_code", to_hex(share.chain_code)}, {"threshold", share.threshold},
                        {"participants", share.parties}};
}

Result<KekSource> kek_source(const config::KekConfig& kek) {
  if (kek.kind == config::KekSourceKind::kKeyFile) return KekSource::from_key_file(kek.key_file);
  const char* pass = std::getenv(kek.passphrase_env.c_str());
  if (pass == nullptr || *pass == '\0') {
    return failed_precondition("environment variable " + kek.passphrase_env +
                               " (node.kek.passphrase_env) is not set: it must hold the database passphrase");
  }
  std::string_view p(pass);
  return KekSource::from_passphrase(SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(p.data()), p.size())));
}

// "host:port" → (host, port); the config loader has validated the form.
std::pair<std::string, int> split_host_port(const std::string& hp) {
  const size_t colon = hp.rfind(':');
  std::string host = hp.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, std::atoi(hp.c_str() + colon + 1)};
}

}  // namespace

Result<std::unique_ptr<NodeApp>> NodeApp::start(const NodeAppOptions& options) {
  std::unique_ptr<NodeApp> app(new NodeApp());
  ASSIGN_OR_RETURN(app->config_, config::load_node_config(options.config_path));
  const config::NodeConfig& cfg = app->config_;
  app->events_ = std::make_unique<EventLog>(cfg.name);

  ASSIGN_OR_RETURN(config::NodeIdentity id, config::load_node_identity(cfg.identity));
  ASSIGN_OR_RETURN(KekSource kek, kek_source(cfg.kek));
  NodeStoreOptions store_opt;
  store_opt.create = options.create_store;
  const std::string db = (std::filesystem::path(cfg.data_dir) / "node.db").string();
  auto store = NodeStore::open(db, kek, store_opt);
  if (!store.ok()) {
    std::string hint = options.create_store ? "" : " (first start? run custos-node with --create-store)";
    return Status(store.status().code(), store.status().message() + hint);
  }
  app->store_ = std::move(store).value();

  LocalIdentity local{cfg.node_id, cfg.listen, std::move(id.curve_secret_key), {}, std::move(id.ed25519_seed)};
  ASSIGN_OR_RETURN(local.curve_public, curve_public_from_secret(local.curve_secret));
  std::vector<PeerInfo> peers;
  std::map<protocol::PartyIndex, Key32> ed_keys;
  for (const config::PeerConfig& p : cfg.peers) {
    peers.push_back(PeerInfo{p.id, p.endpoint, p.curve_public_key, p.ed25519_public_key});
    ed_keys[p.id] = p.ed25519_public_key;
  }
  ASSIGN_OR_RETURN(ed_keys[cfg.node_id], ed25519_public_from_seed(local.ed25519_seed));
  TransportOptions transport_options;
  const EventLog* events = app->events_.get();
  transport_options.log = [events](std::string_view line) { events->info("transport", {{"msg", std::string(line)}}); };
  ASSIGN_OR_RETURN(app->transport_, Transport::create(std::move(local), std::move(peers), transport_options));
  RETURN_IF_ERROR(app->transport_->start());
  app->runner_ = std::make_unique<SessionRunner>(*app->transport_, ed_keys);
  NodeApp* self = app.get();
  app->runner_->set_control_handler(kControlProtocol, [self](protocol::Message m) { self->on_control(std::move(m)); });
  app->keys_ = std::make_unique<KeyCache>(*app->store_);
  app->signing_ = std::make_unique<SigningService>(app->services());
  app->pool_ = std::make_unique<PresignPool>(app->services());
  app->runner_->start();
  app->signing_->start();
  app->pool_->start();

  ASSIGN_OR_RETURN(app->up_, app->registry_.gauge("custos_up", "1 while the node runs"));
  ASSIGN_OR_RETURN(app->peers_connected_, app->registry_.gauge("custos_peers_connected", "peers with a completed CURVE handshake"));
  ASSIGN_OR_RETURN(app->sessions_running_, app->registry_.gauge("custos_sessions_running", "protocol sessions in progress"));
  ASSIGN_OR_RETURN(app->sign_requests_, app->registry_.counter_family("custos_sign_requests_total",
                                                                      "signing requests this node coordinated, by outcome",
                                                                      {"outcome"}));
  ASSIGN_OR_RETURN(app->sign_latency_,
                   app->registry_.histogram("custos_sign_latency_seconds",
                                            "end-to-end latency of signing requests this node coordinated",
                                            {0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}));
  ASSIGN_OR_RETURN(app->pool_depth_, app->registry_.gauge_family("custos_presign_pool_depth",
                                                                  "unused presignatures in this node's pool, by key",
                                                                  {"key"}));
  ASSIGN_OR_RETURN(app->presignatures_made_, app->registry_.gauge("custos_presignatures_made",
                                                                   "presignatures this node added to its pool since start"));
  ASSIGN_OR_RETURN(app->sessions_, app->registry_.gauge_family(
                                        "custos_sessions", "protocol sessions since start: started, completed, aborted, timed_out",
                                        {"outcome"}));
  ASSIGN_OR_RETURN(app->transport_events_, app->registry_.gauge_family(
                                         "custos_transport_events",
                                         "transport counters since start (sent, retransmits, zap_refused, dropped_<reason>, ...)",
                                         {"event"}));
  app->up_->set(1);
  RETURN_IF_ERROR(app->start_api());
  return app;
}

Status NodeApp::start_api() {
  if (!config_.api.tls_cert_file.empty()) {
    http_ = std::make_unique<httplib::SSLServer>(config_.api.tls_cert_file.c_str(), config_.api.tls_key_file.c_str());
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  if (!http_->is_valid()) return failed_precondition("API: cannot load the TLS certificate or key");
  http_->set_payload_max_length(1 << 20);
  http_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(healthz_json(), "application/json");
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_text(), "text/plain; version=0.0.4");
  });
  // Distributed key generation among all nodes with the configured threshold; answers when this node
  // holds its share and aux info (the others finish at about the same time).
  http_->Post("/v1/keygen", [this](const httplib::Request&, httplib::Response& res) {
    auto r = keygen_as_coordinator();
    if (!r.ok()) {
      res.status = 502;
      res.set_content(nlohmann::json{{"error", r.status().message()}, {"node", config_.node_id}}.dump(), "application/json");
      return;
    }
    auto share = store_->get_key_share(r->key_id);
    if (!share.ok()) {
      res.status = 500;
      res.set_content(nlohmann::json{{"error", share.status().message()}}.dump(), "application/json");
      return;
    }
    res.set_content(key_json(*share).dump(), "application/json");
  });
  // Passkey-gated signing: {"intent": {...}, "approvals": [{"approver": id, "assertion": {...}}]}.
  http_->Post("/v1/sign", [this](const httplib::Request& req, httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    auto answer = [&](int status, const nlohmann::json& body, const char* outcome) {
      res.status = status;
      res.set_content(body.dump(), "application/json");
      if (auto c = sign_requests_->with({outcome}); c.ok()) (*c)->inc();
      sign_latency_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    };
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    auto bad = [&](const std::string& why) { answer(400, nlohmann::json{{"error", why}, {"node", config_.node_id}}, "bad_request"); };
    if (!body.is_object() || !body.contains("intent") || !body["intent"].is_object()) {
      return bad("body must be a JSON object with \"intent\" (an object) and \"approvals\" (an array)");
    }
    auto intent = protocol::intent_from_json(body["intent"].dump());
    if (!intent.ok()) return bad("intent: " + intent.status().message());
    std::vector<Approval> approvals;
    if (body.contains("approvals")) {
      if (!body["approvals"].is_array()) return bad("approvals must be an array");
      for (const auto& a : body["approvals"]) {
        if (!a.is_object() || !a.contains("approver") || !a["approver"].is_string() || !a.contains("assertion") ||
            !(a["assertion"].is_object() || a["assertion"].is_string())) {
          return bad("each approval must be {\"approver\": string, \"assertion\": object}");
        }
        approvals.push_back(Approval{a["approver"].get<std::string>(), a["assertion"].is_string()
                                                                             ? a["assertion"].get<std::string>()
                                                                             : a["assertion"].dump()});
      }
    }
    SignResponse r = signing_->sign(*intent, approvals);
    pool_->poke();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (r.result) {
      events_->info("sign.done", {{"request", to_hex(r.request_id)}, {"key", to_hex(r.result->key_id)},
                                  {"signers", r.result->signers}, {"attempts", r.result->attempts},
                                  {"presignature", r.result->pooled ? "pool" : "fresh"}, {"ms", ms}});
    } else {
      nlohmann::json refused = nlohmann::json::array();
      for (const NodeRefusal& f : r.refusals) refused.push_back({{"node", f.node}, {"reason", f.reason}});
      nlohmann::json fields{{"request", to_hex(r.request_id)}, {"status", r.http_status}, {"error", r.error},
                            {"refusals", refused}, {"ms", ms}};
      if (r.http_status == 403) {
        events_->warn("sign.refused", std::move(fields));
      } else {
        events_->error("sign.failed", std::move(fields));
      }
    }
    nlohmann::json refusals = nlohmann::json::array();
    for (const NodeRefusal& f : r.refusals) refusals.push_back({{"node", f.node}, {"reason", f.reason}});
    if (!r.result) {
      const char* outcome = r.http_status == 403 ? "refused" : r.http_status == 400 || r.http_status == 404 ? "bad_request" : "failed";
      return answer(r.http_status, nlohmann::json{{"error", r.error}, {"node", config_.node_id},
                                                  {"request_id", to_hex(r.request_id)}, {"refusals", refusals}},
                    outcome);
    }
    const SignResult& s = *r.result;
    const auto pk = s.public_key.encode();
    const auto compact = s.signature.compact();
    nlohmann::json out{{"request_id", to_hex(r.request_id)},
                       {"key_id", to_hex(s.key_id)},
                       {"public_key", to_hex(pk)},
                       {"digest", to_hex(s.digest)},
                       {"r", to_hex(std::span(compact.data(), 32))},
                       {"s", to_hex(std::span(compact.data() + 32, 32))},
                       {"recovery_id", s.signature.recovery_id},
                       {"der", to_hex(s.signature.der())},
                       {"signers", s.signers},
                       {"attempts", s.attempts},
                       {"presignature", s.pooled ? "pool" : "fresh"}};
    if (!r.refusals.empty()) out["refusals"] = refusals;
    if (!s.failed_attempts.empty()) out["failed_attempts"] = s.failed_attempts;
    answer(200, out, "signed");
  });
  http_->Get(R"(/v1/keys/([0-9a-f]{64}))", [this](const httplib::Request& req, httplib::Response& res) {
    Digest32 id{};
    for (size_t i = 0; i < 32; ++i) id[i] = static_cast<uint8_t>(std::stoi(req.matches[1].str().substr(2 * i, 2), nullptr, 16));
    auto share = store_->get_key_share(id);
    if (!share.ok()) {
      res.status = share.status().code() == Code::kNotFound ? 404 : 500;
      res.set_content(nlohmann::json{{"error", share.status().message()}}.dump(), "application/json");
      return;
    }
    res.set_content(key_json(*share).dump(), "application/json");
  });
  auto [host, port] = split_host_port(config_.api.listen);
  if (!http_->bind_to_port(host.c_str(), port)) {
    return failed_precondition("API: cannot listen on " + config_.api.listen + " (node.api.listen): address in use?");
  }
  api_port_ = port;
  http_thread_ = std::thread([this] {
    name_this_thread("custos-http");
    http_->listen_after_bind();
  });
  return ok_status();
}

NodeServices NodeApp::services() {
  return NodeServices{&config_, store_.get(), transport_.get(), runner_.get(), keys_.get(),
                      [this](const std::string& line) { log(line); }};
}

FlowContext NodeApp::flow_context() {
  return FlowContext{config_.node_id, runner_.get(), store_.get(),
                     std::chrono::seconds(config_.timeouts.session_deadline_seconds)};
}

bool NodeApp::claim_request(const Digest32& id) {
  std::lock_guard<std::mutex> lock(flows_mu_);
  return requests_seen_.insert(id).second;
}

void NodeApp::log(const std::string& line) const { events_->info("flow", {{"msg", line}}); }

std::vector<protocol::PartyIndex> NodeApp::all_nodes() const {
  std::vector<protocol::PartyIndex> all{config_.node_id};
  for (const config::PeerConfig& p : config_.peers) all.push_back(p.id);
  std::sort(all.begin(), all.end());
  return all;
}

Result<KeygenResult> NodeApp::keygen_as_coordinator() {
  KeygenRequest req;
  OsRng rng;
  rng.fill(req.request_id);
  req.threshold = config_.network.threshold;
  req.participants = all_nodes();
  claim_request(req.request_id);
  RETURN_IF_ERROR(transport_->send(control_message(config_.node_id, req.request_id, encode_keygen_request(req))));
  auto r = run_keygen_flow(flow_context(), req);
  log(r.ok() ? "keygen " + to_hex(r->key_id) + " done" : "keygen failed: " + r.status().message());
  if (r.ok()) pool_->poke();
  return r;
}

void NodeApp::on_control(protocol::Message m) {
  auto type = control_type(m.payload);
  if (!type.ok()) return log("control message from node " + std::to_string(m.from) + " refused: " + type.status().message());
  switch (*type) {
    case ControlType::kKeygen:
      return on_keygen_request(std::move(m));
    case ControlType::kSign:
      return signing_->on_sign_request(std::move(m));
    case ControlType::kPresign:
      return pool_->on_presign_request(std::move(m));
    case ControlType::kReply: {
      auto r = decode_reply(m.payload);
      if (!r.ok()) return log("reply from node " + std::to_string(m.from) + " refused: " + r.status().message());
      pool_->on_reply(*r, m.from);
      return signing_->on_reply(std::move(m));
    }
  }
}

void NodeApp::on_keygen_request(protocol::Message m) {
  auto req = decode_keygen_request(m.payload);
  if (!req.ok()) return log("control message from node " + std::to_string(m.from) + " refused: " + req.status().message());
  // Only a keygen among all nodes with the configured threshold is accepted (the policy ledger will
  // authorise key creation; until then any configured peer may start one).
  if (req->participants != all_nodes() || req->threshold != config_.network.threshold ||
      req->request_id != m.session_id) {
    return log("keygen request from node " + std::to_string(m.from) + " refused: not this network's parties or threshold");
  }
  if (!claim_request(req->request_id)) return;  // a duplicate
  std::lock_guard<std::mutex> lock(flows_mu_);
  if (stopped_) return;
  flow_threads_.emplace_back([this, r = *req] {
    auto result = run_keygen_flow(flow_context(), r);
    log(result.ok() ? "keygen " + to_hex(result->key_id) + " done" : "keygen failed: " + result.status().message());
    if (result.ok()) pool_->poke();
  });
}

std::string NodeApp::healthz_json() const {
  size_t connected = 0;
  for (const PeerStats& p : transport_->stats().peers) connected += p.connected ? 1 : 0;
  return "{\"status\":\"ok\",\"node\":" + std::to_string(config_.node_id) + ",\"peers\":" +
         std::to_string(config_.peers.size()) + ",\"peers_connected\":" + std::to_string(connected) + "}";
}

std::string NodeApp::metrics_text() {
  size_t connected = 0;
  for (const PeerStats& p : transport_->stats().peers) connected += p.connected ? 1 : 0;
  peers_connected_->set(static_cast<double>(connected));
  sessions_running_->set(static_cast<double>(runner_->running()));
  presignatures_made_->set(static_cast<double>(pool_->presignatures_made()));
  const SessionCounts sc = runner_->counts();
  for (const auto& [outcome, n] : std::initializer_list<std::pair<const char*, uint64_t>>{
           {"started", sc.started}, {"completed", sc.completed}, {"aborted", sc.aborted}, {"timed_out", sc.timed_out}}) {
    if (auto g = sessions_->with({outcome}); g.ok()) (*g)->set(static_cast<double>(n));
  }
  const TransportStats ts = transport_->stats();
  std::vector<std::pair<std::string, uint64_t>> events{
      {"sent", ts.sent}, {"retransmits", ts.retransmits}, {"delivered", ts.delivered}, {"duplicates", ts.duplicates},
      {"send_refused", ts.send_refused}, {"zap_admitted", ts.zap_admitted}, {"zap_refused", ts.zap_refused},
      {"handshake_failures", ts.handshake_failures}, {"disconnects", ts.disconnects}};
  for (size_t r = 0; r < kDropReasonCount; ++r) {
    events.emplace_back(std::string("dropped_") + drop_reason_name(static_cast<DropReason>(r)), ts.dropped[r]);
  }
  for (const auto& [event, n] : events) {
    if (auto g = transport_events_->with({event}); g.ok()) (*g)->set(static_cast<double>(n));
  }
  if (auto keys = store_->key_ids(); keys.ok()) {
    for (const Digest32& key : *keys) {
      auto depth = store_->presignature_depth(key);
      auto g = pool_depth_->with({to_hex(key)});
      if (depth.ok() && g.ok()) (*g)->set(static_cast<double>(*depth));
    }
  }
  return registry_.render();
}

std::string NodeApp::api_address() const {
  return split_host_port(config_.api.listen).first + ":" + std::to_string(api_port_);
}

void NodeApp::stop() {
  if (stopped_.exchange(true)) return;
  if (signing_) signing_->stop();  // waiting API requests answer 503 before the API stops
  if (http_) http_->stop();
  if (http_thread_.joinable()) http_thread_.join();
  if (runner_) runner_->stop();  // running flows' sessions end with "node stopping"
  if (pool_) pool_->stop();
  std::vector<std::thread> flows;
  {
    std::lock_guard<std::mutex> lock(flows_mu_);
    flows.swap(flow_threads_);
  }
  for (std::thread& t : flows) t.join();
  if (transport_) transport_->stop();
}

NodeApp::~NodeApp() { stop(); }

}  // namespace custos::node
