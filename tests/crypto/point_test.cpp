// Point: group law against repeated addition, identity handling, strict SEC1 decoding.
#include <array>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/point.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

const BigInt& field_p() {
  static const BigInt p = BigInt::power_of_two(256) - BigInt::power_of_two(32) - BigInt(977);
  return p;
}

bool x_on_curve(const BigInt& x) {
  BigInt rhs = (x * x * x + BigInt(7)).mod(field_p());
  return rhs.is_zero() || BigInt::jacobi(rhs, field_p()) == 1;
}

std::vector<uint8_t> compressed(uint8_t prefix, const BigInt& x) {
  std::vector<uint8_t> out = {prefix};
  auto xb = x.to_bytes_padded(32);
  out.insert(out.end(), xb.begin(), xb.end());
  return out;
}

}  // namespace

TEST_CASE("point: base_mul matches repeated addition of G", "[point]") {
  const Point& g = Point::generator();
  CHECK_FALSE(g.is_identity());
  CHECK(Point::base_mul(Scalar()).is_identity());
  Point acc;
  for (uint64_t k = 1; k <= 40; ++k) {
    acc = acc + g;
    INFO("k = " << k);
    CHECK(Point::base_mul(Scalar::from_u64(k)) == acc);
    CHECK(g.mul(Scalar::from_u64(k)) == acc);
  }
  // (q-1)·G = -G and q-1 additions wrap around: (q-1)G + G = O.
  Scalar qm1 = -Scalar::from_u64(1);
  CHECK(Point::base_mul(qm1) == -g);
  CHECK((Point::base_mul(qm1) + g).is_identity());
  // Known generator encoding.
  auto enc = g.encode();
  CHECK(enc[0] == 0x02);
  CHECK(BigInt::from_bytes(std::span<const uint8_t>(enc.data() + 1, 32)) ==
        BigInt::from_hex("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"));
}

TEST_CASE("point: scalar multiplication is a homomorphism", "[point]") {
  CUSTOS_SEEDED_RNG(rng, 1301);
  for (int i = 0; i < 30; ++i) {
    Scalar a = Scalar::random(rng), b = Scalar::random(rng);
    Point pa = Point::base_mul(a), pb = Point::base_mul(b);
    CHECK(pa + pb == Point::base_mul(a + b));
    CHECK(pa - pb == Point::base_mul(a - b));
    CHECK(pa.mul(b) == Point::base_mul(a * b));
    CHECK(-pa == Point::base_mul(-a));
    CHECK(pa.mul(Scalar()).is_identity());
  }
}

TEST_CASE("point: identity handling", "[point]") {
  CUSTOS_SEEDED_RNG(rng, 1302);
  Point o = Point::identity();
  CHECK(o.is_identity());
  CHECK(o == Point());
  CHECK(-o == o);
  CHECK(o.mul(Scalar::from_u64(5)).is_identity());
  CHECK(o.raw() == nullptr);
  for (int i = 0; i < 10; ++i) {
    Point p = Point::base_mul(Scalar::random_nonzero(rng));
    CHECK((p + (-p)).is_identity());
    CHECK((p - p).is_identity());
    CHECK(p + o == p);
    CHECK(o + p == p);
    CHECK(p != o);
    CHECK(o != p);
  }
  // O encodes as 33 zero bytes; decode() never accepts it, decode_allow_identity() does.
  auto enc = o.encode();
  for (uint8_t b : enc) CHECK(b == 0);
  auto strict = Point::decode(enc);
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.status().code() == Code::kOutOfRange);
  auto allowed = Point::decode_allow_identity(enc);
  REQUIRE(allowed.ok());
  CHECK(allowed->is_identity());
  CHECK_FALSE(Point::decode_sec1(enc).ok());
  // decode_allow_identity still rejects everything else that decode() rejects.
  std::array<uint8_t, 33> almost_zero{};
  almost_zero[32] = 1;
  CHECK_FALSE(Point::decode_allow_identity(almost_zero).ok());
  std::vector<uint8_t> zeros32(32, 0);
  CHECK_FALSE(Point::decode_allow_identity(zeros32).ok());
}

TEST_CASE("point: encode/decode round trip", "[point]") {
  CUSTOS_SEEDED_RNG(rng, 1303);
  int odd = 0;
  for (int i = 0; i < 50; ++i) {
    Point p = Point::base_mul(Scalar::random_nonzero(rng));
    auto c = p.encode();
    CHECK((c[0] == 0x02 || c[0] == 0x03));
    CHECK(p.y_is_odd() == (c[0] == 0x03));
    odd += p.y_is_odd();
    auto d = Point::decode(c);
    REQUIRE(d.ok());
    CHECK(*d == p);
    CHECK(*Point::decode_allow_identity(c) == p);
    CHECK(*Point::decode_sec1(c) == p);
    auto u = p.encode_uncompressed();
    CHECK(u[0] == 0x04);
    CHECK(std::equal(u.begin() + 1, u.begin() + 33, c.begin() + 1));
    auto du = Point::decode_sec1(u);
    REQUIRE(du.ok());
    CHECK(*du == p);
    // The other y for the same x is -p.
    auto flipped = c;
    flipped[0] ^= 1;
    CHECK(*Point::decode(flipped) == -p);
    // Uncompressed with a wrong y is off the curve.
    auto bad_y = u;
    bad_y[64] ^= 1;
    CHECK_FALSE(Point::decode_sec1(bad_y).ok());
    // Hybrid encodings (06/07) and 04 with 33 bytes are rejected.
    auto hybrid = u;
    hybrid[0] = p.y_is_odd() ? 0x07 : 0x06;
    CHECK_FALSE(Point::decode_sec1(hybrid).ok());
  }
  CHECK(odd > 10);
  CHECK(odd < 40);
}

TEST_CASE("point: decode rejects bad prefix, x >= p, off-curve x and wrong length", "[point]") {
  const BigInt gx = BigInt::from_hex("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798");
  REQUIRE(Point::decode(compressed(0x02, gx)).ok());
  for (uint8_t prefix : {0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0xff}) {
    auto r = Point::decode(compressed(prefix, gx));
    INFO("prefix " << int(prefix));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kMalformed);
  }
  // x >= p: p itself, p + 1 (≡ 1, whose image would be on the curve if reduced), and 2^256 - 1.
  for (const BigInt& x : {field_p(), field_p() + BigInt(1), field_p() + BigInt(6), BigInt::power_of_two(256) - BigInt(1)}) {
    CHECK_FALSE(Point::decode(compressed(0x02, x)).ok());
    CHECK_FALSE(Point::decode(compressed(0x03, x)).ok());
  }
  // Off-curve x: the first few x for which x^3 + 7 is a non-residue.
  int off_curve = 0;
  for (long xv = 0; xv < 40; ++xv) {
    BigInt x(xv);
    bool on = x_on_curve(x);
    INFO("x = " << xv);
    CHECK(Point::decode(compressed(0x02, x)).ok() == on);
    CHECK(Point::decode(compressed(0x03, x)).ok() == on);
    off_curve += !on;
  }
  CHECK(off_curve > 5);
  // Wrong lengths.
  auto good = compressed(0x02, gx);
  for (size_t len : {size_t{0}, size_t{1}, size_t{32}, size_t{34}, size_t{65}}) {
    std::vector<uint8_t> v(good.begin(), good.end());
    v.resize(len, 0);
    auto r = Point::decode(v);
    INFO("len " << len);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kMalformed);
  }
  std::vector<uint8_t> sixty_four(64, 1), sixty_six(66, 4);
  sixty_six[0] = 0x04;
  CHECK_FALSE(Point::decode_sec1(sixty_four).ok());
  CHECK_FALSE(Point::decode_sec1(sixty_six).ok());
  std::vector<uint8_t> zeros65(65, 0);
  CHECK_FALSE(Point::decode_sec1(zeros65).ok());
}

TEST_CASE("point: sum", "[point]") {
  CUSTOS_SEEDED_RNG(rng, 1304);
  CHECK(Point::sum({}).is_identity());
  std::vector<Point> only_o(3);
  CHECK(Point::sum(only_o).is_identity());
  for (size_t n : {1u, 2u, 3u, 10u, 33u}) {
    std::vector<Point> pts;
    Scalar total;
    Point seq;
    for (size_t i = 0; i < n; ++i) {
      Scalar s = Scalar::random(rng);
      total += s;
      pts.push_back(Point::base_mul(s));
      seq = seq + pts.back();
      if (i % 3 == 0) pts.push_back(Point());  // identities are ignored
    }
    CHECK(Point::sum(pts) == Point::base_mul(total));
    CHECK(Point::sum(pts) == seq);
    // Adding the negation of the total gives O.
    pts.push_back(-Point::base_mul(total));
    CHECK(Point::sum(pts).is_identity());
  }
}

TEST_CASE("point: x_mod_q", "[point]") {
  CUSTOS_SEEDED_RNG(rng, 1305);
  const BigInt& q = Scalar::order();
  for (int i = 0; i < 30; ++i) {
    Point p = Point::base_mul(Scalar::random_nonzero(rng));
    auto u = p.encode_uncompressed();
    BigInt x = BigInt::from_bytes(std::span<const uint8_t>(u.data() + 1, 32));
    CHECK(p.x_mod_q().to_bigint() == x.mod(q));
  }
  // A point with q <= x < p: x_mod_q must reduce (this is where r = x mod q differs from x).
  BigInt x = q;
  while (!x_on_curve(x)) x += BigInt(1);
  REQUIRE(x < field_p());
  auto p = Point::decode(compressed(0x02, x));
  REQUIRE(p.ok());
  CHECK(p->x_mod_q().to_bigint() == x - q);
}
