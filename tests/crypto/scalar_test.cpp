// Scalar (mod q, constant-time limbs) against plain BigInt arithmetic mod q.
#include <vector>

#include "crypto/bigint.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

const BigInt& q() { return Scalar::order(); }

Scalar sc(const BigInt& v) {
  auto b = v.to_bytes_padded(32);
  auto r = Scalar::from_bytes(b);
  REQUIRE(r.ok());
  return *r;
}

// Edge values plus random ones, all in [0, q).
std::vector<BigInt> test_values(Rng& rng, int random_count) {
  std::vector<BigInt> v = {BigInt(0),
                           BigInt(1),
                           BigInt(2),
                           q() - BigInt(1),
                           q() - BigInt(2),
                           q() >> 1,
                           (q() >> 1) + BigInt(1),
                           BigInt::power_of_two(255),
                           BigInt::power_of_two(128) - BigInt(1),
                           BigInt::power_of_two(64),
                           BigInt::power_of_two(64) - BigInt(1)};
  for (int i = 0; i < random_count; ++i) v.push_back(BigInt::random_below(rng, q()));
  // Values near q with many high bits set exercise the carry paths.
  for (int i = 0; i < 5; ++i) v.push_back(q() - BigInt(1) - BigInt::random_bits(rng, 64));
  return v;
}

}  // namespace

TEST_CASE("scalar: order constant", "[scalar]") {
  CHECK(q() == BigInt::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"));
  CHECK(q().is_probable_prime());
}

TEST_CASE("scalar: +, -, *, negation and inverse agree with BigInt mod q", "[scalar]") {
  CUSTOS_SEEDED_RNG(rng, 1201);
  auto vals = test_values(rng, 40);
  for (const BigInt& a : vals) {
    Scalar sa = sc(a);
    CHECK(sa.to_bigint() == a);
    CHECK((-sa).to_bigint() == (-a).mod(q()));
    CHECK(sa.is_zero() == a.is_zero());
    if (a.is_zero()) {
      CHECK_FALSE(sa.inverse().ok());
    } else {
      auto inv = sa.inverse();
      REQUIRE(inv.ok());
      CHECK(inv->to_bigint() == *BigInt::invert(a, q()));
      CHECK(sa * *inv == Scalar::from_u64(1));
    }
    for (const BigInt& b : vals) {
      Scalar sb = sc(b);
      CHECK((sa + sb).to_bigint() == (a + b).mod(q()));
      CHECK((sa - sb).to_bigint() == (a - b).mod(q()));
      CHECK((sa * sb).to_bigint() == (a * b).mod(q()));
      CHECK((sa == sb) == (a == b));
      Scalar acc = sa;
      acc += sb;
      acc -= sb;
      acc *= sb;
      CHECK(acc.to_bigint() == (a * b).mod(q()));
    }
  }
}

TEST_CASE("scalar: byte encodings", "[scalar]") {
  CUSTOS_SEEDED_RNG(rng, 1202);
  for (const BigInt& a : test_values(rng, 30)) {
    Scalar s = sc(a);
    auto b = s.to_bytes();
    CHECK(std::vector<uint8_t>(b.begin(), b.end()) == a.to_bytes_padded(32));
    auto back = Scalar::from_bytes(b);
    REQUIRE(back.ok());
    CHECK(*back == s);
    CHECK(Scalar::from_bytes_reduced(b) == s);
  }
  // from_bytes rejects q and everything above it.
  for (const BigInt& bad : {q(), q() + BigInt(1), q() + BigInt(12345), BigInt::power_of_two(256) - BigInt(1)}) {
    auto r = Scalar::from_bytes(bad.to_bytes_padded(32));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kOutOfRange);
    // ... while from_bytes_reduced reduces them.
    CHECK(Scalar::from_bytes_reduced(bad.to_bytes_padded(32)).to_bigint() == bad.mod(q()));
  }
  // Wrong lengths.
  std::vector<uint8_t> short31(31, 1), long33(33, 0);
  CHECK(Scalar::from_bytes(short31).status().code() == Code::kMalformed);
  CHECK(Scalar::from_bytes(long33).status().code() == Code::kMalformed);
  CHECK(Scalar::from_bytes({}).status().code() == Code::kMalformed);
  // from_u64
  CHECK(Scalar::from_u64(0).is_zero());
  CHECK(Scalar::from_u64(~uint64_t{0}).to_bigint() == BigInt::power_of_two(64) - BigInt(1));
}

TEST_CASE("scalar: from_bigint reduces negatives and huge values", "[scalar]") {
  CUSTOS_SEEDED_RNG(rng, 1203);
  std::vector<BigInt> xs = {BigInt(0),
                            BigInt(-1),
                            q(),
                            -q(),
                            q() + BigInt(1),
                            -(q() + BigInt(1)),
                            q() - BigInt(1),
                            BigInt::power_of_two(256),
                            BigInt::power_of_two(256) - BigInt(1),
                            -(BigInt::power_of_two(256) - BigInt(1)),
                            q() * q(),
                            q() * BigInt::power_of_two(3000),
                            -(q() * BigInt::power_of_two(3000)) - BigInt(7)};
  for (unsigned bits : {1u, 63u, 64u, 65u, 200u, 255u, 256u, 257u, 300u, 512u, 513u, 1024u, 2048u, 4096u}) {
    for (int i = 0; i < 5; ++i) {
      BigInt v = BigInt::random_bits(rng, bits);
      xs.push_back(v);
      xs.push_back(-v);
    }
  }
  for (const BigInt& x : xs) {
    INFO(x.to_hex());
    CHECK(Scalar::from_bigint(x).to_bigint() == x.mod(q()));
  }
}

TEST_CASE("scalar: is_high", "[scalar]") {
  const BigInt half = q() >> 1;  // (q-1)/2
  CHECK_FALSE(Scalar().is_high());
  CHECK_FALSE(Scalar::from_u64(1).is_high());
  CHECK_FALSE(sc(half).is_high());
  CHECK(sc(half + BigInt(1)).is_high());
  CHECK(sc(q() - BigInt(1)).is_high());
  CUSTOS_SEEDED_RNG(rng, 1204);
  for (int i = 0; i < 100; ++i) {
    Scalar s = Scalar::random_nonzero(rng);
    CHECK(s.is_high() == (s.to_bigint() > half));
    CHECK(s.is_high() != (-s).is_high());  // q odd: exactly one of s, -s is high
  }
}

TEST_CASE("scalar: random and random_nonzero are below q", "[scalar]") {
  CUSTOS_SEEDED_RNG(rng, 1205);
  int high = 0;
  for (int i = 0; i < 300; ++i) {
    Scalar s = Scalar::random(rng);
    CHECK(s.to_bigint() < q());
    Scalar t = Scalar::random_nonzero(rng);
    CHECK_FALSE(t.is_zero());
    high += s.is_high();
  }
  CHECK(high > 100);
  CHECK(high < 200);
}
