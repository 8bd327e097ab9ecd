#include <catch2/catch.hpp>

#include <vector>

#include "crypto/bigint.h"
#include "crypto/fixed_base.h"
#include "crypto/modexp52.h"
#include "tests/test_support.h"

using namespace custos;
using modexp52::Impl;

namespace {

// An odd modulus of exactly `bits` bits (bits ≥ 2).
BigInt odd_modulus(Rng& rng, unsigned bits) {
  BigInt m = BigInt::random_bits(rng, bits - 1) + BigInt::power_of_two(bits - 1);
  if (!m.is_odd()) m += BigInt(1);
  if (m.bit_length() > bits) m -= BigInt(2);
  return m;
}

// Bases that exercise the edges: 0, 1, m − 1, the top digit full, and random ones.
std::vector<BigInt> bases_for(Rng& rng, const BigInt& m) {
  std::vector<BigInt> out{BigInt(0), BigInt(1), m - BigInt(1), (BigInt::power_of_two(m.bit_length() - 1) - BigInt(1)).mod(m)};
  for (int i = 0; i < 3; ++i) out.push_back(BigInt::random_below(rng, m));
  return out;
}

std::vector<BigInt> exponents_for(Rng& rng, unsigned bits) {
  return {BigInt(0), BigInt(1), BigInt(2), BigInt(31), BigInt(32), BigInt::power_of_two(64) - BigInt(1),
          BigInt::power_of_two(64), BigInt::random_bits(rng, bits) + BigInt::power_of_two(bits)};
}

void check_against_gmp(Impl impl, Rng& rng, const std::vector<unsigned>& modulus_bits) {
  for (unsigned bits : modulus_bits) {
    const BigInt m = odd_modulus(rng, bits);
    for (const BigInt& base : bases_for(rng, m)) {
      for (const BigInt& e : exponents_for(rng, std::min(bits, 300u))) {
        INFO("modulus bits " << bits << ", exponent bits " << e.bit_length());
        REQUIRE(modexp52::pow(base, e, m, impl) == BigInt::powm_unit(base, e, m));
      }
    }
  }
}

// Every size class (1 to 10 vectors of 8 digits) at both of its ends, and the extreme moduli.
std::vector<unsigned> size_classes() {
  std::vector<unsigned> out{2, 3, 63, 64, 65, 1024, 1536, 2047, 2048, 3072, 4095, 4096};
  for (unsigned limbs : {6u, 7u, 13u, 19u, 26u, 32u, 39u, 45u, 52u, 58u, 64u}) out.push_back(64 * limbs);
  return out;
}

}  // namespace

TEST_CASE("modexp52: the portable copy agrees with GMP in every size class") {
  CUSTOS_SEEDED_RNG(rng, 5201);
  check_against_gmp(Impl::portable, rng, size_classes());
}

TEST_CASE("modexp52: the IFMA copy agrees with GMP in every size class") {
  if (!modexp52::cpu_has_ifma()) {
    WARN("this CPU has no AVX-512 IFMA: only the portable copy runs here");
    return;
  }
  CUSTOS_SEEDED_RNG(rng, 5202);
  check_against_gmp(Impl::ifma, rng, size_classes());
}

TEST_CASE("modexp52: moduli at the edges of the radix") {
  // All-ones moduli fill every digit; 2^k + 1 has a single top bit; both stress the carries and the
  // final subtraction.
  CUSTOS_SEEDED_RNG(rng, 5203);
  std::vector<Impl> impls{Impl::portable};
  if (modexp52::cpu_has_ifma()) impls.push_back(Impl::ifma);
  for (unsigned bits : {52u, 104u, 416u, 2080u, 4096u}) {
    for (const BigInt& m : {BigInt::power_of_two(bits) - BigInt(1), BigInt::power_of_two(bits - 1) + BigInt(1)}) {
      const BigInt e = BigInt::random_bits(rng, 200);
      for (const BigInt& base : {m - BigInt(1), m - BigInt(2), BigInt::random_below(rng, m)}) {
        for (Impl impl : impls) {
          INFO("modulus bits " << bits << (impl == Impl::ifma ? " (ifma)" : " (portable)"));
          REQUIRE(modexp52::pow(base, e, m, impl) == BigInt::powm_unit(base, e, m));
        }
      }
    }
  }
}

TEST_CASE("modexp52: a Paillier N-th power modulo N² and a pow2 of two exponents") {
  CUSTOS_SEEDED_RNG(rng, 5204);
  const BigInt n = odd_modulus(rng, 2048), n2 = n * n;
  std::vector<Impl> impls{Impl::portable};
  if (modexp52::cpu_has_ifma()) impls.push_back(Impl::ifma);
  for (Impl impl : impls) {
    const BigInt s = BigInt::random_below(rng, n2);
    REQUIRE(modexp52::pow(s, n, n2, impl) == BigInt::powm_unit(s, n, n2));
    const BigInt a = BigInt::random_below(rng, n2), b = BigInt::random_below(rng, n2);
    const BigInt x = BigInt::random_bits(rng, 2048), y = BigInt::random_bits(rng, 300);
    const BigInt expected = (BigInt::powm_unit(a, x, n2) * BigInt::powm_unit(b, y, n2)).mod(n2);
    REQUIRE(modexp52::pow2(a, x, b, y, n2, impl) == expected);
    REQUIRE(modexp52::pow2(a, y, b, x, n2, impl) == (BigInt::powm_unit(a, y, n2) * BigInt::powm_unit(b, x, n2)).mod(n2));
    REQUIRE(modexp52::pow2(a, BigInt(0), b, BigInt(0), n2, impl) == BigInt(1));
  }
}

TEST_CASE("modexp52: which moduli it takes") {
  CHECK(modexp52::supports(BigInt(3)));
  CHECK(modexp52::supports(BigInt::power_of_two(4096) - BigInt(1)));
  CHECK_FALSE(modexp52::supports(BigInt::power_of_two(4096) + BigInt(1)));  // 65 limbs
  CHECK_FALSE(modexp52::supports(BigInt(1)));
  CHECK_FALSE(modexp52::supports(BigInt(0)));
  CHECK_FALSE(modexp52::supports(BigInt(-7)));
  CHECK_FALSE(modexp52::supports(BigInt::power_of_two(100)));
}

TEST_CASE("modexp52: modexp gives the same results with the IFMA path on and off") {
  CUSTOS_SEEDED_RNG(rng, 5205);
  const BigInt m = odd_modulus(rng, 4096);
  const BigInt a = BigInt::random_below(rng, m), b = BigInt::random_below(rng, m);
  const BigInt x = BigInt::random_bits(rng, 2048), y = BigInt::random_bits(rng, 777);
  std::vector<BigInt> results;
  for (bool on : {true, false}) {
    modexp52::set_enabled(on);
    CHECK(modexp52::enabled() == (on && modexp52::cpu_has_ifma()));
    results.push_back(modexp::pow_sec(a, x, m));
    results.push_back(modexp::pow_public(a, x, m));
    results.push_back(modexp::pow2_public(a, x, b, y, m));
  }
  modexp52::set_enabled(true);
  const BigInt expected = BigInt::powm_unit(a, x, m);
  for (size_t i = 0; i < results.size(); i += 3) {
    CHECK(results[i] == expected);
    CHECK(results[i + 1] == expected);
    CHECK(results[i + 2] == (expected * BigInt::powm_unit(b, y, m)).mod(m));
  }
}
