// Safe-prime generation for Paillier moduli (CGGMP21 wants N = p*q with p, q
// safe primes). The search walk is not constant-time: its running time depends
// on rejected candidates, not on usable information about the result. Every
// exponentiation on a candidate is constant time (the kept prime goes through
// all of them).
#pragma once

#include "crypto/bigint.h"
#include "crypto/rng.h"

namespace custos {

// Returns p with p and (p-1)/2 prime, bit_length(p) == bits and the top two
// bits set (so the product of two such primes has exactly 2*bits bits).
// p ≡ 3 mod 4 follows. Aborts if bits < 16.
BigInt generate_safe_prime(Rng& rng, unsigned bits);

// Miller–Rabin with the first `rounds` primes as bases (rounds ≤ 40), for a secret n:
// the exponentiations are OpenSSL's constant-time ones and the comparisons do not branch on
// limbs. Declared public: each round's verdict and the 2-adic valuation of n − 1.
// For random candidates and our own stored primes, not for adversarial composites.
bool is_probable_prime_secret(const BigInt& n, unsigned rounds);

// Thorough check: p odd, p and (p-1)/2 both pass is_probable_prime_secret with 40 rounds.
bool is_safe_prime(const BigInt& p);

struct SafePrimePair {
  BigInt p, q;
};

// Two distinct safe primes of `bits` each (same shape as generate_safe_prime),
// generated in parallel on two threads. Deterministic for a given rng state.
SafePrimePair generate_safe_prime_pair(Rng& rng, unsigned bits);

}  // namespace custos
