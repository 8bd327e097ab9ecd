// Shared fixtures for the Πaff-g, Πmul, Πdec and Πmul* tests: fixed Paillier keys (never
// generated fresh), ring-Pedersen parameters, a scripted RNG that pins the prover's first
// random draws (to reach exact range boundaries), and table helpers for tampering and decoding.
#pragma once

#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crypto/paillier.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "crypto/zk/context.h"
#include "crypto/zk/params.h"
#include "tests/paillier_fixtures.h"

namespace custos::zk2_testing {

struct Env {
  std::shared_ptr<const PaillierSecretKey> prover_key;    // the prover's own N (N1 in Πaff-g)
  std::shared_ptr<const PaillierSecretKey> verifier_key;  // the verifier's own N (N0 in Πaff-g)
  std::shared_ptr<const RingPedersenSecret> verifier_aux; // the verifier's aux, over verifier_key
  std::shared_ptr<const RingPedersenSecret> other_aux;    // a third party's aux
  std::shared_ptr<const PaillierSecretKey> other_key;     // a third party's N
};

inline const Env& env() {
  static const Env e = [] {
    auto primes = custos::testing::load_test_safe_primes();
    if (primes.size() < 2) std::abort();
    auto key = [&](size_t i) {
      auto sk = PaillierSecretKey::from_primes(primes[i].first, primes[i].second);
      if (!sk.ok()) std::abort();
      return std::make_shared<const PaillierSecretKey>(std::move(sk).value());
    };
    Env out;
    out.prover_key = key(0);
    out.verifier_key = key(1);
    out.other_key = primes.size() > 2 ? key(2) : out.prover_key;
    DeterministicRng rng(2718, "zk2/aux");
    out.verifier_aux = std::make_shared<const RingPedersenSecret>(RingPedersenSecret::generate(rng, *out.verifier_key));
    out.other_aux = std::make_shared<const RingPedersenSecret>(RingPedersenSecret::generate(rng, *out.other_key));
    return out;
  }();
  return e;
}

inline zk::ProofContext make_ctx(uint64_t prover = 1, uint64_t verifier = 2) {
  zk::ProofContext ctx;
  ctx.sid.fill(0x3C);
  ctx.prover = prover;
  ctx.verifier = verifier;
  return ctx;
}

// Emits the scripted bytes first, then a deterministic stream.
class ScriptedRng final : public Rng {
 public:
  explicit ScriptedRng(uint64_t seed) : rest_(seed, "zk2/scripted") {}
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

// Bytes that make BigInt::random_symmetric(rng, bound) return exactly v (it draws
// r below 2·bound+1, one attempt of ⌈bits/8⌉ bytes, and returns r − bound).
inline std::vector<uint8_t> symmetric_script(const BigInt& v, const BigInt& bound) {
  BigInt width = (bound << 1) + BigInt(1);
  return (v + bound).to_bytes_padded((width.bit_length() + 7) / 8);
}

// A random unit mod m that is not 1, and a fresh nonce.
inline BigInt unit(Rng& rng, const BigInt& m) { return BigInt::random_unit(rng, m); }

template <typename Proof>
struct Tamper {
  std::string name;
  std::function<void(Proof&)> mutate;
};

// Applies each mutation to a copy of `honest` and expects `verify` to reject it with a
// message that names the proof (prefix).
template <typename Proof>
void expect_tampers_fail(const Proof& honest, const std::vector<Tamper<Proof>>& table,
                         const std::function<Status(const Proof&)>& verify, const std::string& prefix) {
  for (const auto& t : table) {
    INFO("tampered field: " << t.name);
    Proof p = honest;
    t.mutate(p);
    Status s = verify(p);
    CHECK_FALSE(s.ok());
    CHECK(s.message().rfind(prefix, 0) == 0);
  }
}

// Every strict prefix, the empty input and one trailing byte must be rejected at decode.
template <typename DecodeFn>
void expect_decode_limits(const std::vector<uint8_t>& good, DecodeFn decode) {
  REQUIRE(decode(std::span<const uint8_t>(good)).ok());
  CHECK_FALSE(decode(std::span<const uint8_t>()).ok());
  for (size_t len = 0; len < good.size(); ++len) {
    if (decode(std::span<const uint8_t>(good.data(), len)).ok()) {
      FAIL("a truncated encoding of " << len << " bytes decoded");
    }
  }
  std::vector<uint8_t> trailing = good;
  trailing.push_back(0);
  CHECK_FALSE(decode(std::span<const uint8_t>(trailing)).ok());
}

// A 10^6-bit integer in the codec's sign-magnitude form.
inline BigInt huge_integer() { return BigInt::power_of_two(1000000) - BigInt(1); }

}  // namespace custos::zk2_testing
