#include "node/transport/transport.h"

#include <algorithm>
#include <sys/eventfd.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <future>
#include <iostream>

#include "node/transport/frame.h"
#include "node/transport/thread_attributes.h"

namespace custos::node {

using protocol::Kind;
using protocol::Message;
using protocol::PartyIndex;
using Clock = std::chrono::steady_clock;

const char* drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::kBadFrame: return "bad_frame";
    case DropReason::kOversized: return "oversized";
    case DropReason::kMalformed: return "malformed";
    case DropReason::kNoUserId: return "no_user_id";
    case DropReason::kSenderMismatch: return "sender_mismatch";
    case DropReason::kWrongRecipient: return "wrong_recipient";
    case DropReason::kBadSignature: return "bad_signature";
    case DropReason::kClosedSession: return "closed_session";
    case DropReason::kInboundFull: return "inbound_full";
    case DropReason::kBadAck: return "bad_ack";
    case DropReason::kCount: break;
  }
  return "?";
}

uint64_t TransportStats::dropped_total() const {
  uint64_t t = 0;
  for (uint64_t d : dropped) t += d;
  return t;
}

namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";  // fixed by the ZAP RFC (27/ZAP)
constexpr const char* kZapDomain = "custos";
constexpr size_t kMaxRouterBatch = 1024;  // frames handled per wake-up before acks are flushed
constexpr auto kLogRepeat = std::chrono::seconds(10);  // one log line per key/peer per this

std::string zmq_error(const char* what) { return std::string(what) + ": " + zmq_strerror(zmq_errno()); }

Status set_int(void* s, int option, int value, const char* name) {
  if (zmq_setsockopt(s, option, &value, sizeof value) != 0) return internal_error(zmq_error(name));
  return ok_status();
}

// Options both socket kinds share (DESIGN §4: finite linger, size limit, heartbeats).
Status common_options(void* s, const TransportOptions& o) {
  RETURN_IF_ERROR(set_int(s, ZMQ_LINGER, o.linger_ms, "ZMQ_LINGER"));
  int64_t max_size = kZmqMaxMsgSize;
  if (zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max_size, sizeof max_size) != 0) return internal_error(zmq_error("ZMQ_MAXMSGSIZE"));
  RETURN_IF_ERROR(set_int(s, ZMQ_HEARTBEAT_IVL, o.heartbeat_ivl_ms, "ZMQ_HEARTBEAT_IVL"));
  RETURN_IF_ERROR(set_int(s, ZMQ_HEARTBEAT_TIMEOUT, o.heartbeat_timeout_ms, "ZMQ_HEARTBEAT_TIMEOUT"));
  RETURN_IF_ERROR(set_int(s, ZMQ_HEARTBEAT_TTL, o.heartbeat_timeout_ms, "ZMQ_HEARTBEAT_TTL"));
  return ok_status();
}

std::span<const uint8_t> msg_bytes(zmq_msg_t& m) {
  return {static_cast<const uint8_t*>(zmq_msg_data(&m)), zmq_msg_size(&m)};
}

// RAII for a received zmq_msg_t. A data frame may carry a keygen or refresh
// share, so its bytes are wiped before libzmq frees them.
struct Msg {
  zmq_msg_t m;
  Msg() { zmq_msg_init(&m); }
  ~Msg() {
    secure_wipe(zmq_msg_data(&m), zmq_msg_size(&m));
    zmq_msg_close(&m);
  }
  Msg(const Msg&) = delete;
  Msg& operator=(const Msg&) = delete;
};

// Sends one frame without blocking, like zmq_send, but from a copy that is
// wiped when libzmq is done with it (zmq_send's own copy is freed unwiped).
int send_wiped(void* socket, std::span<const uint8_t> frame) {
  auto* copy = new uint8_t[frame.size()];
  std::memcpy(copy, frame.data(), frame.size());
  auto free_wiped = [](void* data, void* size) {
    secure_wipe(data, reinterpret_cast<size_t>(size));
    delete[] static_cast<uint8_t*>(data);
  };
  zmq_msg_t msg;
  if (zmq_msg_init_data(&msg, copy, frame.size(), free_wiped, reinterpret_cast<void*>(frame.size())) != 0) {
    free_wiped(copy, reinterpret_cast<void*>(frame.size()));
    return -1;
  }
  if (zmq_msg_send(&msg, socket, ZMQ_DONTWAIT) >= 0) return 0;  // libzmq owns (and will free) the copy
  int err = zmq_errno();
  zmq_msg_close(&msg);  // still ours after a failed send
  errno = err;
  return -1;
}

// Receives one whole multipart message without blocking; nullopt when none is
// waiting. Parts beyond `keep` are read and discarded (their number is
// returned in *parts) so a peer cannot make us buffer an unbounded message.
std::optional<std::vector<std::unique_ptr<Msg>>> recv_multipart(void* s, size_t keep, size_t* parts) {
  std::vector<std::unique_ptr<Msg>> out;
  *parts = 0;
  for (;;) {
    auto part = std::make_unique<Msg>();
    int flags = *parts == 0 ? ZMQ_DONTWAIT : 0;  // later parts are already here (atomic delivery)
    if (zmq_msg_recv(&part->m, s, flags) < 0) {
      if (*parts == 0) return std::nullopt;
      break;
    }
    ++*parts;
    bool more = zmq_msg_more(&part->m) != 0;
    if (out.size() < keep) out.push_back(std::move(part));
    if (!more) break;
  }
  return out;
}

Status socket_fd(void* s, int& fd) {
  size_t len = sizeof fd;
  if (zmq_getsockopt(s, ZMQ_FD, &fd, &len) != 0) return internal_error(zmq_error("ZMQ_FD"));
  return ok_status();
}

std::optional<PartyIndex> parse_user_id(const char* text) {
  if (!text) return std::nullopt;
  std::string_view s(text);
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v == 0 || v > UINT32_MAX) return std::nullopt;
  return static_cast<PartyIndex>(v);
}

}  // namespace

// Everything only the I/O thread touches.
struct Transport::IoState {
  void* ctx = nullptr;
  void* zap = nullptr;
  void* router = nullptr;
  void* router_mon = nullptr;
  std::vector<void*> dealers;
  std::vector<void*> dealer_mons;
  // ZMQ_FD of the ZAP and monitor sockets, polled as plain descriptors (see io_main).
  int zap_fd = -1;
  int router_mon_fd = -1;
  std::vector<int> dealer_mon_fds;
  std::vector<bool> blocked;  // last send hit EAGAIN: wait for POLLOUT instead of the clock
  // Per peer, +1 at every DISCONNECTED event of our DEALER: envelopes sent in
  // an older generation may have died with that connection.
  std::vector<uint64_t> generation;
  std::map<std::string, std::vector<uint64_t>> pending_acks;  // ROUTER routing id -> seqs to ack
  size_t pending_ack_count = 0;
  Clock::time_point acks_due = Clock::time_point::max();  // when the oldest pending ack must go
  Clock::time_point next_due = Clock::time_point::min();
  std::map<std::string, Clock::time_point> last_logged;  // rate limit for repeated log lines

  bool should_log(const std::string& key) {
    auto now = Clock::now();
    if (last_logged.size() > 1024) last_logged.clear();  // bounded; worst case some repeats
    auto it = last_logged.find(key);
    if (it != last_logged.end() && now - it->second < kLogRepeat) return false;
    last_logged[key] = now;
    return true;
  }

  void close_all() {
    for (void*& s : dealers) if (s) { zmq_close(s); s = nullptr; }
    for (void*& s : dealer_mons) if (s) { zmq_close(s); s = nullptr; }
    for (void** s : {&router, &router_mon, &zap}) if (*s) { zmq_close(*s); *s = nullptr; }
    if (ctx) {
      while (zmq_ctx_term(ctx) != 0 && zmq_errno() == EINTR) {}
      ctx = nullptr;
    }
  }
};

Result<std::unique_ptr<Transport>> Transport::create(LocalIdentity self, std::vector<PeerInfo> peers,
                                                     TransportOptions options) {
  if (self.id == 0) return invalid_argument("local party index 0");
  if (self.listen_endpoint.empty()) return invalid_argument("no listen endpoint");
  ASSIGN_OR_RETURN(Key32 curve_pub, curve_public_from_secret(self.curve_secret));
  if (curve_pub != self.curve_public) return invalid_argument("local CURVE public key does not match the secret key");
  ASSIGN_OR_RETURN(EnvelopeSigner signer, EnvelopeSigner::from_seed(self.ed25519_seed));
  std::map<PartyIndex, EnvelopeVerifier> verifiers;
  std::set<Key32> curve_keys{self.curve_public};
  for (const PeerInfo& p : peers) {
    std::string who = "peer " + std::to_string(p.id);
    if (p.id == 0) return invalid_argument("peer with party index 0");
    if (p.id == self.id) return invalid_argument(who + " has our own party index");
    if (verifiers.count(p.id)) return invalid_argument(who + " is configured twice");
    if (p.endpoint.empty()) return invalid_argument(who + " has no endpoint");
    // A shared CURVE key would make the ZAP User-Id ambiguous.
    if (!curve_keys.insert(p.curve_public).second) return invalid_argument(who + " reuses another node's CURVE key");
    auto v = EnvelopeVerifier::from_public(p.ed25519_public);
    if (!v.ok()) return v.status().with_context(who);
    verifiers.emplace(p.id, std::move(v).value());
  }
  if (options.initial_retransmit.count() <= 0 || options.max_retransmit < options.initial_retransmit)
    return invalid_argument("retransmission intervals must be positive and initial <= max");
  if (options.ack_delay.count() < 0 || options.ack_delay >= options.initial_retransmit)
    return invalid_argument("ack_delay must be at least 0 and below initial_retransmit");
  if (options.max_unacked_per_peer == 0 || options.max_inbound_queue == 0 || options.max_dedup_entries == 0)
    return invalid_argument("queue bounds must be positive");
  if (!options.log) {
    std::string prefix = "custos transport[" + std::to_string(self.id) + "]: ";
    options.log = [prefix](std::string_view line) { std::cerr << prefix << line << '\n'; };
  }
  return std::unique_ptr<Transport>(
      new Transport(std::move(self), std::move(peers), std::move(options), std::move(signer), std::move(verifiers)));
}

Transport::Transport(LocalIdentity self, std::vector<PeerInfo> peers, TransportOptions options, EnvelopeSigner signer,
                     std::map<PartyIndex, EnvelopeVerifier> verifiers)
    : self_(std::move(self)),
      peers_(std::move(peers)),
      options_(std::move(options)),
      signer_(std::move(signer)),
      verifiers_(std::move(verifiers)),
      peer_connected_(new std::atomic<bool>[peers_.size()]) {
  for (size_t i = 0; i < peers_.size(); ++i) peer_connected_[i] = false;
  for (const PeerInfo& p : peers_) outbound_[p.id];
}

Transport::~Transport() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Transport::log(const std::string& line) const {
  try {
    options_.log(line);
  } catch (...) {
    // A throwing log sink must not take the I/O thread down.
  }
}

void Transport::wake() {
  uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

std::string Transport::bound_endpoint() const {
  std::lock_guard<std::mutex> lk(endpoint_mu_);
  return bound_endpoint_;
}

Status Transport::start() {
  std::lock_guard<std::mutex> lk(life_mu_);
  if (started_) return failed_precondition("transport already started (create a new one to restart)");
  started_ = true;
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return internal_error(std::string("eventfd: ") + std::strerror(errno));

  std::promise<Status> ready;
  std::future<Status> ready_f = ready.get_future();
  io_thread_ = std::thread([this, &ready] {
    name_this_thread("custos-io");
    IoState io;
    auto setup = [&]() -> Status {
      io.ctx = zmq_ctx_new();
      if (!io.ctx) return internal_error(zmq_error("zmq_ctx_new"));
      // The ZAP handler is bound before the ROUTER so that no client is ever
      // admitted without it (libzmq skips authentication when no handler exists).
      io.zap = zmq_socket(io.ctx, ZMQ_REP);
      if (!io.zap) return internal_error(zmq_error("ZAP socket"));
      RETURN_IF_ERROR(set_int(io.zap, ZMQ_LINGER, 0, "ZMQ_LINGER"));
      if (zmq_bind(io.zap, kZapEndpoint) != 0) return internal_error(zmq_error("ZAP bind"));

      io.router = zmq_socket(io.ctx, ZMQ_ROUTER);
      if (!io.router) return internal_error(zmq_error("ROUTER socket"));
      RETURN_IF_ERROR(common_options(io.router, options_));
      RETURN_IF_ERROR(set_int(io.router, ZMQ_ROUTER_MANDATORY, 1, "ZMQ_ROUTER_MANDATORY"));
      RETURN_IF_ERROR(set_int(io.router, ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER"));
      if (zmq_setsockopt(io.router, ZMQ_CURVE_SECRETKEY, self_.curve_secret.expose().data(), 32) != 0)
        return internal_error(zmq_error("ZMQ_CURVE_SECRETKEY"));
      if (zmq_setsockopt(io.router, ZMQ_ZAP_DOMAIN, kZapDomain, std::strlen(kZapDomain)) != 0)
        return internal_error(zmq_error("ZMQ_ZAP_DOMAIN"));
      if (zmq_socket_monitor(io.router, "inproc://custos-monitor-router", ZMQ_EVENT_DISCONNECTED) != 0)
        return internal_error(zmq_error("ROUTER monitor"));
      io.router_mon = zmq_socket(io.ctx, ZMQ_PAIR);
      if (!io.router_mon || zmq_connect(io.router_mon, "inproc://custos-monitor-router") != 0)
        return internal_error(zmq_error("ROUTER monitor connect"));
      RETURN_IF_ERROR(set_int(io.router_mon, ZMQ_LINGER, 0, "ZMQ_LINGER"));
      RETURN_IF_ERROR(socket_fd(io.zap, io.zap_fd));
      RETURN_IF_ERROR(socket_fd(io.router_mon, io.router_mon_fd));
      if (zmq_bind(io.router, self_.listen_endpoint.c_str()) != 0)
        return failed_precondition(zmq_error(("cannot listen on " + self_.listen_endpoint).c_str()));
      char last[256] = {};
      size_t last_len = sizeof last;
      if (zmq_getsockopt(io.router, ZMQ_LAST_ENDPOINT, last, &last_len) == 0) {
        std::lock_guard<std::mutex> elk(endpoint_mu_);
        bound_endpoint_ = last;
      }

      for (size_t i = 0; i < peers_.size(); ++i) {
        const PeerInfo& p = peers_[i];
        void* d = zmq_socket(io.ctx, ZMQ_DEALER);
        if (!d) return internal_error(zmq_error("DEALER socket"));
        io.dealers.push_back(d);
        io.blocked.push_back(false);
        io.generation.push_back(0);
        RETURN_IF_ERROR(common_options(d, options_));
        // Queue nothing inside ZeroMQ while the peer is unreachable: our own
        // unacked list is the queue, and it is retransmitted on reconnect.
        RETURN_IF_ERROR(set_int(d, ZMQ_IMMEDIATE, 1, "ZMQ_IMMEDIATE"));
        RETURN_IF_ERROR(set_int(d, ZMQ_RECONNECT_IVL, options_.reconnect_ivl_ms, "ZMQ_RECONNECT_IVL"));
        RETURN_IF_ERROR(set_int(d, ZMQ_RECONNECT_IVL_MAX, options_.reconnect_ivl_max_ms, "ZMQ_RECONNECT_IVL_MAX"));
        if (zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, p.curve_public.data(), 32) != 0 ||
            zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, self_.curve_public.data(), 32) != 0 ||
            zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, self_.curve_secret.expose().data(), 32) != 0)
          return internal_error(zmq_error("DEALER CURVE keys"));
        std::string mon = "inproc://custos-monitor-peer-" + std::to_string(p.id);
        if (zmq_socket_monitor(d, mon.c_str(),
                               ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                                   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                   ZMQ_EVENT_DISCONNECTED) != 0)
          return internal_error(zmq_error("DEALER monitor"));
        void* m = zmq_socket(io.ctx, ZMQ_PAIR);
        if (!m) return internal_error(zmq_error("monitor socket"));
        io.dealer_mons.push_back(m);
        RETURN_IF_ERROR(set_int(m, ZMQ_LINGER, 0, "ZMQ_LINGER"));
        if (zmq_connect(m, mon.c_str()) != 0) return internal_error(zmq_error("DEALER monitor connect"));
        io.dealer_mon_fds.push_back(-1);
        RETURN_IF_ERROR(socket_fd(m, io.dealer_mon_fds.back()));
        // ZMQ_ROUTING_ID is left to the peer's ROUTER to generate: acks are
        // addressed to the connection an envelope came in on, and a fixed id
        // would let a restarted peer be refused as a duplicate until the old
        // connection times out.
        if (zmq_connect(d, p.endpoint.c_str()) != 0)
          return invalid_argument(zmq_error(("peer " + std::to_string(p.id) + " endpoint " + p.endpoint).c_str()));
      }
      return ok_status();
    };
    Status st = setup();
    if (!st.ok()) {
      io.close_all();
      ready.set_value(st);
      return;
    }
    ready.set_value(ok_status());
    io_main(&io);
  });
  Status st = ready_f.get();
  if (!st.ok()) {
    io_thread_.join();
    return st;
  }
  running_ = true;
  log("listening on " + bound_endpoint() + ", " + std::to_string(peers_.size()) + " peers");
  return ok_status();
}

void Transport::stop() {
  std::lock_guard<std::mutex> lk(life_mu_);
  if (!io_thread_.joinable()) return;
  stopping_ = true;
  running_ = false;
  wake();
  io_thread_.join();
  {
    std::lock_guard<std::mutex> ilk(in_mu_);
  }
  in_cv_.notify_all();
}

Status Transport::send(Message m) { return send_to(std::move(m), {}); }

Status Transport::send_to(Message m, const std::vector<PartyIndex>& participants) {
  if (!running_) return failed_precondition("transport is not running");
  if (m.from != self_.id) return invalid_argument("message from " + std::to_string(m.from) + " is not ours");
  std::vector<PartyIndex> to;
  if (m.kind == Kind::kP2P) {
    if (!verifiers_.count(m.to)) return invalid_argument("p2p message to unknown party " + std::to_string(m.to));
    to.push_back(m.to);
  } else {
    if (m.to != 0) return invalid_argument("only p2p messages name a recipient");
    for (const PeerInfo& p : peers_) {
      if (participants.empty() || std::find(participants.begin(), participants.end(), p.id) != participants.end()) {
        to.push_back(p.id);
      }
    }
    for (PartyIndex p : participants) {
      if (p != self_.id && !verifiers_.count(p)) return invalid_argument("broadcast to unknown party " + std::to_string(p));
    }
  }
  // The receiver's decode_envelope limits; refusing here beats a message
  // retransmitted forever and dropped every time.
  if (m.payload.size() > protocol::kMaxPayloadBytes) return invalid_argument("payload larger than the size limit");
  if (m.protocol.empty() || m.protocol.size() > 64) return invalid_argument("protocol name missing or too long");
  m.seq = 0;
  RETURN_IF_ERROR(signer_.sign(m));
  // The largest seq adds at most 11 bytes (tag + 10-byte varint).
  size_t size = protocol::encode_envelope(m).size() + 11;
  if (size > protocol::kMaxPayloadBytes + 1024) return invalid_argument("envelope larger than the size limit");

  {
    std::lock_guard<std::mutex> lk(out_mu_);
    for (PartyIndex p : to) {
      const Outbound& ob = outbound_.at(p);
      if (ob.unacked.size() + 1 > options_.max_unacked_per_peer ||
          ob.unacked_bytes + size > options_.max_unacked_bytes_per_peer) {
        send_refused_.fetch_add(1, std::memory_order_relaxed);
        return failed_precondition("peer " + std::to_string(p) + " has " + std::to_string(ob.unacked.size()) +
                                   " unacknowledged envelopes (" + std::to_string(ob.unacked_bytes) +
                                   " bytes), at the outbound bound; is it down?");
      }
    }
    for (PartyIndex p : to) {
      Outbound& ob = outbound_.at(p);
      m.seq = ob.next_seq++;
      Pending pending{encode_data_frame(m), m.session_id, Clock::time_point::min(), 0};
      ob.unacked_bytes += pending.frame.size();
      ob.unacked.emplace(m.seq, std::move(pending));
      sent_.fetch_add(1, std::memory_order_relaxed);
    }
    outbound_dirty_ = true;
  }
  wake();
  return ok_status();
}

std::optional<Message> Transport::receive(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(in_mu_);
  in_cv_.wait_for(lk, timeout, [&] { return !inbound_.empty() || stopping_.load(); });
  if (inbound_.empty()) return std::nullopt;
  Message m = std::move(inbound_.front());
  inbound_.pop_front();
  return m;
}

void Transport::forget_session(const Digest32& session_id) {
  {
    std::lock_guard<std::mutex> lk(in_mu_);
    auto it = dedup_.find(session_id);
    if (it != dedup_.end()) {
      dedup_entries_ -= it->second.size();
      dedup_.erase(it);
      std::erase(dedup_order_, session_id);
    }
    if (closed_.insert(session_id).second) {
      closed_order_.push_back(session_id);
      while (closed_order_.size() > options_.max_closed_sessions) {
        closed_.erase(closed_order_.front());
        closed_order_.pop_front();
      }
    }
  }
  std::lock_guard<std::mutex> lk(out_mu_);
  for (auto& entry : outbound_) {
    auto& ob = entry.second;  // not a structured binding: clang 14 cannot capture those in a lambda
    std::erase_if(ob.unacked, [&](const auto& kv) {
      if (kv.second.session_id != session_id) return false;
      ob.unacked_bytes -= kv.second.frame.size();
      return true;
    });
  }
}

TransportStats Transport::stats() const {
  TransportStats s;
  auto ld = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  s.sent = ld(sent_);
  s.transmissions = ld(transmissions_);
  s.retransmits = ld(retransmits_);
  s.acked = ld(acked_);
  s.acks_sent = ld(acks_sent_);
  s.delivered = ld(delivered_);
  s.duplicates = ld(duplicates_);
  s.send_refused = ld(send_refused_);
  s.zap_admitted = ld(zap_admitted_);
  s.zap_refused = ld(zap_refused_);
  s.handshake_failures = ld(handshake_failures_);
  s.disconnects = ld(disconnects_);
  for (size_t i = 0; i < kDropReasonCount; ++i) s.dropped[i] = ld(dropped_[i]);
  std::lock_guard<std::mutex> lk(out_mu_);
  for (size_t i = 0; i < peers_.size(); ++i) {
    const Outbound& ob = outbound_.at(peers_[i].id);
    s.peers.push_back(PeerStats{peers_[i].id, peer_connected_[i].load(), ob.unacked.size(), ob.unacked_bytes});
  }
  return s;
}

// ---- I/O thread ----

void Transport::io_main(IoState* iop) {
  IoState& io = *iop;
  const size_t n = peers_.size();
  std::vector<zmq_pollitem_t> items(4 + 2 * n);
  // What arrived on the descriptor-polled sockets before the first poll (setup may have processed the
  // commands that would have made their descriptors readable).
  handle_zap(io);
  for (size_t i = 0; i <= n; ++i) handle_monitor(io, i);
  while (!stopping_) {
    // zmq_poll asks every ZeroMQ socket in the set for ZMQ_EVENTS on each pass (two system calls each),
    // so only the sockets we also send on are passed as sockets. The ZAP and monitor sockets are polled
    // through their ZMQ_FD: that descriptor is readable while the socket has unprocessed commands, and
    // their handlers always receive until EAGAIN (which processes them), so nothing waits unseen.
    items[0] = {nullptr, wake_fd_, ZMQ_POLLIN, 0};
    items[1] = {nullptr, io.zap_fd, ZMQ_POLLIN, 0};
    items[2] = {io.router, 0, ZMQ_POLLIN, 0};
    items[3] = {nullptr, io.router_mon_fd, ZMQ_POLLIN, 0};
    for (size_t i = 0; i < n; ++i) {
      items[4 + 2 * i] = {io.dealers[i], 0, static_cast<short>(ZMQ_POLLIN | (io.blocked[i] ? ZMQ_POLLOUT : 0)), 0};
      items[5 + 2 * i] = {nullptr, io.dealer_mon_fds[i], ZMQ_POLLIN, 0};
    }
    auto now = Clock::now();
    long timeout_ms = 1000;
    const Clock::time_point due = std::min(io.next_due, io.acks_due);
    if (due <= now) {
      timeout_ms = 0;
    } else if (due - now < std::chrono::milliseconds(1000)) {
      timeout_ms = static_cast<long>(std::chrono::ceil<std::chrono::milliseconds>(due - now).count());
    }
    if (zmq_poll(items.data(), static_cast<int>(items.size()), timeout_ms) < 0) {
      if (zmq_errno() == EINTR) continue;
      log(zmq_error("zmq_poll failed; transport I/O thread exits"));
      break;
    }
    if (items[0].revents & ZMQ_POLLIN) {
      uint64_t v;
      while (::read(wake_fd_, &v, sizeof v) > 0) {}
    }
    if (stopping_) break;
    if (items[1].revents & ZMQ_POLLIN) handle_zap(io);
    if (items[3].revents & ZMQ_POLLIN) handle_monitor(io, n);
    if (items[2].revents & ZMQ_POLLIN) handle_router(io);
    for (size_t i = 0; i < n; ++i) {
      if (items[5 + 2 * i].revents & ZMQ_POLLIN) handle_monitor(io, i);
      if (items[4 + 2 * i].revents & ZMQ_POLLIN) handle_dealer(io, i);
      if (items[4 + 2 * i].revents & ZMQ_POLLOUT) {
        io.blocked[i] = false;
        io.next_due = Clock::time_point::min();
      }
    }
    bool dirty;
    {
      std::lock_guard<std::mutex> lk(out_mu_);
      dirty = outbound_dirty_;
    }
    if (dirty || io.next_due <= Clock::now()) io.next_due = pump_outbound(io);
    if (io.acks_due <= Clock::now()) flush_acks(io);
  }
  // Drain: envelopes due to connected peers and the pending acks go into
  // ZeroMQ, and ZMQ_LINGER bounds how long closing waits for them. (Frames not
  // yet read are left unacknowledged, so their senders retransmit them to our
  // next incarnation.)
  pump_outbound(io);
  flush_acks(io);
  io.close_all();
  log("stopped");
}

Clock::time_point Transport::pump_outbound(IoState& io) {
  auto now = Clock::now();
  auto earliest = Clock::time_point::max();
  std::lock_guard<std::mutex> lk(out_mu_);
  outbound_dirty_ = false;
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (io.blocked[i]) continue;  // POLLOUT wakes us when the peer is writable again
    Outbound& ob = outbound_.at(peers_[i].id);
    for (auto& [seq, p] : ob.unacked) {
      if (p.next_send > now) {
        earliest = std::min(earliest, p.next_send);
        continue;
      }
      if (send_wiped(io.dealers[i], p.frame) < 0) {
        // EAGAIN: no completed connection (ZMQ_IMMEDIATE) or the pipe is full.
        if (zmq_errno() != EAGAIN && io.should_log("send-" + std::to_string(peers_[i].id)))
          log("peer " + std::to_string(peers_[i].id) + ": " + zmq_error("send"));
        io.blocked[i] = true;
        break;
      }
      transmissions_.fetch_add(1, std::memory_order_relaxed);
      if (p.attempts > 0) retransmits_.fetch_add(1, std::memory_order_relaxed);
      ++p.attempts;
      p.sent_generation = io.generation[i];
      auto backoff = options_.initial_retransmit * (1LL << std::min(p.attempts - 1, 20u));
      p.next_send = now + std::min<std::chrono::milliseconds>(backoff, options_.max_retransmit);
      earliest = std::min(earliest, p.next_send);
    }
  }
  return earliest;
}

void Transport::handle_router(IoState& io) {
  for (size_t k = 0; k < kMaxRouterBatch && !stopping_; ++k) {
    size_t parts = 0;
    auto frames = recv_multipart(io.router, 2, &parts);
    if (!frames) break;
    if (parts != 2) {
      count(DropReason::kBadFrame);
      continue;
    }
    std::string routing_id(reinterpret_cast<const char*>(zmq_msg_data(&(*frames)[0]->m)), zmq_msg_size(&(*frames)[0]->m));
    zmq_msg_t& data = (*frames)[1]->m;
    const char* uid = zmq_msg_gets(&data, "User-Id");
    uint64_t seq = 0;
    if (accept_frame(uid ? uid : "", msg_bytes(data), &seq)) {
      if (io.pending_ack_count == 0) io.acks_due = Clock::now() + options_.ack_delay;
      io.pending_acks[routing_id].push_back(seq);
      ++io.pending_ack_count;
    }
  }
  if (options_.ack_delay.count() == 0 || io.pending_ack_count >= kMaxAckSeqs) flush_acks(io);
}

void Transport::flush_acks(IoState& io) {
  // Acks go back on the connection the envelopes came in on. If it is gone
  // (EHOSTUNREACH, ROUTER_MANDATORY) or full, the ack is dropped: the sender
  // retransmits and is acknowledged then.
  for (auto& [rid, seqs] : io.pending_acks) {
    for (size_t off = 0; off < seqs.size(); off += kMaxAckSeqs) {
      size_t len = std::min(kMaxAckSeqs, seqs.size() - off);
      std::vector<uint8_t> ack = encode_ack_frame(std::span<const uint64_t>(seqs).subspan(off, len));
      if (zmq_send(io.router, rid.data(), rid.size(), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) break;
      if (zmq_send(io.router, ack.data(), ack.size(), ZMQ_DONTWAIT) < 0) break;
      acks_sent_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  io.pending_acks.clear();
  io.pending_ack_count = 0;
  io.acks_due = Clock::time_point::max();
}

bool Transport::accept_frame(const std::string& user_id, std::span<const uint8_t> frame, uint64_t* seq_out) {
  if (frame.empty() || frame[0] != static_cast<uint8_t>(FrameType::kData)) {
    count(DropReason::kBadFrame);
    return false;
  }
  auto decoded = decode_data_frame(frame);
  if (!decoded.ok()) {
    count(decoded.status().code() == Code::kOutOfRange ? DropReason::kOversized : DropReason::kMalformed);
    return false;
  }
  Message& m = *decoded;
  auto sender = parse_user_id(user_id.c_str());
  if (!sender || !verifiers_.count(*sender)) {
    count(DropReason::kNoUserId);
    return false;
  }
  // The CURVE key (via ZAP) says who is on the other end; the envelope must
  // not claim to be from anyone else, even with a valid signature of theirs.
  if (m.from != *sender) {
    count(DropReason::kSenderMismatch);
    return false;
  }
  if (m.kind == Kind::kP2P && m.to != self_.id) {
    count(DropReason::kWrongRecipient);
    return false;
  }
  if (m.seq == 0) {  // our senders number from 1
    count(DropReason::kMalformed);
    return false;
  }
  if (!verifiers_.at(*sender).verify(m)) {
    count(DropReason::kBadSignature);
    return false;
  }
  *seq_out = m.seq;
  std::lock_guard<std::mutex> lk(in_mu_);
  if (closed_.count(m.session_id)) {
    count(DropReason::kClosedSession);
    return true;
  }
  DedupKey key{m.round, static_cast<uint8_t>(m.kind), m.from, m.seq};
  auto it = dedup_.find(m.session_id);
  if (it != dedup_.end() && it->second.count(key)) {
    duplicates_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (inbound_.size() >= options_.max_inbound_queue) {
    count(DropReason::kInboundFull);
    return false;
  }
  while (dedup_entries_ >= options_.max_dedup_entries && !dedup_order_.empty()) {
    auto old = dedup_.find(dedup_order_.front());
    dedup_order_.pop_front();
    if (old != dedup_.end()) {
      dedup_entries_ -= old->second.size();
      dedup_.erase(old);
    }
  }
  it = dedup_.find(m.session_id);
  if (it == dedup_.end()) {
    it = dedup_.emplace(m.session_id, std::set<DedupKey>{}).first;
    dedup_order_.push_back(m.session_id);
  }
  it->second.insert(key);
  ++dedup_entries_;
  inbound_.push_back(std::move(m));
  delivered_.fetch_add(1, std::memory_order_relaxed);
  in_cv_.notify_one();
  return true;
}

void Transport::handle_zap(IoState& io) {
  // 27/ZAP request: version, request id, domain, address, routing id,
  // mechanism, credentials (CURVE: the client's 32-byte public key).
  for (;;) {
    size_t parts = 0;
    auto req = recv_multipart(io.zap, 8, &parts);
    if (!req) {
      // EAGAIN has processed the socket's commands. Any other failure (a reply that could not be sent
      // leaves the REP socket refusing receives) has not: ask for ZMQ_EVENTS, which does, so that the
      // descriptor polled in io_main does not stay readable and spin the loop.
      if (zmq_errno() != EAGAIN) {
        int events = 0;
        size_t len = sizeof events;
        zmq_getsockopt(io.zap, ZMQ_EVENTS, &events, &len);
      }
      return;
    }
    auto text = [&](size_t i) {
      if (i >= req->size()) return std::string();
      zmq_msg_t& m = (*req)[i]->m;
      return std::string(static_cast<const char*>(zmq_msg_data(&m)), zmq_msg_size(&m));
    };
    std::string request_id = text(1);
    std::string address = text(3);
    const PeerInfo* peer = nullptr;
    std::string why;
    if (parts != 7 || text(0) != "1.0") {
      why = "malformed ZAP request";
    } else if (text(2) != kZapDomain || text(5) != "CURVE") {
      why = "unexpected domain or mechanism";
    } else if (zmq_msg_size(&(*req)[6]->m) != 32) {
      why = "CURVE key of the wrong size";
    } else {
      Key32 key{};
      std::memcpy(key.data(), zmq_msg_data(&(*req)[6]->m), 32);
      for (const PeerInfo& p : peers_)
        if (p.curve_public == key) peer = &p;
      if (!peer) {
        why = "CURVE key " + z85_public(key) + " is not in the roster";
      }
    }
    std::string status = peer ? "200" : "400";
    std::string user_id = peer ? std::to_string(peer->id) : "";
    if (peer) {
      zap_admitted_.fetch_add(1, std::memory_order_relaxed);
    } else {
      zap_refused_.fetch_add(1, std::memory_order_relaxed);
      // Refused clients reconnect every reconnect interval: one line per key per 10 s.
      if (io.should_log("zap-" + why)) log("refused connection from " + address + ": " + why);
    }
    const std::string reply[6] = {"1.0", request_id, status, peer ? "OK" : "not in the roster", user_id, ""};
    for (int i = 0; i < 6; ++i) {
      if (zmq_send(io.zap, reply[i].data(), reply[i].size(), i < 5 ? ZMQ_SNDMORE : 0) < 0) {
        log(zmq_error("ZAP reply"));
        break;
      }
    }
  }
}

void Transport::handle_dealer(IoState& io, size_t i) {
  Outbound* ob = nullptr;
  for (;;) {
    size_t parts = 0;
    auto frames = recv_multipart(io.dealers[i], 1, &parts);
    if (!frames) return;
    auto seqs = parts == 1 ? decode_ack_frame(msg_bytes((*frames)[0]->m)) : Result<std::vector<uint64_t>>(malformed("parts"));
    if (!seqs.ok()) {
      count(DropReason::kBadAck);
      continue;
    }
    std::lock_guard<std::mutex> lk(out_mu_);
    if (!ob) ob = &outbound_.at(peers_[i].id);
    for (uint64_t s : *seqs) {
      auto it = ob->unacked.find(s);
      if (it == ob->unacked.end()) continue;  // acked twice, or forgotten
      ob->unacked_bytes -= it->second.frame.size();
      ob->unacked.erase(it);
      acked_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

void Transport::handle_monitor(IoState& io, size_t i) {
  void* mon = i < peers_.size() ? io.dealer_mons[i] : io.router_mon;
  for (;;) {
    size_t parts = 0;
    auto frames = recv_multipart(mon, 2, &parts);
    if (!frames) return;
    if (frames->empty() || zmq_msg_size(&(*frames)[0]->m) < 6) continue;
    uint16_t event;
    uint32_t value;
    const auto* d = static_cast<const uint8_t*>(zmq_msg_data(&(*frames)[0]->m));
    std::memcpy(&event, d, 2);
    std::memcpy(&value, d + 2, 4);
    if (i == peers_.size()) {
      if (event == ZMQ_EVENT_DISCONNECTED) disconnects_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    const std::string who = "peer " + std::to_string(peers_[i].id);
    switch (event) {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: {
        peer_connected_[i] = true;
        // What went out on the previous connection may have died with it (the
        // peer restarted, or the link broke): send it again now rather than
        // after the backoff. Envelopes already sent on this connection (the
        // pipe can be writable before this event is read) are left alone.
        std::lock_guard<std::mutex> lk(out_mu_);
        for (auto& [seq, p] : outbound_.at(peers_[i].id).unacked)
          if (p.attempts > 0 && p.sent_generation < io.generation[i]) p.next_send = Clock::time_point::min();
        io.next_due = Clock::time_point::min();
        break;
      }
      case ZMQ_EVENT_DISCONNECTED:
        peer_connected_[i] = false;
        ++io.generation[i];
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        peer_connected_[i] = false;
        handshake_failures_.fetch_add(1, std::memory_order_relaxed);
        if (io.should_log("hs-" + who))
          log(who + ": CURVE handshake failed (event " + std::to_string(event) + ", value " + std::to_string(value) +
              "): does it hold the pinned key " + z85_public(peers_[i].curve_public) + ", and does it list ours?");
        break;
      default:
        break;
    }
  }
}

}  // namespace custos::node
