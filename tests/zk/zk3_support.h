// Shared helpers for the Πmod / Πprm / Πfac tests: fixture keys (never fresh safe
// primes) and builders for deliberately bad moduli from ordinary primes (fast).
#pragma once

#include <catch2/catch.hpp>

#include <gmp.h>

#include <map>
#include <memory>
#include <utility>

#include "crypto/bigint.h"
#include "crypto/paillier.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "crypto/zk/context.h"
#include "tests/paillier_fixtures.h"

namespace custos::testing::zk3 {

// Fixture key i (0 = prover, 1 = verifier, 2 = third party, ...). With fewer fixture pairs
// than keys, primes from different pairs are combined (still two distinct safe primes).
inline const PaillierSecretKey& key(size_t i) {
  static std::map<size_t, std::unique_ptr<PaillierSecretKey>> cache;
  auto it = cache.find(i);
  if (it != cache.end()) return *it->second;
  const auto& pairs = load_test_safe_primes();
  REQUIRE(pairs.size() >= 2);
  BigInt p, q;
  if (i < pairs.size()) {
    p = pairs[i].first;
    q = pairs[i].second;
  } else {
    size_t k = i - pairs.size();
    p = pairs[k % pairs.size()].first;
    q = pairs[(k + 1) % pairs.size()].second;
  }
  auto sk = PaillierSecretKey::from_primes(p, q);
  REQUIRE(sk.ok());
  return *cache.emplace(i, std::make_unique<PaillierSecretKey>(std::move(sk).value())).first->second;
}

// Ring-Pedersen parameters over key(i), deterministic per i.
inline const RingPedersenSecret& aux(size_t i) {
  static std::map<size_t, std::unique_ptr<RingPedersenSecret>> cache;
  auto it = cache.find(i);
  if (it != cache.end()) return *it->second;
  DeterministicRng rng(1000 + i, "zk3-aux");
  return *cache.emplace(i, std::make_unique<RingPedersenSecret>(RingPedersenSecret::generate(rng, key(i))))
              .first->second;
}

inline zk::ProofContext ctx(uint8_t sid_byte = 0x5A, uint64_t prover = 1, uint64_t verifier = 2) {
  zk::ProofContext c;
  c.sid.fill(sid_byte);
  c.prover = prover;
  c.verifier = verifier;
  return c;
}

// Smallest prime ≥ start that is ≡ residue (mod modulus).
inline BigInt next_prime_congruent(const BigInt& start, unsigned residue, unsigned modulus) {
  BigInt p = start - BigInt(1);
  for (;;) {
    mpz_nextprime(p.get_mut(), p.get());
    if (p.mod_u64(modulus) == residue) return p;
  }
}

// Random prime of exactly `bits` bits (top two bits set), ≡ residue (mod modulus).
inline BigInt random_prime(Rng& rng, unsigned bits, unsigned residue, unsigned modulus) {
  for (;;) {
    BigInt start = BigInt::power_of_two(bits - 1) + BigInt::power_of_two(bits - 2) + BigInt::random_bits(rng, bits - 2);
    BigInt p = next_prime_congruent(start, residue, modulus);
    if (p.bit_length() == bits) return p;
  }
}

// A prime P ≡ residue (mod modulus) such that cofactor·P has exactly `bits` bits.
inline BigInt complete_modulus(Rng& rng, const BigInt& cofactor, unsigned bits, unsigned residue, unsigned modulus) {
  const BigInt lo = (BigInt::power_of_two(bits - 1) + cofactor - BigInt(1)).div_floor(cofactor);
  const BigInt hi = BigInt::power_of_two(bits).div_floor(cofactor);
  for (;;) {
    BigInt start = lo + BigInt::random_below(rng, (hi - lo) >> 1);
    BigInt p = next_prime_congruent(start, residue, modulus);
    if ((p * cofactor).bit_length() == bits) return p;
  }
}

}  // namespace custos::testing::zk3
