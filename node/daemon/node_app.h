// custos-node's composition root: loads the configuration (refusing to start on
// any problem), the node's identity and storage, starts the ZeroMQ transport,
// the session runner and the client API (loopback by default), and stops them
// in reverse order. The request flow (approvals → joint session → presign pool →
// sign) is added on top of these parts.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/node_config.h"
#include "node/daemon/event_log.h"
#include "crypto/status.h"
#include "node/flows/key_cache.h"
#include "node/flows/keygen_flow.h"
#include "node/flows/presign_pool.h"
#include "node/flows/signing_service.h"
#include "node/metrics/registry.h"
#include "node/session/session_runner.h"
#include "node/storage/node_store.h"
#include "node/transport/transport.h"

namespace httplib {
class Server;
}

namespace custos::node {

struct NodeAppOptions {
  std::string config_path;
  bool create_store = false;  // create <data_dir>/node.db when missing (first start only)
};

class NodeApp {
 public:
  // Everything that can fail at start fails here, with a message naming the file or setting.
  static Result<std::unique_ptr<NodeApp>> start(const NodeAppOptions& options);
  ~NodeApp();
  NodeApp(const NodeApp&) = delete;
  NodeApp& operator=(const NodeApp&) = delete;

  // Stops the API, then the sessions (unfinished ones abort), then the transport. Idempotent.
  void stop();

  const config::NodeConfig& config() const { return config_; }
  const EventLog& events() const { return *events_; }
  std::string api_address() const;  // host:port the API listens on

 private:
  NodeApp() = default;
  Status start_api();
  std::string healthz_json() const;
  std::string metrics_text();
  FlowContext flow_context();
  // Control messages from peers, by type (dispatcher thread: each handler returns at once).
  void on_control(protocol::Message m);
  // A keygen request from a peer: checked against this node's network, then run on its own thread.
  void on_keygen_request(protocol::Message m);
  NodeServices services();
  // Marks a request id as taken; false if it was seen before (a replayed or duplicated request).
  bool claim_request(const Digest32& id);
  Result<KeygenResult> keygen_as_coordinator();
  void log(const std::string& line) const;
  std::vector<protocol::PartyIndex> all_nodes() const;  // sorted, self included

  config::NodeConfig config_;
  std::unique_ptr<EventLog> events_;
  std::unique_ptr<NodeStore> store_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<SessionRunner> runner_;
  std::unique_ptr<KeyCache> keys_;
  std::unique_ptr<SigningService> signing_;
  std::unique_ptr<PresignPool> pool_;
  metrics::Registry registry_;
  metrics::Gauge* up_ = nullptr;
  metrics::Gauge* peers_connected_ = nullptr;
  metrics::Gauge* sessions_running_ = nullptr;
  metrics::CounterFamily* sign_requests_ = nullptr;  // by outcome
  metrics::Histogram* sign_latency_ = nullptr;
  metrics::GaugeFamily* pool_depth_ = nullptr;       // by key
  metrics::Gauge* presignatures_made_ = nullptr;
  metrics::GaugeFamily* sessions_ = nullptr;   // by outcome, since start
  metrics::GaugeFamily* transport_events_ = nullptr;  // transport counters by event, since start
  std::unique_ptr<httplib::Server> http_;
  std::thread http_thread_;
  int api_port_ = 0;
  std::atomic<bool> stopped_{false};
  std::mutex flows_mu_;
  std::set<Digest32> requests_seen_;
  std::vector<std::thread> flow_threads_;
};

}  // namespace custos::node
