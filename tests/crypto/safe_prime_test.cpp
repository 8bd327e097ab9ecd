#include "crypto/safe_prime.h"

#include <set>
#include <string>

#include "tests/paillier_fixtures.h"
#include "tests/test_support.h"

namespace custos {
namespace {

// Independent of is_safe_prime: GMP directly, different rep count.
bool gmp_says_safe(const BigInt& p) {
  BigInt q = (p - BigInt(1)) >> 1;
  return p.is_odd() && mpz_probab_prime_p(p.get(), 30) != 0 && mpz_probab_prime_p(q.get(), 30) != 0;
}

void check_shape(const BigInt& p, unsigned bits) {
  CHECK(p.bit_length() == bits);
  CHECK(p.bit(bits - 1));
  CHECK(p.bit(bits - 2));
  CHECK(p.mod_u64(4) == 3);
  CHECK(is_safe_prime(p));
  CHECK(gmp_says_safe(p));
}

TEST_CASE("is_safe_prime accepts small safe primes", "[safe_prime]") {
  // 5 = 2*2+1 and 7 = 2*3+1 are safe primes by definition, too.
  for (long p : {5L, 7L, 11L, 23L, 47L, 59L, 83L, 107L, 167L, 179L, 227L, 263L, 347L, 359L, 383L}) {
    INFO("p = " << p);
    CHECK(is_safe_prime(BigInt(p)));
  }
}

TEST_CASE("is_safe_prime rejects non-safe primes, composites, even numbers", "[safe_prime]") {
  // Primes whose (p-1)/2 is not prime.
  for (long p : {3L, 13L, 17L, 19L, 29L, 31L, 37L, 41L, 43L, 53L, 61L, 97L, 101L, 103L}) {
    INFO("p = " << p);
    CHECK_FALSE(is_safe_prime(BigInt(p)));
  }
  // Composites of the form 2q+1 with q prime, and other odd composites.
  for (long n : {9L, 15L, 21L, 25L, 27L, 35L, 39L, 45L, 49L, 95L, 119L, 323L}) {
    INFO("n = " << n);
    CHECK_FALSE(is_safe_prime(BigInt(n)));
  }
  for (long n : {-23L, -7L, -1L, 0L, 1L, 2L, 4L, 22L, 46L, 94L}) {
    INFO("n = " << n);
    CHECK_FALSE(is_safe_prime(BigInt(n)));
  }
}

TEST_CASE("is_safe_prime on large values", "[safe_prime]") {
  // RFC 2409 Oakley group 2 (1024-bit MODP) prime: a published safe prime.
  const BigInt oakley2 = BigInt::from_hex(
      "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
      "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
      "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
      "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff");
  CHECK(gmp_says_safe(oakley2));
  CHECK(is_safe_prime(oakley2));
  CHECK_FALSE(is_safe_prime(oakley2 + BigInt(1)));  // even
  CHECK_FALSE(is_safe_prime(oakley2 + BigInt(2)));

  CUSTOS_SEEDED_RNG(rng, 0x5afe0001);
  BigInt p = generate_safe_prime(rng, 256);
  BigInt q = generate_safe_prime(rng, 256);
  REQUIRE(gmp_says_safe(p));
  REQUIRE(gmp_says_safe(q));
  CHECK(is_safe_prime(p));
  CHECK_FALSE(is_safe_prime(p * q));  // composite
  CHECK_FALSE(is_safe_prime(p << 1));  // even
  // Whatever 2p+1 is (prime only for a Cunningham chain), both checks must agree.
  BigInt twice = (p << 1) + BigInt(1);
  CHECK(is_safe_prime(twice) == gmp_says_safe(twice));
  // Large primes whose (p-1)/2 is composite.
  BigInt r = p * q;
  int found = 0;
  while (found < 3) {
    mpz_nextprime(r.get_mut(), r.get());
    if (gmp_says_safe(r)) continue;
    CHECK_FALSE(is_safe_prime(r));
    ++found;
  }
}

TEST_CASE("is_probable_prime_secret agrees with GMP on primes, composites and Carmichael numbers", "[safe_prime]") {
  CUSTOS_SEEDED_RNG(rng, 0x5afe0007);
  // Random odd numbers of several lengths (one limb goes to GMP's test; two limbs and more to ours).
  for (unsigned bits : {60u, 65u, 100u, 128u, 200u, 512u}) {
    for (int i = 0; i < 150; ++i) {
      BigInt n = BigInt::random_bits(rng, bits) + BigInt::power_of_two(bits - 1);
      if (!n.is_odd()) n = n + BigInt(1);
      INFO("n = " << n.to_hex());
      REQUIRE(is_probable_prime_secret(n, 20) == n.is_probable_prime(30));
    }
  }
  // Primes (the next prime after random starts) and products of two of them, and prime squares.
  for (unsigned bits : {65u, 128u, 512u, 1024u}) {
    BigInt p = BigInt::random_bits(rng, bits), q = BigInt::random_bits(rng, bits);
    mpz_nextprime(p.get_mut(), p.get());
    mpz_nextprime(q.get_mut(), q.get());
    INFO("bits = " << bits);
    CHECK(is_probable_prime_secret(p, 20));
    CHECK(is_probable_prime_secret(q, 40));
    CHECK_FALSE(is_probable_prime_secret(p * q, 40));
    CHECK_FALSE(is_probable_prime_secret(p * p, 40));
    CHECK_FALSE(is_probable_prime_secret(p * BigInt(3), 40));
  }
  // Chernick's Carmichael numbers (6k+1)(12k+1)(18k+1) above 2^64: Fermat's test passes them for every
  // base prime to them; Miller–Rabin must not.
  int carmichaels = 0;
  for (uint64_t k = uint64_t{1} << 21; carmichaels < 3; ++k) {
    const BigInt a(static_cast<long>(6 * k + 1)), b(static_cast<long>(12 * k + 1)), c(static_cast<long>(18 * k + 1));
    if (!a.is_probable_prime(30) || !b.is_probable_prime(30) || !c.is_probable_prime(30)) continue;
    const BigInt n = a * b * c;
    REQUIRE(n.bit_length() > 64);
    INFO("Carmichael n = " << n.to_hex());
    CHECK(BigInt::powm_unit(BigInt(2), n - BigInt(1), n) == BigInt(1));  // a Fermat liar: base 2
    CHECK_FALSE(is_probable_prime_secret(n, 40));
    ++carmichaels;
  }
  CHECK_FALSE(is_probable_prime_secret(BigInt(0), 20));
  CHECK_FALSE(is_probable_prime_secret(BigInt(-7), 20));
  CHECK(is_probable_prime_secret(BigInt(7), 20));
}

TEST_CASE("generate_safe_prime has the requested shape", "[safe_prime]") {
  CUSTOS_SEEDED_RNG(rng, 0x5afe0002);
  for (unsigned bits : {16u, 17u, 24u, 64u, 65u, 128u, 256u}) {
    INFO("bits = " << bits);
    for (int i = 0; i < 3; ++i) check_shape(generate_safe_prime(rng, bits), bits);
  }
}

TEST_CASE("generate_safe_prime at the smallest size covers many primes", "[safe_prime]") {
  // 16 bits has only ~190 safe primes with the top two bits set, so ~2% of
  // searches walk off the top of the range and restart (10 times with this seed).
  CUSTOS_SEEDED_RNG(rng, 0x5afe0003);
  std::set<std::string> seen;
  for (int i = 0; i < 300; ++i) {
    BigInt p = generate_safe_prime(rng, 16);
    check_shape(p, 16);
    seen.insert(p.to_hex());
  }
  CHECK(seen.size() > 50);
}

TEST_CASE("generate_safe_prime is deterministic in the rng", "[safe_prime]") {
  CUSTOS_SEEDED_RNG(a, 0x5afe0004);
  DeterministicRng b(a_seed_value);
  CHECK(generate_safe_prime(a, 128) == generate_safe_prime(b, 128));
  CHECK(generate_safe_prime(a, 128) == generate_safe_prime(b, 128));
}

TEST_CASE("generate_safe_prime_pair gives two distinct valid primes", "[safe_prime]") {
  CUSTOS_SEEDED_RNG(rng, 0x5afe0005);
  for (unsigned bits : {16u, 64u, 128u, 256u}) {
    INFO("bits = " << bits);
    SafePrimePair pq = generate_safe_prime_pair(rng, bits);
    check_shape(pq.p, bits);
    check_shape(pq.q, bits);
    CHECK(pq.p != pq.q);
    CHECK((pq.p * pq.q).bit_length() == 2 * bits);
  }
  // At 16 bits the two threads collide ~1.5% of the time and q must be redrawn
  // (6 times with this seed).
  for (int i = 0; i < 300; ++i) {
    SafePrimePair pq = generate_safe_prime_pair(rng, 16);
    CHECK(pq.p != pq.q);
    CHECK(is_safe_prime(pq.p));
    CHECK(is_safe_prime(pq.q));
  }
}

TEST_CASE("generate_safe_prime_pair is deterministic in the rng", "[safe_prime]") {
  CUSTOS_SEEDED_RNG(a, 0x5afe0006);
  DeterministicRng b(a_seed_value);
  SafePrimePair x = generate_safe_prime_pair(a, 128);
  SafePrimePair y = generate_safe_prime_pair(b, 128);
  CHECK(x.p == y.p);
  CHECK(x.q == y.q);
}

TEST_CASE("generate_safe_prime_pair at Paillier size (1024-bit primes)", "[safe_prime][slow]") {
  CUSTOS_SEEDED_RNG(rng, 0x5afe0007);
  SafePrimePair pq = generate_safe_prime_pair(rng, 1024);
  check_shape(pq.p, 1024);
  check_shape(pq.q, 1024);
  CHECK(pq.p != pq.q);
  CHECK((pq.p * pq.q).bit_length() == 2048);
}

TEST_CASE("fixture test keys are valid distinct 1024-bit safe primes", "[safe_prime][fixtures]") {
  auto keys = testing::load_test_safe_primes();
  CHECK(keys.size() == 10);
  std::set<std::string> seen;
  for (const auto& [p, q] : keys) {
    check_shape(p, 1024);
    check_shape(q, 1024);
    CHECK((p * q).bit_length() == 2048);
    seen.insert(p.to_hex());
    seen.insert(q.to_hex());
  }
  CHECK(seen.size() == 2 * keys.size());
}

}  // namespace
}  // namespace custos
