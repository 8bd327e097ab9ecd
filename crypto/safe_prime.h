// Safe-prime generation for Paillier moduli (CGGMP21 wants N = p*q with p, q
// safe primes). Generation is deliberately not constant-time: its running time
// depends on rejected candidates, not on usable information about the result.
#pragma once

#include "crypto/bigint.h"
#include "crypto/rng.h"

namespace custos {

// Returns p with p and (p-1)/2 prime, bit_length(p) == bits and the top two
// bits set (so the product of two such primes has exactly 2*bits bits).
// p ≡ 3 mod 4 follows. Aborts if bits < 16.
BigInt generate_safe_prime(Rng& rng, unsigned bits);

// Thorough check: p odd, p and (p-1)/2 both pass mpz_probab_prime_p with
// 40 reps (BPSW plus 16 random-base Miller-Rabin rounds on GMP >= 6.2).
bool is_safe_prime(const BigInt& p);

struct SafePrimePair {
  BigInt p, q;
};

// Two distinct safe primes of `bits` each (same shape as generate_safe_prime),
// generated in parallel on two threads. Deterministic for a given rng state.
SafePrimePair generate_safe_prime_pair(Rng& rng, unsigned bits);

}  // namespace custos
