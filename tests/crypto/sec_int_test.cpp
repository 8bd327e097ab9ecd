// The side-channel-silent arithmetic (crypto/sec_int.h) against GMP's ordinary arithmetic, on random
// operands of many lengths and signs and on the edge cases (zero, one limb, exact multiples, the
// boundary of the centred range). tests/ct checks the same functions for constant time.
#include <catch2/catch.hpp>

#include "crypto/bigint.h"
#include "crypto/rng.h"
#include "crypto/sec_int.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

BigInt random_signed(Rng& rng, unsigned max_bits) {
  BigInt v = BigInt::random_bits(rng, 1 + static_cast<unsigned>(BigInt::random_below(rng, BigInt(max_bits)).low_u64()));
  return rng.next_u64() % 2 ? -v : v;
}

BigInt odd(const BigInt& v) { return v.is_odd() ? v : v + BigInt(1); }

BigInt random_positive(Rng& rng, unsigned max_bits) {
  BigInt v = random_signed(rng, max_bits).abs();
  return v.is_zero() ? BigInt(1) : v;
}

}  // namespace

TEST_CASE("secint: affine a + e·x matches GMP for every sign and length", "[crypto][secint]") {
  CUSTOS_SEEDED_RNG(rng, 9101);
  for (int i = 0; i < 400; ++i) {
    const BigInt a = random_signed(rng, 900), e = random_signed(rng, 300), x = random_signed(rng, 1200);
    INFO("a = " << a.to_hex() << ", e = " << e.to_hex() << ", x = " << x.to_hex());
    REQUIRE(secint::affine(a, e, x) == a + e * x);
    REQUIRE(secint::response(a, e, x) == a + e * x);
  }
  // Zeros, exact cancellation, and carries across every limb.
  const BigInt big = BigInt::power_of_two(640) - BigInt(1);
  CHECK(secint::affine(BigInt(0), BigInt(0), BigInt(0)) == BigInt(0));
  CHECK(secint::affine(BigInt(7), BigInt(0), big) == BigInt(7));
  CHECK(secint::affine(-big, BigInt(1), big) == BigInt(0));
  CHECK(secint::affine(big, BigInt(-1), big) == BigInt(0));
  CHECK(secint::affine(big, BigInt(1), BigInt(1)) == BigInt::power_of_two(640));
  CHECK(secint::affine(-big, BigInt(-1), BigInt(1)) == -BigInt::power_of_two(640));
  CHECK(secint::affine(BigInt(0), -big, big) == -(big * big));
}

TEST_CASE("secint: mod, div_floor and mul_mod match GMP", "[crypto][secint]") {
  CUSTOS_SEEDED_RNG(rng, 9102);
  for (int i = 0; i < 400; ++i) {
    const BigInt a = random_signed(rng, 4200).abs(), b = random_signed(rng, 2100).abs();
    const BigInt d = random_positive(rng, 2100);
    INFO("a = " << a.to_hex() << ", b = " << b.to_hex() << ", d = " << d.to_hex());
    REQUIRE(secint::mod(a, d) == a.mod(d));
    REQUIRE(secint::mod(-a, d) == (-a).mod(d));
    REQUIRE(secint::div_floor(a, d) == a.div_floor(d));
    REQUIRE(secint::mul_mod(a, b, d) == (a * b).mod(d));
  }
  const BigInt d = BigInt::power_of_two(192) + BigInt(1);
  CHECK(secint::mod(d * BigInt(12345), d) == BigInt(0));
  CHECK(secint::div_floor(d * BigInt(12345), d) == BigInt(12345));
  CHECK(secint::div_floor(d - BigInt(1), d) == BigInt(0));
  CHECK(secint::mod(BigInt(0), d) == BigInt(0));
  CHECK(secint::div_floor(BigInt(0), d) == BigInt(0));
  CHECK(secint::mul_mod(BigInt(0), d, d) == BigInt(0));
  CHECK(secint::mul_mod(d - BigInt(1), d - BigInt(1), d) == BigInt(1));
  CHECK(secint::mod(BigInt(5), BigInt(1)) == BigInt(0));
  CHECK(secint::mod(-(d * BigInt(7)), d) == BigInt(0));
  CHECK(secint::mod(BigInt(-1), d) == d - BigInt(1));
  CHECK(secint::mod(BigInt(-5), BigInt(1)) == BigInt(0));
}

TEST_CASE("secint: crt recombines residues like the plain formula", "[crypto][secint]") {
  CUSTOS_SEEDED_RNG(rng, 9103);
  // Coprime moduli of various lengths: pairs of distinct primes and of a prime and a prime's square.
  for (int i = 0; i < 40; ++i) {
    BigInt m = odd(BigInt::random_bits(rng, 64 + 37 * static_cast<unsigned>(i % 7)));
    while (!m.is_probable_prime(20)) m += BigInt(2);
    BigInt n = odd(BigInt::random_bits(rng, 64 + 41 * static_cast<unsigned>(i % 5)));
    while (!n.is_probable_prime(20) || n == m) n += BigInt(2);
    if (i % 3 == 0) n = n * n;
    const BigInt m_inv_n = *BigInt::invert(m, n);
    for (int j = 0; j < 5; ++j) {
      const BigInt x = BigInt::random_below(rng, m * n);
      INFO("m = " << m.to_hex() << ", n = " << n.to_hex() << ", x = " << x.to_hex());
      REQUIRE(secint::crt(x.mod(m), x.mod(n), m, n, m_inv_n) == x);
    }
    CHECK(secint::crt(BigInt(0), BigInt(0), m, n, m_inv_n) == BigInt(0));
    CHECK(secint::crt(m - BigInt(1), n - BigInt(1), m, n, m_inv_n) == m * n - BigInt(1));
  }
}

TEST_CASE("secint: centre and less_than", "[crypto][secint]") {
  CUSTOS_SEEDED_RNG(rng, 9104);
  for (const BigInt& n : {BigInt(101), BigInt(100), BigInt::power_of_two(256) + BigInt(3)}) {
    const BigInt half = n >> 1;
    for (const BigInt& v : {BigInt(0), BigInt(1), half - BigInt(1), half, half + BigInt(1), n - BigInt(1)}) {
      INFO("n = " << n.to_hex() << ", v = " << v.to_hex());
      CHECK(secint::centre(v, n) == (v > half ? v - n : v));
    }
  }
  for (int i = 0; i < 200; ++i) {
    const BigInt v = random_positive(rng, 1000), m = random_positive(rng, 1000);
    REQUIRE(secint::less_than(v, m) == (v < m));
    REQUIRE_FALSE(secint::less_than(m, m));
  }
}

TEST_CASE("secint: equal, shift_right and odd_minus_one match GMP", "[crypto][secint]") {
  CUSTOS_SEEDED_RNG(rng, 9105);
  for (int i = 0; i < 300; ++i) {
    const BigInt a = random_signed(rng, 1100), b = random_signed(rng, 1100);
    REQUIRE(secint::equal(a, b) == (a == b));
    REQUIRE(secint::equal(a, a));
    REQUIRE(secint::equal(a, BigInt(a)));
    REQUIRE_FALSE(secint::equal(a, a + BigInt(1)));
    const BigInt x = a.abs();
    for (unsigned k : {0u, 1u, 2u, 63u, 64u, 65u, 127u, 128u, 700u, 1200u}) {
      INFO("x = " << x.to_hex() << ", k = " << k);
      REQUIRE(secint::shift_right(x, k) == (x >> k));
    }
    const BigInt o = odd(x);
    REQUIRE(secint::odd_minus_one(o) == o - BigInt(1));
  }
  // Values that differ only in a high limb, and zero against zero.
  const BigInt big = BigInt::power_of_two(900) + BigInt(5);
  CHECK_FALSE(secint::equal(big, BigInt(5)));
  CHECK_FALSE(secint::equal(big, -big));
  CHECK(secint::equal(BigInt(0), BigInt(0)));
  CHECK(secint::odd_minus_one(BigInt(1)) == BigInt(0));
  CHECK(secint::odd_minus_one(BigInt::power_of_two(128) + BigInt(1)) == BigInt::power_of_two(128));
}
