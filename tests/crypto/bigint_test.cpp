// BigInt: sign-magnitude codec, powm with negative exponents, sampling bounds, units.
#include <set>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/rng.h"
#include "tests/test_support.h"

using namespace custos;

TEST_CASE("bigint: sign-magnitude round trip", "[bigint]") {
  CUSTOS_SEEDED_RNG(rng, 1101);
  std::vector<BigInt> values = {BigInt(0), BigInt(1), BigInt(-1), BigInt(255), BigInt(-255), BigInt(256),
                                BigInt(-256), BigInt::power_of_two(2047), -BigInt::power_of_two(2047),
                                BigInt::power_of_two(2048) - BigInt(1), -(BigInt::power_of_two(2048) - BigInt(1))};
  for (int i = 0; i < 200; ++i) {
    BigInt v = BigInt::random_bits(rng, 1 + static_cast<unsigned>(rng.next_u64() % 2048));
    values.push_back(rng.next_u64() & 1 ? -v : v);
  }
  for (const BigInt& v : values) {
    INFO(v.to_hex());
    auto enc = v.to_signed_bytes();
    REQUIRE(!enc.empty());
    CHECK(enc[0] == (v.sign() < 0 ? 1 : 0));
    CHECK(enc.size() == 1 + (v.bit_length() + 7) / 8);  // minimal magnitude
    auto dec = BigInt::from_signed_bytes(enc, 2048);
    REQUIRE(dec.ok());
    CHECK(*dec == v);
    if (v.bit_length() > 0) {
      auto tight = BigInt::from_signed_bytes(enc, v.bit_length());
      REQUIRE(tight.ok());
      CHECK(*tight == v);
      auto too_small = BigInt::from_signed_bytes(enc, v.bit_length() - 1);
      REQUIRE_FALSE(too_small.ok());
      CHECK(too_small.status().code() == Code::kOutOfRange);
    }
  }
  // Zero is the single byte 00.
  CHECK(BigInt(0).to_signed_bytes() == std::vector<uint8_t>{0});
  CHECK(BigInt(-5).to_signed_bytes() == std::vector<uint8_t>{1, 5});
}

TEST_CASE("bigint: from_signed_bytes rejections", "[bigint]") {
  auto rej = [](std::vector<uint8_t> in, unsigned max_bits, Code code) {
    auto r = BigInt::from_signed_bytes(in, max_bits);
    INFO("input size " << in.size());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == code);
  };
  rej({}, 64, Code::kMalformed);                      // empty
  rej({2, 1}, 64, Code::kMalformed);                  // bad sign byte
  rej({0xff}, 64, Code::kMalformed);                  // bad sign byte
  rej({0, 0}, 64, Code::kMalformed);                  // zero with a magnitude byte (non-canonical)
  rej({0, 0, 1}, 64, Code::kMalformed);               // leading zero
  rej({1, 0, 1}, 64, Code::kMalformed);               // leading zero, negative
  rej({1}, 64, Code::kMalformed);                     // negative zero
  rej({1, 0}, 64, Code::kMalformed);                  // negative zero, non-canonical
  rej({0, 1, 0}, 8, Code::kOutOfRange);               // 9 bits > 8
  rej({0, 0x80}, 7, Code::kOutOfRange);               // 8 bits > 7
  rej({1, 0x80}, 7, Code::kOutOfRange);
  {
    std::vector<uint8_t> oversized(1 + 300, 0x7f);  // 300-byte magnitude against a 2048-bit bound
    oversized[0] = 0;
    rej(oversized, 2048, Code::kOutOfRange);
    std::vector<uint8_t> one_bit_over(1 + 257, 0);  // 2^2048 needs 2049 bits
    one_bit_over[1] = 1;
    rej(one_bit_over, 2048, Code::kOutOfRange);
  }
  // Exactly at the bound is accepted.
  CHECK(BigInt::from_signed_bytes(std::vector<uint8_t>{0, 0x7f}, 7).ok());
  CHECK(BigInt::from_signed_bytes(std::vector<uint8_t>{0}, 0).ok());
  CHECK(*BigInt::from_signed_bytes(std::vector<uint8_t>{1, 0x7f}, 7) == BigInt(-127));
}

TEST_CASE("bigint: from_canonical_bytes", "[bigint]") {
  CHECK(BigInt::from_canonical_bytes({}, 8).ok());
  CHECK(BigInt::from_canonical_bytes({}, 8)->is_zero());
  std::vector<uint8_t> lead0 = {0, 1};
  CHECK(BigInt::from_canonical_bytes(lead0, 16).status().code() == Code::kMalformed);
  std::vector<uint8_t> nine_bits = {1, 0};
  CHECK(BigInt::from_canonical_bytes(nine_bits, 8).status().code() == Code::kOutOfRange);
  CHECK(*BigInt::from_canonical_bytes(nine_bits, 9) == BigInt(256));
}

TEST_CASE("bigint: powm with negative exponents", "[bigint]") {
  CUSTOS_SEEDED_RNG(rng, 1102);
  const BigInt m = BigInt::from_dec("1000000007") * BigInt::from_dec("998244353");  // odd composite
  for (int i = 0; i < 100; ++i) {
    BigInt b = BigInt::random_unit(rng, m);
    BigInt e = BigInt::random_bits(rng, 100);
    auto pos = BigInt::powm(b, e, m);
    auto neg = BigInt::powm(b, -e, m);
    REQUIRE(pos);
    REQUIRE(neg);
    CHECK((*pos * *neg).mod(m) == BigInt(1));
    CHECK(*neg == BigInt::powm(*BigInt::invert(b, m), e, m).value());
    CHECK(BigInt::powm_unit(b, -e, m) == *neg);
    // b^-1 is the inverse.
    CHECK((*BigInt::powm(b, BigInt(-1), m) * b).mod(m) == BigInt(1));
  }
  // Exponent 0 gives 1; a non-invertible base with a negative exponent gives nullopt.
  CHECK(*BigInt::powm(BigInt(12345), BigInt(0), m) == BigInt(1));
  CHECK_FALSE(BigInt::powm(BigInt::from_dec("1000000007"), BigInt(-3), m).has_value());
  CHECK_FALSE(BigInt::powm(BigInt(0), BigInt(-1), m).has_value());
  // Small exact case: 3^-2 mod 7 = 9^-1 = 2^-1 = 4.
  CHECK(*BigInt::powm(BigInt(3), BigInt(-2), BigInt(7)) == BigInt(4));
  // powm_sec agrees with powm for positive exponents.
  for (int i = 0; i < 20; ++i) {
    BigInt b = BigInt::random_below(rng, m);
    BigInt e = BigInt::random_bits(rng, 200) + BigInt(1);
    CHECK(BigInt::powm_sec(b, e, m) == *BigInt::powm(b, e, m));
  }
}

TEST_CASE("bigint: random_symmetric is within [-bound, bound] and reaches both ends", "[bigint]") {
  CUSTOS_SEEDED_RNG(rng, 1103);
  for (long bound : {0L, 1L, 2L, 3L, 7L}) {
    std::set<long> seen;
    BigInt b(bound);
    for (int i = 0; i < 400; ++i) {
      BigInt v = BigInt::random_symmetric(rng, b);
      REQUIRE(v.in_symmetric_range(b));
      long lv = static_cast<long>(v.abs().low_u64()) * (v.sign() < 0 ? -1 : 1);
      seen.insert(lv);
    }
    INFO("bound " << bound);
    CHECK(seen.size() == static_cast<size_t>(2 * bound + 1));  // every value, in particular both ends
    CHECK(seen.count(-bound) == 1);
    CHECK(seen.count(bound) == 1);
  }
  // Large bound: within range and both signs occur.
  BigInt big = BigInt::power_of_two(1280);
  int negatives = 0;
  for (int i = 0; i < 200; ++i) {
    BigInt v = BigInt::random_symmetric(rng, big);
    REQUIRE(v.in_symmetric_range(big));
    negatives += v.sign() < 0;
  }
  CHECK(negatives > 50);
  CHECK(negatives < 150);
}

TEST_CASE("bigint: random_below and random_bits bounds", "[bigint]") {
  CUSTOS_SEEDED_RNG(rng, 1104);
  std::set<uint64_t> seen;
  for (int i = 0; i < 300; ++i) {
    BigInt v = BigInt::random_below(rng, BigInt(5));
    REQUIRE(v.sign() >= 0);
    REQUIRE(v < BigInt(5));
    seen.insert(v.low_u64());
  }
  CHECK(seen.size() == 5);
  for (unsigned bits : {1u, 7u, 8u, 9u, 255u, 256u, 257u}) {
    for (int i = 0; i < 50; ++i) CHECK(BigInt::random_bits(rng, bits).bit_length() <= bits);
  }
}

TEST_CASE("bigint: is_unit_mod and in_symmetric_range", "[bigint]") {
  const BigInt m(15);
  CHECK_FALSE(BigInt(0).is_unit_mod(m));
  CHECK(BigInt(1).is_unit_mod(m));
  CHECK(BigInt(2).is_unit_mod(m));
  CHECK_FALSE(BigInt(3).is_unit_mod(m));
  CHECK_FALSE(BigInt(5).is_unit_mod(m));
  CHECK(BigInt(14).is_unit_mod(m));
  CHECK_FALSE(BigInt(15).is_unit_mod(m));   // not below m
  CHECK_FALSE(BigInt(16).is_unit_mod(m));   // coprime but not reduced
  CHECK_FALSE(BigInt(-1).is_unit_mod(m));   // negative
  CHECK_FALSE(BigInt(-14).is_unit_mod(m));
  CHECK(BigInt(5).in_symmetric_range(BigInt(5)));
  CHECK(BigInt(-5).in_symmetric_range(BigInt(5)));
  CHECK_FALSE(BigInt(6).in_symmetric_range(BigInt(5)));
  CHECK_FALSE(BigInt(-6).in_symmetric_range(BigInt(5)));
  CHECK(BigInt(0).in_symmetric_range(BigInt(0)));
}

TEST_CASE("bigint: arithmetic helpers", "[bigint]") {
  CHECK(BigInt(-7).mod(BigInt(5)) == BigInt(3));
  CHECK(BigInt(-7).div_floor(BigInt(2)) == BigInt(-4));
  CHECK((BigInt(-7) >> 1) == BigInt(-4));
  CHECK((BigInt(3) << 4) == BigInt(48));
  CHECK(BigInt::from_hex("-ff") == BigInt(-255));
  CHECK(BigInt(-255).to_hex() == "-ff");
  CHECK(BigInt::from_dec("-12345").to_dec() == "-12345");
  CHECK(BigInt(0).to_bytes().empty());
  CHECK(BigInt(258).to_bytes_padded(4) == std::vector<uint8_t>{0, 0, 1, 2});
  CHECK(BigInt::gcd(BigInt(12), BigInt(18)) == BigInt(6));
  CHECK(BigInt::lcm(BigInt(4), BigInt(6)) == BigInt(12));
  CHECK(BigInt::jacobi(BigInt(2), BigInt(7)) == 1);
  CHECK(BigInt::jacobi(BigInt(3), BigInt(7)) == -1);
  CHECK(BigInt(1000001).sqrt_floor() == BigInt(1000));
  CHECK(BigInt::power_of_two(100).bit_length() == 101);
  CHECK(BigInt(-1).bit_length() == 1);
  CHECK(BigInt(0).bit_length() == 0);
}

TEST_CASE("bigint: random draws (random_below, random_symmetric, random_unit) stay in range and cover it", "[bigint]") {
  CUSTOS_SEEDED_RNG(rng, 1103);
  // A modulus where non-units are common (3·5·7·11 divides it): random_unit must reject them all, and
  // every residue class of the small factors that is a unit must still come up.
  const BigInt m = BigInt(1155) * BigInt::from_dec("1000000007");
  std::vector<bool> seen_mod_1155(1155, false);
  for (int i = 0; i < 10000; ++i) {
    const BigInt u = BigInt::random_unit(rng, m);
    REQUIRE(u.sign() > 0);
    REQUIRE(u < m);
    REQUIRE(BigInt::gcd(u, m) == BigInt(1));
    seen_mod_1155[u.mod_u64(1155)] = true;
  }
  size_t unit_classes = 0, seen = 0;
  for (uint64_t c = 0; c < 1155; ++c) {
    if (BigInt::gcd(BigInt(static_cast<long>(c)), BigInt(1155)) != BigInt(1)) {
      CHECK_FALSE(seen_mod_1155[c]);
      continue;
    }
    ++unit_classes;
    if (seen_mod_1155[c]) ++seen;
  }
  CHECK(unit_classes == 480);  // φ(1155)
  // 10 000 draws over 480 classes: one is missed with probability e^(−10000/480) ≈ 1e-9, any of them ≈ 5e-7.
  CHECK(seen == unit_classes);
  // random_below and random_symmetric at their boundaries: both ends come up for a small range.
  bool below_zero = false, below_top = false, sym_low = false, sym_high = false;
  for (int i = 0; i < 400; ++i) {
    const BigInt b = BigInt::random_below(rng, BigInt(7));
    REQUIRE(b.sign() >= 0);
    REQUIRE(b < BigInt(7));
    below_zero |= b.is_zero();
    below_top |= b == BigInt(6);
    const BigInt s = BigInt::random_symmetric(rng, BigInt(3));
    REQUIRE(s.in_symmetric_range(BigInt(3)));
    sym_low |= s == BigInt(-3);
    sym_high |= s == BigInt(3);
  }
  CHECK(below_zero);
  CHECK(below_top);
  CHECK(sym_low);
  CHECK(sym_high);
}
