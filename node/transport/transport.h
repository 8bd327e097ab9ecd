// The node's network transport (DESIGN §4, issue 4): a ZeroMQ mesh over CURVE
// with pinned peer keys, signed envelopes, and the reliability the session
// layer needs (acknowledgements, retransmission, de-duplication).
//
// Sockets. One ROUTER bound at the local endpoint (CURVE server; a ZAP handler
// admits only roster keys and sets the ZAP User-Id to the peer's index) and
// one DEALER per peer connecting to the peer's ROUTER (CURVE client with the
// peer's pinned server key). Envelopes flow DEALER -> ROUTER; acks flow back
// on the same connection (ROUTER -> DEALER). One I/O thread owns every socket
// (and serves ZAP); callers never touch ZeroMQ.
//
// Checks on every received envelope, in order (a failure drops it and counts
// the DropReason; nothing is acknowledged, nothing reaches receive()):
//   one frame, a known type byte, size, decode_envelope (version, fields),
//   envelope `from` == ZAP User-Id of the connection, p2p `to` == us,
//   Ed25519 signature under the sender's configured key.
//
// Reliability. Sequence numbers are per (destination, this Transport object),
// starting at 1. The receiver acknowledges every accepted envelope (also
// duplicates, since an earlier ack may have been lost; acks are gathered for
// up to ack_delay and sent together, and flushed at stop) and delivers each
// (session_id, round, kind, from, seq) at most once. The sender keeps every
// unacknowledged envelope in memory and retransmits it with exponential
// backoff, immediately again whenever the CURVE handshake to that peer
// (re)succeeds: a peer restarting mid-session (new process, same identity)
// receives what was sent while it was down. Bounds (TransportOptions):
//   * outbound: at most max_unacked_per_peer envelopes / max_unacked_bytes_per_peer
//     bytes waiting per peer. send() refuses (kFailedPrecondition, counted as
//     send_refused) a message that would exceed a bound, for every recipient
//     (a broadcast is queued to all peers or to none). Nothing is discarded
//     silently; forget_session() frees a closed session's entries.
//   * inbound: at most max_inbound_queue delivered-but-not-received messages;
//     beyond that envelopes are dropped unacknowledged (kInboundFull), so the
//     sender retransmits them later (back-pressure, not loss).
//   * de-dup: keys are kept per session until forget_session(); when more than
//     max_dedup_entries are held in total, the oldest sessions' keys are
//     dropped first (a retransmission of theirs could then be delivered twice:
//     the protocol driver treats an identical duplicate as harmless).
//     forget_session() also remembers the id (last max_closed_sessions ids);
//     envelopes of a closed session are acknowledged and dropped.
//
// Threading: every public method is thread-safe. receive() blocks the caller
// (any thread) until a message arrives; the I/O thread never runs callbacks.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "crypto/hash.h"
#include "crypto/status.h"
#include "node/transport/envelope_signer.h"
#include "node/transport/identity.h"
#include "protocol/message.h"

namespace custos::node {

// Why a received frame was dropped (Transport::stats().dropped[reason]).
enum class DropReason : uint8_t {
  kBadFrame = 0,     // not exactly one frame after the routing id, empty, or unknown type byte
  kOversized,        // above the envelope size limit (larger ones never get past libzmq: see disconnects)
  kMalformed,        // decode_envelope refused it (bad protobuf, wrong version, bad fields)
  kNoUserId,         // the connection has no ZAP User-Id (cannot happen with our ZAP handler)
  kSenderMismatch,   // envelope `from` differs from the connection's ZAP User-Id
  kWrongRecipient,   // p2p envelope addressed to another party
  kBadSignature,     // Ed25519 signature does not verify under the sender's key
  kClosedSession,    // session was forgotten; acknowledged so the sender stops
  kInboundFull,      // receive() queue full; not acknowledged, the sender retries
  kBadAck,           // an ack frame that does not decode (on a DEALER)
  kCount
};
inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::kCount);
const char* drop_reason_name(DropReason r);

struct TransportOptions {
  std::chrono::milliseconds initial_retransmit{200};  // first retransmission after this
  std::chrono::milliseconds max_retransmit{3000};     // backoff doubles up to this
  // Acks wait up to this long so that one ack frame answers several envelopes and, above all, so that
  // acks are not sent in the middle of a round, when the CPU is wanted for the round itself (each ack
  // costs about what an envelope costs in syscalls and wake-ups). 0 = after every batch. Must be below
  // initial_retransmit.
  std::chrono::milliseconds ack_delay{10};
  size_t max_unacked_per_peer = 4096;
  size_t max_unacked_bytes_per_peer = 256u << 20;     // 256 MiB
  size_t max_inbound_queue = 65536;
  size_t max_dedup_entries = 1u << 20;
  size_t max_closed_sessions = 4096;
  int linger_ms = 200;               // ZMQ_LINGER: how long stop() may spend flushing
  int heartbeat_ivl_ms = 1000;       // ZMQ_HEARTBEAT_IVL
  int heartbeat_timeout_ms = 5000;   // ZMQ_HEARTBEAT_TIMEOUT and _TTL: a silent peer is dropped after this
  int reconnect_ivl_ms = 100;        // ZMQ_RECONNECT_IVL (doubles up to reconnect_ivl_max_ms)
  int reconnect_ivl_max_ms = 1000;
  // One line per event worth an operator's attention (refused keys, failed
  // handshakes, start/stop). Never given secrets. Default: stderr.
  std::function<void(std::string_view)> log;
};

struct PeerStats {
  protocol::PartyIndex id = 0;
  bool connected = false;    // our DEALER has a completed CURVE handshake to it
  size_t unacked = 0;        // envelopes waiting for its ack
  size_t unacked_bytes = 0;
};

struct TransportStats {
  uint64_t sent = 0;           // envelopes queued by send() (one per recipient)
  uint64_t transmissions = 0;  // data frames handed to ZeroMQ, first sends and retransmissions
  uint64_t retransmits = 0;
  uint64_t acked = 0;          // our envelopes acknowledged by their recipient
  uint64_t acks_sent = 0;      // ack frames we sent
  uint64_t delivered = 0;      // envelopes put on the receive() queue
  uint64_t duplicates = 0;     // valid envelopes already delivered (acked again, not delivered)
  uint64_t send_refused = 0;   // send() calls refused because a peer's outbound bound was hit
  uint64_t zap_admitted = 0;   // CURVE clients our ZAP handler admitted
  uint64_t zap_refused = 0;    // CURVE clients refused (key not in the roster, bad request)
  uint64_t handshake_failures = 0;  // our DEALER's handshake failed (peer's key not the pinned one?)
  uint64_t disconnects = 0;    // connections our ROUTER lost (peer gone, heartbeat timeout, or a
                               // frame above ZMQ_MAXMSGSIZE, on which libzmq drops the connection)
  std::array<uint64_t, kDropReasonCount> dropped{};
  std::vector<PeerStats> peers;

  uint64_t dropped_for(DropReason r) const { return dropped[static_cast<size_t>(r)]; }
  uint64_t dropped_total() const;
};

class Transport {
 public:
  // Validates the identity and the roster (ids non-zero and distinct, keys
  // consistent); opens nothing yet.
  static Result<std::unique_ptr<Transport>> create(LocalIdentity self, std::vector<PeerInfo> peers,
                                                   TransportOptions options = {});
  ~Transport();  // stop()
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Starts the I/O thread: ZAP handler, then the ROUTER bind, then DEALERs.
  // Returns once bound (or the bind error). At most once per object.
  Status start();
  // Stops the I/O thread: pending acks are flushed, sockets close with
  // ZMQ_LINGER = linger_ms, the thread is joined. Unacknowledged envelopes
  // are discarded (they live in memory only). Idempotent; receive() callers
  // are woken and get what is still queued, then nullopt.
  void stop();

  // Signs (Ed25519, m.from must be our id), assigns a per-recipient seq and
  // queues for the I/O thread; returns without waiting for the network.
  // P2P goes to m.to; broadcast, echo and complaint go to every peer.
  Status send(protocol::Message m);
  // As send(), but a broadcast (echo, complaint) goes only to `participants` (our own id in it is
  // skipped): a session's messages reach its parties, not every node of the network. Empty = all peers.
  Status send_to(protocol::Message m, const std::vector<protocol::PartyIndex>& participants);

  // The next delivered message (signature verified, sender authenticated),
  // or nullopt after `timeout` or once stopped and drained.
  std::optional<protocol::Message> receive(std::chrono::milliseconds timeout);

  // The session is closed: drop its de-dup state and unacked envelopes, and
  // ignore (but acknowledge) its envelopes from now on.
  void forget_session(const Digest32& session_id);

  TransportStats stats() const;
  protocol::PartyIndex id() const { return self_.id; }
  // The endpoint the ROUTER actually bound (resolves a "*" port), after start().
  std::string bound_endpoint() const;

 private:
  struct Pending {
    WipedBytes frame;  // data frame, seq set; never re-signed
    Digest32 session_id{};
    std::chrono::steady_clock::time_point next_send{};  // min() = due now
    unsigned attempts = 0;
    uint64_t sent_generation = 0;  // the peer's connection generation at the last send
  };
  struct Outbound {  // per peer, guarded by out_mu_
    uint64_t next_seq = 1;
    std::map<uint64_t, Pending> unacked;
    size_t unacked_bytes = 0;
  };
  using DedupKey = std::tuple<uint32_t, uint8_t, protocol::PartyIndex, uint64_t>;  // round, kind, from, seq
  struct IoState;  // sockets, owned by the I/O thread (transport.cpp)

  Transport(LocalIdentity self, std::vector<PeerInfo> peers, TransportOptions options, EnvelopeSigner signer,
            std::map<protocol::PartyIndex, EnvelopeVerifier> verifiers);
  void log(const std::string& line) const;
  void wake();
  void io_main(IoState* io);
  void handle_router(IoState& io);
  void flush_acks(IoState& io);
  // Checks one received data frame; returns true if it should be acknowledged.
  bool accept_frame(const std::string& user_id, std::span<const uint8_t> frame, uint64_t* seq_out);
  void handle_zap(IoState& io);
  void handle_dealer(IoState& io, size_t peer_index);
  void handle_monitor(IoState& io, size_t peer_index);  // peer_index == peers_.size(): the ROUTER's
  // Sends due envelopes; returns the earliest future due time.
  std::chrono::steady_clock::time_point pump_outbound(IoState& io);
  void count(DropReason r) { dropped_[static_cast<size_t>(r)].fetch_add(1, std::memory_order_relaxed); }

  const LocalIdentity self_;
  const std::vector<PeerInfo> peers_;
  const TransportOptions options_;
  const EnvelopeSigner signer_;
  const std::map<protocol::PartyIndex, EnvelopeVerifier> verifiers_;

  std::mutex life_mu_;  // start/stop
  bool started_ = false;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};
  std::thread io_thread_;
  int wake_fd_ = -1;  // eventfd: send()/stop() wake the I/O thread's poll
  mutable std::mutex endpoint_mu_;
  std::string bound_endpoint_;

  mutable std::mutex out_mu_;
  std::map<protocol::PartyIndex, Outbound> outbound_;
  bool outbound_dirty_ = false;  // new envelopes queued since the I/O thread last looked

  mutable std::mutex in_mu_;
  std::condition_variable in_cv_;
  std::deque<protocol::Message> inbound_;
  std::map<Digest32, std::set<DedupKey>> dedup_;
  std::deque<Digest32> dedup_order_;  // sessions in first-seen order, for the global cap
  size_t dedup_entries_ = 0;
  std::set<Digest32> closed_;
  std::deque<Digest32> closed_order_;

  std::atomic<uint64_t> sent_{0}, transmissions_{0}, retransmits_{0}, acked_{0}, acks_sent_{0}, delivered_{0},
      duplicates_{0}, send_refused_{0}, zap_admitted_{0}, zap_refused_{0}, handshake_failures_{0}, disconnects_{0};
  std::array<std::atomic<uint64_t>, kDropReasonCount> dropped_{};
  std::unique_ptr<std::atomic<bool>[]> peer_connected_;
};

}  // namespace custos::node
