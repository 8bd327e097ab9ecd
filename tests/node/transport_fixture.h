// Shared by the transport tests: deterministic node keys, loopback ports,
// a log sink that records lines, a raw CURVE DEALER that sends arbitrary
// frames (for the adversarial cases), and polling with deadlines.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crypto/rng.h"
#include "node/transport/envelope_signer.h"
#include "node/transport/frame.h"
#include "node/transport/identity.h"
#include "node/transport/transport.h"

namespace custos::testing {

using node::CurveKeyPair;
using node::Key32;
using node::LocalIdentity;
using node::PeerInfo;
using protocol::Kind;
using protocol::Message;
using protocol::PartyIndex;

// A port that was free a moment ago on 127.0.0.1 (the kernel picks it).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    std::abort();
  ::close(fd);
  return ntohs(a.sin_port);
}

inline std::string loopback(int port) { return "tcp://127.0.0.1:" + std::to_string(port); }

struct NodeKeys {
  PartyIndex id = 0;
  std::string endpoint;
  CurveKeyPair curve;
  SecretBytes ed_seed;
  Key32 ed_public{};

  LocalIdentity identity() const {
    return LocalIdentity{id, endpoint, curve.secret.clone(), curve.public_key, ed_seed.clone()};
  }
  PeerInfo peer() const { return PeerInfo{id, endpoint, curve.public_key, ed_public}; }
};

// Keys derived from (seed, id) so a failing run can be replayed.
inline NodeKeys make_node(PartyIndex id, uint64_t seed = 7, int port = 0) {
  NodeKeys k;
  k.id = id;
  k.endpoint = loopback(port ? port : free_port());
  DeterministicRng rng(seed, "custos/test/transport/" + std::to_string(id));
  auto curve = node::make_curve_keypair(rng);
  if (!curve.ok()) std::abort();
  k.curve = std::move(curve).value();
  k.ed_seed = SecretBytes(32);
  rng.fill(k.ed_seed.expose_mut());
  auto pub = node::ed25519_public_from_seed(k.ed_seed);
  if (!pub.ok()) std::abort();
  k.ed_public = *pub;
  return k;
}

// Records log lines (and keeps ctest output quiet).
struct LogCapture {
  std::shared_ptr<std::mutex> mu = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
  std::function<void(std::string_view)> sink() const {
    auto m = mu;
    auto l = lines;
    return [m, l](std::string_view line) {
      std::lock_guard<std::mutex> lk(*m);
      l->emplace_back(line);
    };
  }
  std::vector<std::string> snapshot() const {
    std::lock_guard<std::mutex> lk(*mu);
    return *lines;
  }
  bool any_contains(const std::string& needle) const {
    for (const auto& l : snapshot())
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
};

inline node::TransportOptions quiet_options(const LogCapture& log) {
  node::TransportOptions o;
  o.log = log.sink();
  return o;
}

inline std::unique_ptr<node::Transport> make_transport(const NodeKeys& self, const std::vector<const NodeKeys*>& peers,
                                                       node::TransportOptions options) {
  std::vector<PeerInfo> infos;
  for (const NodeKeys* p : peers) infos.push_back(p->peer());
  auto t = node::Transport::create(self.identity(), std::move(infos), std::move(options));
  if (!t.ok()) FAIL("Transport::create: " << t.status());
  return std::move(t).value();
}

inline Digest32 session(uint8_t tag) {
  Digest32 s{};
  s.fill(tag);
  return s;
}

// Any byte container; a braced list makes a WipedBytes.
template <class Bytes = WipedBytes>
Message make_msg(PartyIndex from, Kind kind, PartyIndex to, const Digest32& sid, uint32_t round,
                 const Bytes& payload) {
  Message m;
  m.protocol = "test/transport";
  m.session_id = sid;
  m.round = round;
  m.kind = kind;
  m.from = from;
  m.to = to;
  m.payload.assign(payload.begin(), payload.end());
  return m;
}

// Polls `pred` every 2 ms until it holds or `timeout` passes.
inline bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

// A bare CURVE DEALER speaking to one ROUTER: sends whatever bytes it is
// given, as a configured peer gone bad (or an unconfigured one) would.
class RawPeer {
 public:
  RawPeer(const CurveKeyPair& mine, const Key32& server_public, const std::string& endpoint) {
    ctx_ = zmq_ctx_new();
    s_ = zmq_socket(ctx_, ZMQ_DEALER);
    int zero = 0, ivl = 50;
    zmq_setsockopt(s_, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s_, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(s_, ZMQ_CURVE_SERVERKEY, server_public.data(), 32);
    zmq_setsockopt(s_, ZMQ_CURVE_PUBLICKEY, mine.public_key.data(), 32);
    zmq_setsockopt(s_, ZMQ_CURVE_SECRETKEY, mine.secret.expose().data(), 32);
    if (zmq_connect(s_, endpoint.c_str()) != 0) std::abort();
  }
  ~RawPeer() {
    zmq_close(s_);
    zmq_ctx_term(ctx_);
  }
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;

  bool send(std::span<const uint8_t> frame, bool more = false) {
    return zmq_send(s_, frame.data(), frame.size(), more ? ZMQ_SNDMORE : 0) >= 0;
  }
  std::optional<std::vector<uint8_t>> recv(std::chrono::milliseconds timeout) {
    zmq_pollitem_t item{s_, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, static_cast<long>(timeout.count())) <= 0) return std::nullopt;
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, s_, 0) < 0) return std::nullopt;
    const auto* d = static_cast<const uint8_t*>(zmq_msg_data(&m));
    std::vector<uint8_t> out(d, d + zmq_msg_size(&m));
    zmq_msg_close(&m);
    return out;
  }

 private:
  void* ctx_ = nullptr;
  void* s_ = nullptr;
};

}  // namespace custos::testing
