// End-to-end check that Shamir shares in flight do not survive in freed memory (docs/security.md,
// "Wiping secrets"). This program replaces the global operator new/delete: every block freed through
// operator delete is searched for the shares sent in a keygen and a key refresh, before it goes back to
// malloc.
//
// Method. The simulator is deterministic for a seed, so each phase runs twice:
//   1. a recording run: a pass-through hook on every party reads the share out of each keygen round-2
//      and refresh round-3 p2p message (the patterns: each share big-endian, as on the wire, and
//      little-endian, as in a Scalar's limbs);
//   2. the checked run, same seed: every freed block that contains a pattern is a failure.
// The second run must produce the same outputs as the first (else the patterns would be stale and the
// check vacuous), and two canaries show that the search finds a share in an unwiped freed block.
//
// A last part sends a share-carrying envelope between two real Transports over CURVE on 127.0.0.1.
// Blocks that libzmq itself frees (its CURVE encoder's plaintext copy, docs/security.md gap 8) are
// counted apart, by the stack: none of ours may hold the share.
//
// Scope: C++ allocations (protobuf, std::string, std::vector, the protocol's own containers, libzmq's
// internals). C allocations (malloc in OpenSSL, libsecp256k1 or libsodium) and the stack are not
// searched; GMP's heap goes through the wiping allocator of crypto/bigint.cpp.
#include <arpa/inet.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>

#include "node/transport/identity.h"
#include "node/transport/transport.h"
#include "protocol/proto/cggmp21.pb.h"
#include "protocol/wire.h"
#include "sim/harness.h"

using namespace custos;
using protocol::PartyIndex;

namespace {

constexpr size_t kMaxPatterns = 128;
std::array<std::array<uint8_t, 32>, kMaxPatterns> g_patterns;
std::atomic<size_t> g_pattern_count{0};
std::atomic<bool> g_armed{false};
std::atomic<size_t> g_hits{0};
std::atomic<size_t> g_zmq_hits{0};  // freed by libzmq's own code (counted apart)
std::atomic<size_t> g_inspected{0};
std::array<std::atomic<size_t>, 8> g_hit_sizes{};
bool g_trace = false;  // WIPE_CHECK_TRACE=1: print the stack of each freed block that holds a share

// Whether operator delete was called from code in libzmq.so. Our own free function for the frames
// we hand libzmq (send_wiped) is called by libzmq and ends in a tail call to operator delete[], so
// its frees count as libzmq's too: the transport part bounds libzmq's count to one per transmission.
bool freed_by_libzmq(void* caller) {
  Dl_info info{};
  return dladdr(caller, &info) != 0 && info.dli_fname != nullptr && std::strstr(info.dli_fname, "libzmq") != nullptr;
}

void inspect(void* p, void* caller) {
  if (p == nullptr || !g_armed.load(std::memory_order_relaxed)) return;
  const size_t n = malloc_usable_size(p);
  g_inspected.fetch_add(1, std::memory_order_relaxed);
  const size_t count = g_pattern_count.load(std::memory_order_acquire);
  for (size_t i = 0; i < count; ++i) {
    if (memmem(p, n, g_patterns[i].data(), 32) != nullptr) {
      if (freed_by_libzmq(caller)) {
        g_zmq_hits.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      size_t k = g_hits.fetch_add(1, std::memory_order_relaxed);
      if (k < g_hit_sizes.size()) g_hit_sizes[k].store(n, std::memory_order_relaxed);
      if (g_trace) {
        void* frames[32];
        int depth = backtrace(frames, 32);
        backtrace_symbols_fd(frames, depth, STDERR_FILENO);
        (void)!write(STDERR_FILENO, "--\n", 3);
      }
      return;
    }
  }
}

void add_pattern(const uint8_t* big_endian) {
  size_t i = g_pattern_count.load();
  if (i + 2 > kMaxPatterns) {
    std::fprintf(stderr, "wipe_check: too many patterns\n");
    std::abort();
  }
  std::memcpy(g_patterns[i].data(), big_endian, 32);
  for (size_t b = 0; b < 32; ++b) g_patterns[i + 1][b] = big_endian[31 - b];
  g_pattern_count.store(i + 2, std::memory_order_release);
}

void* allocate(size_t n) {
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* allocate_aligned(size_t n, std::align_val_t a) {
  const size_t align = static_cast<size_t>(a);
  if (void* p = std::aligned_alloc(align, ((n ? n : 1) + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
void release(void* p, void* caller) noexcept {
  inspect(p, caller);
  std::free(p);
}

}  // namespace

void* operator new(size_t n) { return allocate(n); }
void* operator new[](size_t n) { return allocate(n); }
void* operator new(size_t n, std::align_val_t a) { return allocate_aligned(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return allocate_aligned(n, a); }
void operator delete(void* p) noexcept { release(p, __builtin_return_address(0)); }
void operator delete[](void* p) noexcept { release(p, __builtin_return_address(0)); }
void operator delete(void* p, size_t) noexcept { release(p, __builtin_return_address(0)); }
void operator delete[](void* p, size_t) noexcept { release(p, __builtin_return_address(0)); }
void operator delete(void* p, std::align_val_t) noexcept { release(p, __builtin_return_address(0)); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p, __builtin_return_address(0)); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { release(p, __builtin_return_address(0)); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { release(p, __builtin_return_address(0)); }

namespace {

constexpr uint64_t kSeed = 0x5eed;
bool g_failed = false;

void verdict(const char* name, bool ok, const std::string& detail) {
  std::printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", name, detail.empty() ? "" : ": ", detail.c_str());
  g_failed |= !ok;
}

std::string hits_detail() {
  std::string s = std::to_string(g_hits.load()) + " of " + std::to_string(g_inspected.load()) +
                  " freed blocks hold a share";
  if (g_hits.load() > 0) {
    s += " (block sizes:";
    for (size_t k = 0; k < std::min(g_hits.load(), g_hit_sizes.size()); ++k) s += " " + std::to_string(g_hit_sizes[k].load());
    s += ")";
  }
  return s;
}

void arm() {
  g_hits = 0;
  g_zmq_hits = 0;
  g_inspected = 0;
  g_armed = true;
}

// A pass-through hook for every party: records the share of each matching p2p message while `recording`.
template <class P>
std::map<PartyIndex, sim::Tamper> share_recorders(uint32_t n, const std::string& protocol, uint32_t round,
                                                  const std::string& (P::*field)() const, const bool* recording) {
  std::map<PartyIndex, sim::Tamper> hooks;
  for (PartyIndex p = 1; p <= n; ++p) {
    hooks[p] = [=](const protocol::Message& m, PartyIndex) {
      if (*recording && m.protocol == protocol && m.round == round && m.kind == protocol::Kind::kP2P) {
        auto parsed = protocol::parse_payload<P>(m.payload);
        if (!parsed.ok() || ((*parsed).*field)().size() != 32) {
          std::fprintf(stderr, "wipe_check: no share in %s\n", m.describe().c_str());
          std::abort();
        }
        add_pattern(reinterpret_cast<const uint8_t*>(((*parsed).*field)().data()));
      }
      return std::vector<protocol::Message>{m};
    };
  }
  return hooks;
}

void canaries() {
  uint8_t secret[32];
  for (size_t i = 0; i < 32; ++i) secret[i] = static_cast<uint8_t>(0xC0 + i);
  add_pattern(secret);
  arm();
  {
    std::string unwiped(64, 'x');  // one heap buffer, never reallocated
    std::memcpy(unwiped.data(), secret, 32);
  }
  g_armed = false;
  verdict("canary: an unwiped string holding a share is found", g_hits.load() == 1, hits_detail());
  arm();
  {
    std::string wiped(64, 'x');
    std::memcpy(wiped.data(), secret, 32);
    wipe_string(wiped);
  }
  {
    WipedBytes bytes(secret, secret + 32);
    bytes.resize(4096);  // the outgrown buffer is freed too
  }
  g_armed = false;
  verdict("canary: the same string after wipe_string, and a WipedBytes, are not", g_hits.load() == 0, hits_detail());
  g_pattern_count = 0;
}

void keygen() {
  bool recording = true;
  auto hooks = share_recorders<wire::KeygenShare>(3, cggmp21::kKeygenProtocol, 2, &wire::KeygenShare::share, &recording);
  auto first = sim::run_keygen(2, 3, kSeed, {}, hooks);
  recording = false;
  const size_t patterns = g_pattern_count.load();
  arm();
  auto second = sim::run_keygen(2, 3, kSeed, {}, hooks);
  g_armed = false;
  bool same = first.outputs.size() == 3 && second.outputs.size() == 3;
  for (auto& [p, ks] : first.outputs) same = same && second.outputs.count(p) && second.outputs.at(p).secret_share == ks.secret_share;
  verdict("keygen (2,3): both runs complete with the same shares", same, "");
  verdict("keygen (2,3): the 6 shares sent were recorded", patterns == 12, std::to_string(patterns / 2) + " shares");
  verdict("keygen (2,3): no freed block holds a share", g_hits.load() == 0, hits_detail());
  g_pattern_count = 0;
}

void refresh() {
  auto kg = sim::run_keygen(2, 3, kSeed + 1);
  if (kg.outputs.size() != 3) {
    verdict("refresh: keygen before it", false, "keygen failed");
    return;
  }
  const std::vector<PartyIndex> parties{1, 2, 3};
  const auto& keys = sim::test_paillier_keys();
  bool recording = true;
  auto hooks = share_recorders<wire::AuxPrivate>(3, cggmp21::kRefreshProtocol, 3, &wire::AuxPrivate::refresh_share,
                                                 &recording);
  auto first = sim::run_aux_info(parties, keys, kSeed, &kg.outputs, {}, hooks);
  recording = false;
  const size_t patterns = g_pattern_count.load();
  arm();
  auto second = sim::run_aux_info(parties, keys, kSeed, &kg.outputs, {}, hooks);
  g_armed = false;
  bool same = first.outputs.size() == 3 && second.outputs.size() == 3;
  for (auto& [p, out] : first.outputs) {
    same = same && second.outputs.count(p) && out.share && second.outputs.at(p).share &&
           second.outputs.at(p).share->secret_share == out.share->secret_share;
  }
  verdict("refresh (2,3): both runs complete with the same new shares", same, "");
  verdict("refresh (2,3): the 6 shares sent were recorded", patterns == 12, std::to_string(patterns / 2) + " shares");
  verdict("refresh (2,3): no freed block holds a share", g_hits.load() == 0, hits_detail());
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    std::fprintf(stderr, "wipe_check: no free port\n");
    std::abort();
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

struct Node {
  node::LocalIdentity identity;
  node::PeerInfo peer;
};

Node make_node(PartyIndex id) {
  DeterministicRng rng(kSeed, "custos/test/wipe/" + std::to_string(id));
  auto curve = node::make_curve_keypair(rng);
  SecretBytes seed(32);
  rng.fill(seed.expose_mut());
  auto ed_public = node::ed25519_public_from_seed(seed);
  if (!curve.ok() || !ed_public.ok()) std::abort();
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_port());
  Node n{node::LocalIdentity{id, endpoint, curve->secret.clone(), curve->public_key, std::move(seed)},
         node::PeerInfo{id, endpoint, curve->public_key, *ed_public}};
  return n;
}

template <class Pred>
bool wait_for(Pred pred) {
  for (int k = 0; k < 1000; ++k) {  // 10 s
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void transport() {
  Node a = make_node(1), b = make_node(2);
  node::TransportOptions quiet;
  quiet.log = [](std::string_view) {};
  auto ta = node::Transport::create(a.identity.clone(), {b.peer}, quiet);
  auto tb = node::Transport::create(b.identity.clone(), {a.peer}, quiet);
  if (!ta.ok() || !tb.ok() || !(*ta)->start().ok() || !(*tb)->start().ok()) {
    verdict("transport: two nodes start", false, "");
    return;
  }
  auto connected = [](node::Transport& t) {
    auto st = t.stats();
    return !st.peers.empty() && st.peers[0].connected;
  };
  verdict("transport: two nodes connect over CURVE", wait_for([&] { return connected(**ta) && connected(**tb); }), "");

  uint8_t share[32];
  DeterministicRng rng(kSeed, "custos/test/wipe/share");
  rng.fill(share);
  add_pattern(share);
  arm();
  bool delivered = false;
  {
    wire::KeygenShare w;
    w.mutable_share()->assign(reinterpret_cast<const char*>(share), 32);
    protocol::Message m;
    m.protocol = cggmp21::kKeygenProtocol;
    m.session_id.fill(7);
    m.round = 2;
    m.kind = protocol::Kind::kP2P;
    m.from = 1;
    m.to = 2;
    m.payload = protocol::serialize_deterministic(w);
    wipe_string(*w.mutable_share());
    const WipedBytes sent = m.payload;
    if ((*ta)->send(std::move(m)).ok()) {
      auto got = (*tb)->receive(std::chrono::seconds(10));
      delivered = got.has_value() && got->payload == sent;
    }
    wait_for([&] { return (*ta)->stats().acked == 1; });
  }
  const uint64_t transmissions = (*ta)->stats().transmissions;
  (*ta)->stop();
  (*tb)->stop();
  ta->reset();
  tb->reset();
  g_armed = false;
  verdict("transport: the share-carrying envelope is delivered and acknowledged", delivered, "");
  verdict("transport: no freed block of ours holds the share", g_hits.load() == 0, hits_detail());
  // libzmq's CURVE encoder copies each transmitted frame into a buffer it frees unwiped (security.md
  // gap 8): at most one such block per transmission. One more would be the copy send_wiped hands
  // libzmq, freed unwiped.
  verdict("transport: at most one block per transmission freed by libzmq holds it (its CURVE copy)",
          g_zmq_hits.load() <= transmissions,
          std::to_string(g_zmq_hits.load()) + " blocks, " + std::to_string(transmissions) + " transmissions");
  g_pattern_count = 0;
}

}  // namespace

int main() {
  const char* trace = std::getenv("WIPE_CHECK_TRACE");
  g_trace = trace != nullptr && std::string(trace) == "1";
  canaries();
  keygen();
  refresh();
  transport();
  std::printf(g_failed ? "wipe_check: FAILED\n" : "wipe_check: all passed\n");
  return g_failed ? 1 : 0;
}
