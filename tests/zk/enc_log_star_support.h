// Shared fixtures for the Πenc and Πlog* tests: fixed Paillier keys (never
// generated fresh), ring-Pedersen parameters, and a scripted RNG that lets a
// test pin the prover's first random draw (α) to an exact boundary value.
#pragma once

#include <deque>
#include <memory>

#include "crypto/paillier.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "crypto/zk/context.h"
#include "crypto/zk/params.h"
#include "tests/paillier_fixtures.h"

namespace custos::zk1_testing {

struct PaillierEnv {
  std::shared_ptr<const PaillierSecretKey> prover_key;    // N0
  std::shared_ptr<const PaillierSecretKey> verifier_key;  // the verifier's own N
  std::shared_ptr<const RingPedersenSecret> verifier_aux; // R_j, the verifier's aux
  std::shared_ptr<const RingPedersenSecret> other_aux;    // R_k, somebody else's aux
};

inline const PaillierEnv& env() {
  static const PaillierEnv e = [] {
    auto primes = custos::testing::load_test_safe_primes();
    if (primes.size() < 2) std::abort();
    auto key = [&](size_t i) {
      auto sk = PaillierSecretKey::from_primes(primes[i].first, primes[i].second);
      if (!sk.ok()) std::abort();
      return std::make_shared<const PaillierSecretKey>(std::move(sk).value());
    };
    PaillierEnv out;
    out.prover_key = key(0);
    out.verifier_key = key(1);
    DeterministicRng rng(4242, "zk1/aux");
    out.verifier_aux = std::make_shared<const RingPedersenSecret>(RingPedersenSecret::generate(rng, *out.verifier_key));
    auto third = primes.size() > 2 ? key(2) : out.verifier_key;
    out.other_aux = std::make_shared<const RingPedersenSecret>(RingPedersenSecret::generate(rng, *third));
    return out;
  }();
  return e;
}

inline zk::ProofContext make_ctx(uint64_t prover = 1, uint64_t verifier = 2) {
  zk::ProofContext ctx;
  ctx.sid.fill(0x5A);
  ctx.prover = prover;
  ctx.verifier = verifier;
  return ctx;
}

// Emits the scripted bytes first, then a deterministic stream.
class ScriptedRng final : public Rng {
 public:
  explicit ScriptedRng(uint64_t seed) : rest_(seed, "zk1/scripted") {}
  void push(const std::vector<uint8_t>& b) { script_.insert(script_.end(), b.begin(), b.end()); }
  void fill(std::span<uint8_t> out) override {
    size_t i = 0;
    for (; i < out.size() && !script_.empty(); ++i) {
      out[i] = script_.front();
      script_.pop_front();
    }
    if (i < out.size()) rest_.fill(out.subspan(i));
  }

 private:
  std::deque<uint8_t> script_;
  DeterministicRng rest_;
};

// Bytes that make BigInt::random_symmetric(rng, 2^(ℓ+ε)) return exactly `alpha`
// (it draws r below 2·bound+1 and returns r − bound).
inline std::vector<uint8_t> alpha_script(const BigInt& alpha) {
  const BigInt& bound = zk::pow2(zk::kEll + zk::kEpsilon);
  BigInt width = (bound << 1) + BigInt(1);
  return (alpha + bound).to_bytes_padded((width.bit_length() + 7) / 8);
}

}  // namespace custos::zk1_testing
