// Protocol-phase benchmarks: keygen, aux-info, presign and online signing for
// (t, n) ∈ {(2,2), (2,3), (3,5)}, every party run in this process through the
// simulator's in-process runner (no network, no serialization to disk). The
// runner Ed25519-signs every envelope and checks it on delivery, as the node
// transport will; BM_Sign_NoEnvelopeAuth shows signing without that layer.
//
// The benchmark's own Time column is all-parties wall time and its CPU column
// the whole process's CPU time (all parties, all threads). The counters say
// the same in milliseconds per run:
//   cpu_ms_total      process CPU for one run, all parties together
//   cpu_ms_per_party  cpu_ms_total / parties taking part (n, or t for presign/sign)
//   wall_ms           wall time for one run with the parties run one after another
// Online signing adds ratio_to_secp256k1_sign: its CPU over the CPU of one
// single-key libsecp256k1 signature measured in this process just before and
// just after the loop (same machine load; the mean of the two is used).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_common.h"
#include "protocol/session.h"
#include "sim/harness.h"
#include "sim/signing.h"

namespace {

using namespace custos;
using namespace custos::bench;
using custos::protocol::PartyIndex;

std::vector<PartyIndex> first_parties(uint32_t count) {
  std::vector<PartyIndex> out;
  for (uint32_t i = 1; i <= count; ++i) out.push_back(i);
  return out;
}

// Accumulates CPU and wall per iteration and publishes the counters.
struct PhaseTimer {
  double cpu = 0, wall = 0;
  int64_t runs = 0;
  void add(const Stopwatch& sw) {
    cpu += sw.cpu();
    wall += sw.wall();
    ++runs;
  }
  void publish(benchmark::State& state, uint32_t parties) const {
    if (runs == 0) return;
    double cpu_ms = cpu / static_cast<double>(runs) * 1e3;
    state.counters["cpu_ms_total"] = cpu_ms;
    state.counters["cpu_ms_per_party"] = cpu_ms / parties;
    state.counters["wall_ms"] = wall / static_cast<double>(runs) * 1e3;
  }
};

// Keys after keygen + aux-info (fixed test Paillier keys), one set per (t, n).
const std::map<PartyIndex, sim::PartyKey>& keys_for(uint32_t t, uint32_t n) {
  static std::mutex mu;
  static std::map<std::pair<uint32_t, uint32_t>, std::map<PartyIndex, sim::PartyKey>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find({t, n});
  if (it == cache.end()) {
    it = cache.emplace(std::make_pair(t, n), sim::setup_keys(t, n, sim::test_paillier_keys(), 1000 + 10 * t + n))
             .first;
  }
  return it->second;
}

void protocol_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"t", "n"});
  b->Args({2, 2})->Args({2, 3})->Args({3, 5});
}

// ---------------------------------------------------------------------------
// Keygen (Fig 5 + Feldman): all n parties.

void BM_Keygen(benchmark::State& state) {
  const auto t = static_cast<uint32_t>(state.range(0));
  const auto n = static_cast<uint32_t>(state.range(1));
  uint64_t seed = 1;
  PhaseTimer timer;
  for (auto _ : state) {
    Stopwatch sw;
    auto r = sim::run_keygen(t, n, seed++);
    timer.add(sw);
    if (r.outputs.size() != n) {
      state.SkipWithError("keygen failed");
      break;
    }
  }
  timer.publish(state, n);
}
BENCHMARK(BM_Keygen)->Apply(protocol_args)->MeasureProcessCPUTime()->UseRealTime()->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------
// Aux-info (Fig 6): one party's fresh Paillier key (two 1024-bit safe primes on two
// threads), then the protocol for all n parties with the fixed test keys. A real party
// pays its fresh key plus its share of the protocol; aux_ms_per_party_incl_fresh_key
// adds the two when both benchmarks ran (the fresh-key one runs first).

struct FreshKeyCost {
  double wall_ms = 0, cpu_ms = 0;
  bool measured = false;
};
FreshKeyCost& fresh_key_cost() {
  static FreshKeyCost c;
  return c;
}

int fresh_key_iterations() {
  const char* e = std::getenv("CUSTOS_BENCH_KEYGEN_ITERS");
  int v = e ? std::atoi(e) : 0;
  return v > 0 ? v : 6;
}

void BM_AuxInfo_FreshPaillierKey(benchmark::State& state) {
  OsRng rng;
  PhaseTimer timer;
  for (auto _ : state) {
    Stopwatch sw;
    PaillierSecretKey sk = PaillierSecretKey::generate(rng, 2048);
    timer.add(sw);
    benchmark::DoNotOptimize(sk.n().get());
  }
  timer.publish(state, 1);
  if (timer.runs > 0) {
    fresh_key_cost() = {timer.wall / static_cast<double>(timer.runs) * 1e3,
                        timer.cpu / static_cast<double>(timer.runs) * 1e3, true};
  }
}
BENCHMARK(BM_AuxInfo_FreshPaillierKey)
    ->Iterations(fresh_key_iterations())
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_AuxInfo(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(1));
  const auto parties = first_parties(n);
  const auto& keys = sim::test_paillier_keys();
  if (keys.size() < n) {
    state.SkipWithError("not enough test Paillier keys");
    return;
  }
  uint64_t seed = 1;
  PhaseTimer timer;
  for (auto _ : state) {
    Stopwatch sw;
    auto r = sim::run_aux_info(parties, keys, seed++);
    timer.add(sw);
    if (r.outputs.size() != n) {
      state.SkipWithError("aux-info failed");
      break;
    }
  }
  timer.publish(state, n);
  const FreshKeyCost& fk = fresh_key_cost();
  if (fk.measured && timer.runs > 0) {
    double proto_ms = timer.cpu / static_cast<double>(timer.runs) * 1e3 / n;
    // Own key generation runs on both cores (wall), the protocol share on one.
    state.counters["aux_ms_per_party_incl_fresh_key"] = fk.wall_ms + proto_ms;
    state.counters["aux_cpu_ms_per_party_incl_fresh_key"] = fk.cpu_ms + proto_ms;
  }
}
BENCHMARK(BM_AuxInfo)
    ->Apply(protocol_args)
    ->Iterations(3)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------
// Presign (Fig 7): the first t parties sign. One run = one presignature for every signer.

void presign_bench(benchmark::State& state, bool threaded) {
  const auto t = static_cast<uint32_t>(state.range(0));
  const auto n = static_cast<uint32_t>(state.range(1));
  const auto& keys = keys_for(t, n);
  const auto signers = first_parties(t);
  protocol::Executor ex = threaded ? protocol::thread_executor(2) : protocol::sequential_executor();
  uint64_t seed = 1;
  PhaseTimer timer;
  for (auto _ : state) {
    Stopwatch sw;
    auto r = sim::run_presign(keys, signers, seed++, {}, {}, ex);
    timer.add(sw);
    if (r.outputs.size() != t) {
      state.SkipWithError("presign failed");
      break;
    }
  }
  timer.publish(state, t);
}

void BM_Presign(benchmark::State& state) { presign_bench(state, false); }
BENCHMARK(BM_Presign)
    ->Apply(protocol_args)
    ->MinTime(2.0)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Same, each party verifying its peers' messages on 2 threads (protocol::thread_executor).
// Only rounds with two or more peers parallelise, so (2, n) gains nothing.
void BM_Presign_Threads2(benchmark::State& state) { presign_bench(state, true); }
BENCHMARK(BM_Presign_Threads2)
    ->Apply(protocol_args)
    ->MinTime(2.0)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------
// Online signing (Fig 8): all t signers, combine, low-s normalise and verify.
// Presignatures are made outside the timed loop and cycled through (each always
// with the same digest, so a reuse signs the same message again; production code
// must never reuse a presignature).

struct SignPool {
  std::vector<std::map<PartyIndex, cggmp21::Presignature>> presignatures;
  std::vector<Digest32> digests;
};

// A few presignatures per (t, n), made once (the benchmark function runs several times).
const SignPool* sign_pool(uint32_t t, uint32_t n) {
  static std::mutex mu;
  static std::map<std::pair<uint32_t, uint32_t>, SignPool> cache;
  constexpr size_t kPool = 4;
  const auto& keys = keys_for(t, n);
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find({t, n});
  if (it != cache.end()) return &it->second;
  SignPool pool;
  for (size_t i = 0; i < kPool; ++i) {
    auto r = sim::run_presign(keys, first_parties(t), 500 + i);
    if (r.outputs.size() != t) return nullptr;
    pool.presignatures.push_back(std::move(r.outputs));
    Digest32 d{};
    d.fill(static_cast<uint8_t>(0x40 + i));
    pool.digests.push_back(d);
  }
  return &cache.emplace(std::make_pair(t, n), std::move(pool)).first->second;
}

// The simulator Ed25519-signs every envelope and verifies it on delivery (as the node
// transport will). `auth = false` turns that off to isolate the protocol's own cost
// (a no-op if the runner has no such switch).
template <class Options>
void set_envelope_auth(Options& o, bool on) {
  if constexpr (requires { o.sign; }) o.sign = on;
}

void sign_bench(benchmark::State& state, bool auth) {
  const auto t = static_cast<uint32_t>(state.range(0));
  const auto n = static_cast<uint32_t>(state.range(1));
  const auto& keys = keys_for(t, n);
  const SignPool* pool = sign_pool(t, n);
  if (!pool) {
    state.SkipWithError("presign failed");
    return;
  }
  const size_t kPool = pool->presignatures.size();
  const Scalar tweak;  // root key

  double base_before = secp256k1_sign_cpu_seconds(2000);
  sim::SchedulerOptions opt;
  set_envelope_auth(opt, auth);
  uint64_t seed = 1;
  size_t k = 0;
  PhaseTimer timer;
  for (auto _ : state) {
    Stopwatch sw;
    opt.seed = seed++;
    auto r = sim::run_sign(keys, pool->presignatures[k], pool->digests[k], tweak, opt.seed, opt);
    timer.add(sw);
    if (r.outputs.size() != t) {
      state.SkipWithError("sign failed");
      break;
    }
    k = (k + 1) % kPool;
  }
  double base_after = secp256k1_sign_cpu_seconds(2000);
  timer.publish(state, t);
  if (timer.runs > 0) {
    double base = (base_before + base_after) / 2;
    double sign_cpu = timer.cpu / static_cast<double>(timer.runs);
    state.counters["secp256k1_sign_us"] = base * 1e6;
    state.counters["ratio_to_secp256k1_sign"] = sign_cpu / base;
  }
}
void BM_Sign(benchmark::State& state) { sign_bench(state, true); }
BENCHMARK(BM_Sign)->Apply(protocol_args)->MeasureProcessCPUTime()->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_Sign_NoEnvelopeAuth(benchmark::State& state) { sign_bench(state, false); }
BENCHMARK(BM_Sign_NoEnvelopeAuth)
    ->Apply(protocol_args)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// Online signing with the sessions driven directly (FIFO delivery, no Ed25519 envelope
// layer, no per-run identity keys): the protocol's own cost for all signers.
void BM_Sign_SessionsOnly(benchmark::State& state) {
  const auto t = static_cast<uint32_t>(state.range(0));
  const auto n = static_cast<uint32_t>(state.range(1));
  const auto& keys = keys_for(t, n);
  const SignPool* pool = sign_pool(t, n);
  if (!pool) {
    state.SkipWithError("presign failed");
    return;
  }
  const size_t kPool = pool->presignatures.size();
  const Scalar tweak;
  std::vector<std::shared_ptr<const cggmp21::Presignature>> shared;  // made once: not part of signing
  for (const auto& m : pool->presignatures)
    for (const auto& [p, ps] : m) shared.push_back(std::make_shared<const cggmp21::Presignature>(ps));
  std::map<PartyIndex, std::unique_ptr<DeterministicRng>> rngs;
  for (PartyIndex p : first_parties(t)) rngs[p] = std::make_unique<DeterministicRng>(p, "custos/bench/sign");

  double base_before = secp256k1_sign_cpu_seconds(2000);
  uint64_t seed = 1;
  size_t k = 0;
  PhaseTimer timer;
  for (auto _ : state) {
    Stopwatch sw;
    Digest32 sid{};
    for (size_t b = 0; b < 8; ++b) sid[b] = static_cast<uint8_t>(seed >> (8 * b));
    ++seed;
    std::map<PartyIndex, protocol::Session<cggmp21::SignOutput>> sessions;
    size_t idx = k * t;
    for (PartyIndex p : first_parties(t)) {
      cggmp21::SignConfig cfg{sid, keys.at(p).share, shared[idx++], pool->digests[k], tweak};
      auto sess = cggmp21::make_sign_session(cfg, *rngs.at(p));
      if (!sess.ok()) {
        state.SkipWithError("make_sign_session failed");
        return;
      }
      sessions.emplace(p, std::move(sess).value());
    }
    std::vector<std::pair<protocol::Message, PartyIndex>> queue;
    auto collect = [&](PartyIndex from) {
      for (protocol::Message& m : sessions.at(from).take_outgoing()) {
        if (m.kind == protocol::Kind::kP2P) {
          PartyIndex to = m.to;
          queue.emplace_back(std::move(m), to);
        } else {
          for (auto& [q, unused] : sessions)
            if (q != from) queue.emplace_back(m, q);
        }
      }
    };
    for (auto& [p, sess] : sessions) {
      sess.advance(*rngs.at(p));
      collect(p);
    }
    for (size_t i = 0; i < queue.size(); ++i) {
      auto [m, to] = queue[i];
      (void)sessions.at(to).handle(m, *rngs.at(to));
      collect(to);
    }
    size_t done = 0;
    for (auto& [p, sess] : sessions) done += sess.output().has_value();
    timer.add(sw);
    if (done != t) {
      state.SkipWithError("sign failed");
      break;
    }
    k = (k + 1) % kPool;
  }
  double base_after = secp256k1_sign_cpu_seconds(2000);
  timer.publish(state, t);
  if (timer.runs > 0) {
    double base = (base_before + base_after) / 2;
    state.counters["secp256k1_sign_us"] = base * 1e6;
    state.counters["ratio_to_secp256k1_sign"] = timer.cpu / static_cast<double>(timer.runs) / base;
  }
}
BENCHMARK(BM_Sign_SessionsOnly)
    ->Apply(protocol_args)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The simulator's envelope layer on its own: identity keys for two parties (per run),
// one Ed25519 signature and one verification of a sign-round-sized envelope.
void BM_Envelope_Ed25519_Keys2(benchmark::State& state) {
  uint64_t seed = 1;
  for (auto _ : state) {
    sim::PartySigners s(seed++, {1, 2});
    benchmark::DoNotOptimize(&s);
  }
}
BENCHMARK(BM_Envelope_Ed25519_Keys2)->Unit(benchmark::kMicrosecond);

protocol::Message sample_envelope() {
  protocol::Message m;
  m.protocol = cggmp21::kSignProtocol;
  m.round = 1;
  m.from = 1;
  m.payload.assign(40, 0xAB);
  return m;
}

void BM_Envelope_Ed25519_Sign(benchmark::State& state) {
  sim::PartySigners s(1, {1, 2});
  protocol::Message m = sample_envelope();
  for (auto _ : state) {
    s.sign(m);
    benchmark::DoNotOptimize(m.signature.data());
  }
}
BENCHMARK(BM_Envelope_Ed25519_Sign)->Unit(benchmark::kMicrosecond);

void BM_Envelope_Ed25519_Verify(benchmark::State& state) {
  sim::PartySigners s(1, {1, 2});
  protocol::Message m = sample_envelope();
  s.sign(m);
  for (auto _ : state) {
    bool ok = s.verify(m);
    if (!ok) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Envelope_Ed25519_Verify)->Unit(benchmark::kMicrosecond);

}  // namespace
