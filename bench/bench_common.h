// Shared helpers for custos-bench: process CPU / wall clocks, the libsecp256k1
// single-key signing baseline, and the fixed PUBLIC test keys the benchmarks use.
#pragma once

#include <secp256k1.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "crypto/paillier.h"
#include "crypto/point.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "sim/key_pool.h"

namespace custos::bench {

// CPU time of the whole process (all threads), in seconds.
inline double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU and wall time around a region.
struct Stopwatch {
  double cpu0 = process_cpu_seconds();
  double wall0 = wall_seconds();
  double cpu() const { return process_cpu_seconds() - cpu0; }
  double wall() const { return wall_seconds() - wall0; }
};

// The baseline signing key (fixed, public, benchmark only).
inline const std::array<uint8_t, 32>& baseline_secret_key() {
  static const std::array<uint8_t, 32> k = [] {
    std::array<uint8_t, 32> out{};
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(0x11 + 7 * i);
    return out;
  }();
  return k;
}

// One single-key libsecp256k1 ECDSA signature (RFC 6979 nonce) over a digest
// that depends on `counter`. Aborts on failure (cannot happen for a valid key).
inline secp256k1_ecdsa_signature secp256k1_sign_once(uint64_t counter) {
  std::array<uint8_t, 32> digest{};
  for (size_t i = 0; i < 8; ++i) digest[i] = static_cast<uint8_t>(counter >> (8 * i));
  digest[31] = 0x5A;
  secp256k1_ecdsa_signature sig;
  if (!secp256k1_ecdsa_sign(secp_context(), &sig, digest.data(), baseline_secret_key().data(), nullptr, nullptr)) {
    std::fprintf(stderr, "secp256k1_ecdsa_sign failed\n");
    std::abort();
  }
  return sig;
}

// Mean process CPU seconds per single-key signature over `count` signatures,
// measured now (so a ratio taken against it shares the machine's current load).
inline double secp256k1_sign_cpu_seconds(int count = 2000) {
  unsigned char sink = 0;
  Stopwatch sw;
  for (int i = 0; i < count; ++i) sink ^= secp256k1_sign_once(static_cast<uint64_t>(i)).data[0];
  double t = sw.cpu();
  volatile unsigned char keep = sink;  // keeps the loop observable
  (void)keep;
  return t / count;
}

// The fixed PUBLIC test Paillier keys (tests/data): key(0) plays the prover, key(1) the verifier.
inline const std::shared_ptr<const PaillierSecretKey>& test_key(size_t i) { return sim::test_paillier_keys().at(i); }

// Ring-Pedersen parameters over test_key(i), deterministic.
inline const RingPedersenSecret& test_aux(size_t i) {
  static const RingPedersenSecret aux0 = [] {
    DeterministicRng rng(7001, "custos/bench/aux");
    return RingPedersenSecret::generate(rng, *test_key(0));
  }();
  static const RingPedersenSecret aux1 = [] {
    DeterministicRng rng(7002, "custos/bench/aux");
    return RingPedersenSecret::generate(rng, *test_key(1));
  }();
  if (i > 1) std::abort();
  return i == 0 ? aux0 : aux1;
}

}  // namespace custos::bench
