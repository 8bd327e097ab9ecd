// The transport over real ZeroMQ sockets on 127.0.0.1 (issue 4): delivery,
// authentication (CURVE + ZAP + Ed25519), hostile input, restart and stop.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "protocol/proto/envelope.pb.h"
#include "protocol/wire.h"
#include "tests/node/transport_fixture.h"
#include "tests/test_support.h"

using namespace custos;
using namespace custos::node;
using namespace custos::testing;
using namespace std::chrono_literals;

namespace {

size_t unacked_to(const Transport& t, PartyIndex peer) {
  for (const PeerStats& p : t.stats().peers)
    if (p.id == peer) return p.unacked;
  return SIZE_MAX;
}

// Drains `t` until `n` messages arrived or `timeout` passed.
std::vector<Message> receive_n(Transport& t, size_t n, std::chrono::milliseconds timeout) {
  std::vector<Message> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) break;
    if (auto m = t.receive(left)) out.push_back(std::move(*m));
  }
  return out;
}

Message signed_msg(const NodeKeys& signer_keys, Message m) {
  auto signer = EnvelopeSigner::from_seed(signer_keys.ed_seed);
  REQUIRE(signer.ok());
  REQUIRE(signer->sign(m).ok());
  return m;
}

}  // namespace

TEST_CASE("transport: three nodes exchange p2p and broadcast, each arrives once, authenticated",
          "[transport][net]") {
  NodeKeys k1 = make_node(1), k2 = make_node(2), k3 = make_node(3);
  std::vector<const NodeKeys*> all{&k1, &k2, &k3};
  LogCapture log;
  std::map<PartyIndex, std::unique_ptr<Transport>> t;
  for (const NodeKeys* k : all) {
    std::vector<const NodeKeys*> peers;
    for (const NodeKeys* p : all)
      if (p != k) peers.push_back(p);
    t[k->id] = make_transport(*k, peers, quiet_options(log));
    REQUIRE(t[k->id]->start().ok());
  }
  const Digest32 sid = session(0x51);
  for (const NodeKeys* k : all) {
    REQUIRE(t[k->id]->send(make_msg(k->id, Kind::kBroadcast, 0, sid, 1, {uint8_t(k->id)})).ok());
    for (const NodeKeys* p : all) {
      if (p == k) continue;
      std::vector<uint8_t> payload{uint8_t(k->id), uint8_t(p->id), 0xAB};
      REQUIRE(t[k->id]->send(make_msg(k->id, Kind::kP2P, p->id, sid, 2, payload)).ok());
    }
  }
  std::map<PartyIndex, EnvelopeVerifier> verifiers;
  for (const NodeKeys* k : all) verifiers.emplace(k->id, EnvelopeVerifier::from_public(k->ed_public).value());

  for (const NodeKeys* k : all) {
    auto got = receive_n(*t[k->id], 4, 5s);
    REQUIRE(got.size() == 4);
    std::set<std::pair<PartyIndex, Kind>> seen;
    for (const Message& m : got) {
      INFO(m.describe());
      CHECK(m.from != k->id);
      CHECK(verifiers.at(m.from).verify(m));
      CHECK(m.seq >= 1);
      CHECK(m.session_id == sid);
      if (m.kind == Kind::kBroadcast) {
        CHECK(m.round == 1);
        CHECK(m.payload == WipedBytes{uint8_t(m.from)});
      } else {
        REQUIRE(m.kind == Kind::kP2P);
        CHECK(m.to == k->id);
        CHECK(m.payload == WipedBytes{uint8_t(m.from), uint8_t(k->id), 0xAB});
      }
      CHECK(seen.insert({m.from, m.kind}).second);  // once each
    }
  }
  // Nothing more arrives, and every sender hears every ack.
  for (const NodeKeys* k : all) CHECK_FALSE(t[k->id]->receive(100ms).has_value());
  for (const NodeKeys* k : all) {
    CHECK(wait_until([&] {
      for (const PeerStats& p : t[k->id]->stats().peers)
        if (p.unacked != 0 || !p.connected) return false;
      return true;
    }, 3s));
    TransportStats s = t[k->id]->stats();
    CHECK(s.sent == 4);
    CHECK(s.acked == 4);
    CHECK(s.delivered == 4);
    CHECK(s.dropped_total() == 0);
    CHECK(s.zap_refused == 0);
  }
}

TEST_CASE("transport: round-trip latency of one message on loopback", "[transport][net][latency]") {
  NodeKeys ka = make_node(1), kb = make_node(2);
  LogCapture log;
  auto a = make_transport(ka, {&kb}, quiet_options(log));
  auto b = make_transport(kb, {&ka}, quiet_options(log));
  REQUIRE(a->start().ok());
  REQUIRE(b->start().ok());
  const Digest32 sid = session(0x1A);
  // Warm-up: both CURVE handshakes done.
  REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, sid, 0, {0})).ok());
  REQUIRE(b->receive(5s).has_value());
  REQUIRE(b->send(make_msg(2, Kind::kP2P, 1, sid, 0, {0})).ok());
  REQUIRE(a->receive(5s).has_value());

  constexpr int kRounds = 200;
  std::vector<double> rtt_us;
  for (int i = 1; i <= kRounds; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    WipedBytes payload(256, uint8_t(i));
    REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, sid, i, payload)).ok());
    auto got = b->receive(2s);
    REQUIRE(got.has_value());
    REQUIRE(b->send(make_msg(2, Kind::kP2P, 1, sid, i, got->payload)).ok());
    auto back = a->receive(2s);
    REQUIRE(back.has_value());
    CHECK(back->payload == payload);
    rtt_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(rtt_us.begin(), rtt_us.end());
  double median = rtt_us[rtt_us.size() / 2], p99 = rtt_us[rtt_us.size() * 99 / 100];
  std::printf("transport round trip (sign, send, verify, deliver, and back; 256-byte payload): "
              "median %.0f us, p99 %.0f us over %d\n", median, p99, kRounds);
  CHECK(median < 50000.0);  // loose: shared CI cores; a typical value is a few hundred microseconds
  CHECK(b->stats().dropped_total() == 0);
}

TEST_CASE("transport: a peer whose CURVE key is not configured cannot deliver anything", "[transport][net][zap]") {
  NodeKeys ka = make_node(1), kb = make_node(2);
  // Two impostors: an unknown party, and one claiming A's index with its own key.
  NodeKeys stranger = make_node(9, 99);
  NodeKeys fake_a = make_node(1, 99);
  LogCapture log_b, log_x;
  auto b = make_transport(kb, {&ka}, quiet_options(log_b));
  REQUIRE(b->start().ok());
  auto x = make_transport(stranger, {&kb}, quiet_options(log_x));
  auto y = make_transport(fake_a, {&kb}, quiet_options(log_x));
  REQUIRE(x->start().ok());
  REQUIRE(y->start().ok());
  const Digest32 sid = session(0x77);
  REQUIRE(x->send(make_msg(9, Kind::kBroadcast, 0, sid, 1, {1})).ok());
  REQUIRE(y->send(make_msg(1, Kind::kP2P, 2, sid, 1, {2})).ok());

  CHECK(wait_until([&] { return b->stats().zap_refused >= 2; }, 5s));
  CHECK(wait_until([&] { return x->stats().handshake_failures >= 1 && y->stats().handshake_failures >= 1; }, 5s));
  // The real A still gets through at the same time.
  auto a = make_transport(ka, {&kb}, quiet_options(log_b));
  REQUIRE(a->start().ok());
  REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, sid, 1, {3})).ok());
  auto got = b->receive(5s);
  REQUIRE(got.has_value());
  CHECK(got->payload == WipedBytes{3});
  CHECK_FALSE(b->receive(200ms).has_value());

  TransportStats sb = b->stats();
  CHECK(sb.delivered == 1);
  CHECK(sb.zap_admitted >= 1);
  CHECK(sb.dropped_total() == 0);  // refused at the handshake: nothing ever reached the decoder
  CHECK(x->stats().peers.at(0).connected == false);
  CHECK(x->stats().peers.at(0).unacked == 1);
  CHECK(log_b.any_contains("not in the roster"));
  CHECK(log_b.any_contains(z85_public(stranger.curve.public_key)));
  CHECK(log_x.any_contains("CURVE handshake failed"));
  // Logs name public keys only.
  for (const NodeKeys* k : {&kb, &stranger, &fake_a}) {
    char z85[41] = {};
    REQUIRE(zmq_z85_encode(z85, k->curve.secret.expose().data(), 32) != nullptr);
    CHECK_FALSE(log_b.any_contains(z85));
    CHECK_FALSE(log_x.any_contains(z85));
  }
}

TEST_CASE("transport: spoofed sender, bad signature, wrong recipient dropped and counted, duplicates delivered once",
          "[transport][net][adversarial]") {
  NodeKeys ka = make_node(1), kb = make_node(2), kc = make_node(3);
  LogCapture log;
  auto b = make_transport(kb, {&ka, &kc}, quiet_options(log));
  REQUIRE(b->start().ok());
  RawPeer c(kc.curve, kb.curve.public_key, kb.endpoint);  // C is configured at B, but misbehaves
  const Digest32 sid = session(0x33);

  // C relays a genuine, validly signed message of A's: its connection says C.
  Message from_a = signed_msg(ka, make_msg(1, Kind::kP2P, 2, sid, 1, {1}));
  from_a.seq = 1;
  REQUIRE(c.send(encode_data_frame(from_a)));
  // C signs with a key that is not its configured one.
  Message forged = signed_msg(ka, make_msg(3, Kind::kBroadcast, 0, sid, 1, {2}));
  forged.seq = 2;
  REQUIRE(c.send(encode_data_frame(forged)));
  // Validly signed, but addressed to party 1.
  Message misrouted = signed_msg(kc, make_msg(3, Kind::kP2P, 1, sid, 1, {3}));
  misrouted.seq = 3;
  REQUIRE(c.send(encode_data_frame(misrouted)));
  // Seq 0 is never used by a sender.
  Message seq0 = signed_msg(kc, make_msg(3, Kind::kP2P, 2, sid, 1, {4}));
  REQUIRE(c.send(encode_data_frame(seq0)));
  // A good one, twice (a retransmission whose ack was lost).
  Message good = signed_msg(kc, make_msg(3, Kind::kP2P, 2, sid, 1, {5}));
  good.seq = 7;
  REQUIRE(c.send(encode_data_frame(good)));
  REQUIRE(c.send(encode_data_frame(good)));

  auto got = b->receive(5s);
  REQUIRE(got.has_value());
  CHECK(got->from == 3);
  CHECK(got->payload == WipedBytes{5});
  REQUIRE(wait_until([&] { return b->stats().duplicates == 1; }, 3s));
  CHECK_FALSE(b->receive(100ms).has_value());
  TransportStats s = b->stats();
  CHECK(s.delivered == 1);
  CHECK(s.dropped_for(DropReason::kSenderMismatch) == 1);
  CHECK(s.dropped_for(DropReason::kBadSignature) == 1);
  CHECK(s.dropped_for(DropReason::kWrongRecipient) == 1);
  CHECK(s.dropped_for(DropReason::kMalformed) == 1);
  CHECK(s.dropped_total() == 4);
  // Both copies of the good one are acknowledged (the first ack may have been the lost one);
  // nothing that was dropped is.
  std::vector<uint64_t> acked;
  while (acked.size() < 2) {
    auto ack = c.recv(2s);
    REQUIRE(ack.has_value());
    auto seqs = decode_ack_frame(*ack);
    REQUIRE(seqs.ok());
    acked.insert(acked.end(), seqs->begin(), seqs->end());
  }
  CHECK(acked == std::vector<uint64_t>{7, 7});
  CHECK_FALSE(c.recv(100ms).has_value());
}

TEST_CASE("transport: malformed and oversized frames are dropped without crashing, counted per reason",
          "[transport][net][adversarial]") {
  NodeKeys ka = make_node(1), kb = make_node(2), kc = make_node(3);
  LogCapture log;
  auto b = make_transport(kb, {&ka, &kc}, quiet_options(log));
  REQUIRE(b->start().ok());
  RawPeer c(kc.curve, kb.curve.public_key, kb.endpoint);
  const Digest32 sid = session(0x44);
  DeterministicRng rng(test_seed(4));

  auto random_bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    rng.fill(v);
    return v;
  };
  auto data_frame = [](std::span<const uint8_t> body) {
    std::vector<uint8_t> frame{static_cast<uint8_t>(FrameType::kData)};
    frame.insert(frame.end(), body.begin(), body.end());
    return frame;
  };
  Message valid = signed_msg(kc, make_msg(3, Kind::kBroadcast, 0, sid, 1, {1, 2, 3}));
  valid.seq = 1;
  WipedBytes valid_frame = encode_data_frame(valid);

  // bad_frame: empty, unknown type byte, an ack sent to a ROUTER, two parts.
  REQUIRE(c.send({}));
  REQUIRE(c.send(std::vector<uint8_t>{0x07, 1, 2, 3}));
  REQUIRE(c.send(encode_ack_frame(std::vector<uint64_t>{1})));
  REQUIRE(c.send(valid_frame, /*more=*/true));
  REQUIRE(c.send(valid_frame));
  // malformed: random bytes, truncated envelope, wrong version.
  REQUIRE(c.send(data_frame(random_bytes(200))));
  REQUIRE(c.send(std::vector<uint8_t>(valid_frame.begin(), valid_frame.begin() + valid_frame.size() / 2)));
  {
    wire::Envelope e;
    e.set_version(protocol::kEnvelopeVersion + 1);
    e.set_session_id(sid.data(), sid.size());
    e.set_protocol("test/transport");
    e.set_from(3);
    e.set_seq(2);
    REQUIRE(c.send(data_frame(protocol::serialize_deterministic(e))));
  }
  // oversized: above our envelope limit but below ZMQ_MAXMSGSIZE, so it reaches the decoder.
  std::vector<uint8_t> big = data_frame(random_bytes(kMaxDataFrameBytes + 4096));
  REQUIRE(big.size() < static_cast<size_t>(kZmqMaxMsgSize));
  REQUIRE(c.send(big));

  bool all_counted = wait_until([&] { return b->stats().dropped_total() >= 8; }, 5s);
  TransportStats s = b->stats();
  std::string counts;
  for (size_t r = 0; r < kDropReasonCount; ++r)
    counts += std::string(drop_reason_name(static_cast<DropReason>(r))) + "=" + std::to_string(s.dropped[r]) + " ";
  INFO("dropped: " << counts << "disconnects=" << s.disconnects);
  REQUIRE(all_counted);
  CHECK(s.dropped_for(DropReason::kBadFrame) == 4);
  CHECK(s.dropped_for(DropReason::kMalformed) == 3);
  CHECK(s.dropped_for(DropReason::kOversized) == 1);
  CHECK(s.dropped_total() == 8);
  CHECK(s.delivered == 0);

  // Above ZMQ_MAXMSGSIZE libzmq cuts the connection before we see a byte;
  // the ROUTER counts the disconnect and keeps serving everyone else.
  uint64_t disconnects = s.disconnects;
  REQUIRE(c.send(std::vector<uint8_t>(static_cast<size_t>(kZmqMaxMsgSize) + 1, 0x01)));
  CHECK(wait_until([&] { return b->stats().disconnects > disconnects; }, 5s));
  CHECK(b->stats().dropped_total() == 8);

  // B is alive: the misbehaving connection comes back and a valid envelope
  // gets through, and so does an honest peer's. A frame sent while c's side of
  // the cut connection is still closing can be lost with it: c resends until B
  // has it (B drops a repeated seq, so it is delivered once).
  auto got = b->receive(0ms);
  for (int attempt = 0; attempt < 20 && !got; ++attempt) {
    REQUIRE(c.send(valid_frame));
    got = b->receive(500ms);
  }
  REQUIRE(got.has_value());
  CHECK(got->from == 3);
  auto a = make_transport(ka, {&kb}, quiet_options(log));
  REQUIRE(a->start().ok());
  REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, sid, 1, {9})).ok());
  got = b->receive(5s);
  REQUIRE(got.has_value());
  CHECK(got->from == 1);
  CHECK(b->stats().delivered == 2);
}

TEST_CASE("transport: a peer restarted mid-session receives what was sent while it was down, exactly once",
          "[transport][net][restart]") {
  NodeKeys ka = make_node(1), kb = make_node(2);
  LogCapture log;
  TransportOptions opts = quiet_options(log);
  auto a = make_transport(ka, {&kb}, opts);
  auto b = make_transport(kb, {&ka}, opts);
  REQUIRE(a->start().ok());
  REQUIRE(b->start().ok());
  const Digest32 sid = session(0x5E);
  REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, sid, 1, {0})).ok());
  REQUIRE(b->receive(5s).has_value());
  REQUIRE(wait_until([&] { return unacked_to(*a, 2) == 0; }, 3s));

  b->stop();
  b.reset();
  for (uint8_t i = 1; i <= 5; ++i) REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, sid, 2, {i})).ok());
  CHECK(unacked_to(*a, 2) == 5);

  // Same identity, same port, new process state.
  auto b2 = make_transport(kb, {&ka}, opts);
  REQUIRE(b2->start().ok());
  auto got = receive_n(*b2, 5, 8s);
  REQUIRE(got.size() == 5);
  std::vector<uint8_t> payloads;
  for (const Message& m : got) {
    CHECK(m.from == 1);
    CHECK(m.round == 2);
    payloads.push_back(m.payload.at(0));
  }
  std::sort(payloads.begin(), payloads.end());
  CHECK(payloads == std::vector<uint8_t>{1, 2, 3, 4, 5});
  CHECK(wait_until([&] { return unacked_to(*a, 2) == 0; }, 3s));
  CHECK_FALSE(b2->receive(300ms).has_value());
  CHECK(b2->stats().delivered == 5);
}

TEST_CASE("transport: retransmissions are de-duplicated at the receiver", "[transport][net][dedup]") {
  NodeKeys ka = make_node(1), kb = make_node(2);
  LogCapture log;
  TransportOptions eager = quiet_options(log);
  // Retransmit long before an ack can come back, so most envelopes arrive several times.
  eager.initial_retransmit = 1ms;
  eager.max_retransmit = 2ms;
  eager.ack_delay = 0ms;  // must stay below initial_retransmit
  auto a = make_transport(ka, {&kb}, eager);
  auto b = make_transport(kb, {&ka}, quiet_options(log));
  REQUIRE(b->start().ok());
  REQUIRE(a->start().ok());
  const Digest32 sid = session(0xDD);
  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i)
    REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, sid, 1, {uint8_t(i), uint8_t(i >> 8)})).ok());
  auto got = receive_n(*b, kCount, 10s);
  REQUIRE(got.size() == kCount);
  std::set<WipedBytes> distinct;
  for (const Message& m : got) distinct.insert(m.payload);
  CHECK(distinct.size() == kCount);
  REQUIRE(wait_until([&] { return unacked_to(*a, 2) == 0; }, 5s));
  CHECK_FALSE(b->receive(100ms).has_value());
  CHECK(a->stats().retransmits > 0);
  CHECK(b->stats().duplicates > 0);
  CHECK(b->stats().delivered == kCount);
}

TEST_CASE("transport: acks are gathered for ack_delay, one frame for a burst, none retransmitted", "[transport][net][ack]") {
  NodeKeys ka = make_node(1), kb = make_node(2);
  LogCapture log;
  TransportOptions slow_acks = quiet_options(log);
  slow_acks.ack_delay = 150ms;
  auto a = make_transport(ka, {&kb}, quiet_options(log));
  auto b = make_transport(kb, {&ka}, slow_acks);
  REQUIRE(b->start().ok());
  REQUIRE(a->start().ok());
  REQUIRE(wait_until([&] { return a->stats().peers.at(0).connected; }, 5s));
  const Digest32 sid = session(0xAC);
  constexpr int kCount = 20;
  for (int i = 0; i < kCount; ++i) REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, sid, 1, {uint8_t(i)})).ok());
  REQUIRE(receive_n(*b, kCount, 5s).size() == kCount);
  // Delivered at once, acknowledged later: the sender still holds them right after delivery.
  CHECK(unacked_to(*a, 2) > 0);
  REQUIRE(wait_until([&] { return unacked_to(*a, 2) == 0; }, 5s));
  const TransportStats sb = b->stats();
  CHECK(sb.delivered == kCount);
  CHECK(sb.acks_sent >= 1);
  CHECK(sb.acks_sent < kCount);   // gathered, not one per envelope
  CHECK(a->stats().retransmits == 0);  // 150 ms is below the 200 ms first retransmission
  CHECK(a->stats().acked == kCount);

  // An ack_delay at or above the first retransmission would make every envelope go twice: refused.
  TransportOptions bad = quiet_options(log);
  bad.ack_delay = bad.initial_retransmit;
  auto refused = Transport::create(ka.identity(), {kb.peer()}, bad);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("ack_delay"));
  bad.ack_delay = 199ms;
  CHECK(Transport::create(ka.identity(), {kb.peer()}, bad).ok());
}

TEST_CASE("transport: outbound bound refuses all-or-nothing, forget_session frees it and closes the session",
          "[transport][net][bounds]") {
  NodeKeys ka = make_node(1), kb = make_node(2), kc = make_node(3);
  LogCapture log;
  TransportOptions small = quiet_options(log);
  small.max_unacked_per_peer = 3;
  auto a = make_transport(ka, {&kb, &kc}, small);  // B and C are down
  REQUIRE(a->start().ok());
  const Digest32 s1 = session(1), s2 = session(2);
  REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, s1, 1, {1})).ok());
  REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, s1, 1, {2})).ok());
  REQUIRE(a->send(make_msg(1, Kind::kP2P, 2, s2, 1, {3})).ok());
  Status full = a->send(make_msg(1, Kind::kP2P, 2, s2, 1, {4}));
  CHECK(full.code() == Code::kFailedPrecondition);
  CHECK(full.message().find("peer 2") != std::string::npos);
  // A broadcast would overflow B's queue, so C gets nothing either.
  CHECK_FALSE(a->send(make_msg(1, Kind::kBroadcast, 0, s2, 2, {5})).ok());
  CHECK(unacked_to(*a, 3) == 0);
  CHECK(a->stats().send_refused == 2);

  a->forget_session(s1);
  CHECK(unacked_to(*a, 2) == 1);
  REQUIRE(a->send(make_msg(1, Kind::kBroadcast, 0, s2, 2, {5})).ok());
  CHECK(unacked_to(*a, 2) == 2);
  CHECK(unacked_to(*a, 3) == 1);

  // B comes up having already closed s2: it acknowledges s2's envelopes but delivers none.
  auto b = make_transport(kb, {&ka}, quiet_options(log));
  b->forget_session(s2);
  REQUIRE(b->start().ok());
  CHECK(wait_until([&] { return unacked_to(*a, 2) == 0; }, 5s));
  CHECK_FALSE(b->receive(100ms).has_value());
  CHECK(b->stats().dropped_for(DropReason::kClosedSession) >= 2);  // more if a retransmission raced an ack
  CHECK(b->stats().delivered == 0);

  // Bad arguments are refused before anything is queued.
  CHECK(a->send(make_msg(2, Kind::kP2P, 3, s2, 1, {})).code() == Code::kInvalidArgument);  // not from us
  CHECK(a->send(make_msg(1, Kind::kP2P, 7, s2, 1, {})).code() == Code::kInvalidArgument);  // unknown peer
  CHECK(a->send(make_msg(1, Kind::kP2P, 3, s2, 1, std::vector<uint8_t>(protocol::kMaxPayloadBytes + 1)))
            .code() == Code::kInvalidArgument);
}

TEST_CASE("transport: stop() returns promptly with messages in flight", "[transport][net][stop]") {
  NodeKeys ka = make_node(1), kb = make_node(2), kc = make_node(3);  // C never starts
  LogCapture log;
  auto a = make_transport(ka, {&kb, &kc}, quiet_options(log));
  auto b = make_transport(kb, {&ka, &kc}, quiet_options(log));
  REQUIRE(a->start().ok());
  REQUIRE(b->start().ok());
  const Digest32 sid = session(0x50);
  std::vector<uint8_t> payload(256 * 1024, 0x5A);
  for (int i = 0; i < 40; ++i) REQUIRE(a->send(make_msg(1, Kind::kBroadcast, 0, sid, i, payload)).ok());
  REQUIRE(b->send(make_msg(2, Kind::kBroadcast, 0, sid, 0, payload)).ok());

  // A blocked receive() on another thread is woken by stop().
  std::optional<Message> extra;
  std::thread waiter([&] {
    while (auto m = a->receive(10s)) extra = std::move(m);
  });
  auto t0 = std::chrono::steady_clock::now();
  a->stop();
  auto a_took = std::chrono::steady_clock::now() - t0;
  waiter.join();
  auto waited = std::chrono::steady_clock::now() - t0;
  t0 = std::chrono::steady_clock::now();
  b->stop();
  auto b_took = std::chrono::steady_clock::now() - t0;
  std::printf("stop() with 40 x 256 KiB broadcasts in flight: %.1f ms (sender), %.1f ms (receiver)\n",
              std::chrono::duration<double, std::milli>(a_took).count(),
              std::chrono::duration<double, std::milli>(b_took).count());
  CHECK(a_took < 1s);
  CHECK(b_took < 1s);
  CHECK(waited < 1s);
  CHECK(a->stats().peers.at(1).unacked == 40);  // C never acknowledged anything
  CHECK(a->send(make_msg(1, Kind::kBroadcast, 0, sid, 0, {})).code() == Code::kFailedPrecondition);
  a->stop();  // idempotent
}

TEST_CASE("transport: start() reports a port in use, a wildcard port is resolved", "[transport][net]") {
  NodeKeys ka = make_node(1), kb = make_node(2);
  LogCapture log;
  auto a = make_transport(ka, {&kb}, quiet_options(log));
  REQUIRE(a->start().ok());
  CHECK(a->bound_endpoint() == ka.endpoint);
  CHECK(a->start().code() == Code::kFailedPrecondition);  // once per object

  NodeKeys same_port = make_node(1, 7);  // same identity as A, and A's endpoint
  same_port.endpoint = ka.endpoint;
  auto twin = make_transport(same_port, {&kb}, quiet_options(log));
  Status s = twin->start();
  CHECK(s.code() == Code::kFailedPrecondition);
  CHECK(s.message().find("cannot listen on " + ka.endpoint) != std::string::npos);
  CHECK(twin->send(make_msg(1, Kind::kP2P, 2, session(1), 1, {})).code() == Code::kFailedPrecondition);
  twin->stop();  // harmless after a failed start

  NodeKeys wildcard = make_node(2);
  wildcard.endpoint = "tcp://127.0.0.1:*";
  auto w = make_transport(wildcard, {&ka}, quiet_options(log));
  REQUIRE(w->start().ok());
  CHECK(w->bound_endpoint().rfind("tcp://127.0.0.1:", 0) == 0);
  CHECK(w->bound_endpoint() != wildcard.endpoint);
}
