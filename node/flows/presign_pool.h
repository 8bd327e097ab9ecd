// Background filling of the presignature pools (DESIGN §7, issue 4).
//
// Every node leads the filling of one signer set per key: itself and t−1
// connected parties chosen by a hash of (key, node), so the leaders spread the
// work over different sets and a disconnected node is left out of new ones.
// While that set holds fewer than `timeouts.presign_pool_depth` unused
// presignatures, the leader asks its members (a signed control message) to
// presign once: a jointly derived session id, CGGMP21 presigning, and each
// member stores the result in its own pool. Members check the request (key,
// set, their own depth bound, a bound on concurrent presignings) and decline
// with a reason otherwise. Presigning runs at normal priority: online signing
// rounds never wait behind it (SessionRunner's urgent worker).
#pragma once

#include <atomic>
#include <condition_variable>
#include <list>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <thread>

#include "node/flows/signing_service.h"

namespace custos::node {

class PresignPool {
 public:
  explicit PresignPool(NodeServices services);
  ~PresignPool();
  PresignPool(const PresignPool&) = delete;
  PresignPool& operator=(const PresignPool&) = delete;

  void start();
  void stop();
  // Wakes the leader loop (e.g. after a keygen or a signing used a presignature).
  void poke();

  // Control messages from peers, on the dispatcher thread: never blocking.
  void on_presign_request(protocol::Message m);
  void on_reply(const ControlReply& r, protocol::PartyIndex from);

  // The set this node leads for a key, among the currently connected parties (empty if fewer than t).
  std::vector<protocol::PartyIndex> led_set(const KeyShare& share) const;

  uint64_t presignatures_made() const { return made_.load(); }

 private:
  void leader_loop();
  // One presignature for `signers` as leader; returns why not on failure.
  Status fill_once(const std::shared_ptr<const KeyShare>& share, const std::vector<protocol::PartyIndex>& signers);
  // Joint session id, presigning, storing: the part leader and members share.
  Status presign_and_store(const std::shared_ptr<const KeyShare>& share, const Digest32& request_id,
                           const std::vector<protocol::PartyIndex>& signers);
  void participate(PresignRequest r, protocol::PartyIndex leader);
  void log(const std::string& line) const;

  NodeServices s_;
  std::atomic<uint64_t> made_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool poked_ = false;
  std::thread leader_;
  struct Member {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Member> members_;
  // The leader's running request and its current session (cancelled when a member declines).
  Digest32 leading_request_{};
  std::vector<protocol::PartyIndex> leading_signers_;
  std::optional<Digest32> leading_session_;
  std::string declined_;
  // As a member: the session each request runs now, so a decline relayed by the leader ends it at once
  // instead of at its deadline.
  std::map<Digest32, std::optional<Digest32>> member_sessions_;
  std::set<Digest32> member_cancelled_;
};

}  // namespace custos::node
