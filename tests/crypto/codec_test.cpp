// Writer/Reader: round trip and every Reader error path.
#include <string>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/codec.h"
#include "crypto/point.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

bool mentions(const Status& s, const std::string& what) { return s.message().find(what) != std::string::npos; }

}  // namespace

TEST_CASE("codec: round trip of every field type", "[codec]") {
  CUSTOS_SEEDED_RNG(rng, 1501);
  Scalar s = Scalar::random(rng);
  Point p = Point::base_mul(s);
  BigInt big = -BigInt::random_bits(rng, 2000);
  std::vector<uint8_t> blob(77);
  rng.fill(blob);
  Writer w;
  w.u8(0xab).u32(0xdeadbeef).u64(0x0123456789abcdefULL).bytes(blob).integer(big).integer(BigInt(0)).point(p)
      .point(Point()).scalar(s).u32(3);
  for (int i = 0; i < 3; ++i) w.u8(static_cast<uint8_t>(i));
  auto data = w.take();

  Reader r(data, "test message");
  CHECK(*r.u8() == 0xab);
  CHECK(*r.u32() == 0xdeadbeefu);
  CHECK(*r.u64() == 0x0123456789abcdefULL);
  CHECK(*r.bytes(77) == blob);
  CHECK(*r.integer(2000) == big);
  CHECK(r.integer(1)->is_zero());
  CHECK(*r.point() == p);
  CHECK(r.point_allow_identity()->is_identity());
  CHECK(*r.scalar() == s);
  CHECK(r.expect_count(3, "items").ok());
  for (int i = 0; i < 3; ++i) CHECK(*r.u8() == i);
  CHECK(r.remaining() == 0);
  CHECK(r.finish().ok());
}

TEST_CASE("codec: truncated input at every field", "[codec]") {
  Reader empty({}, "empty");
  CHECK(empty.u8().status().code() == Code::kMalformed);
  CHECK(empty.u32().status().code() == Code::kMalformed);
  CHECK(empty.u64().status().code() == Code::kMalformed);
  CHECK(empty.bytes(10).status().code() == Code::kMalformed);
  CHECK(empty.integer(64).status().code() == Code::kMalformed);
  CHECK(empty.point().status().code() == Code::kMalformed);
  CHECK(empty.point_allow_identity().status().code() == Code::kMalformed);
  CHECK(empty.scalar().status().code() == Code::kMalformed);
  CHECK(empty.expect_count(0, "x").code() == Code::kMalformed);
  CHECK(empty.finish().ok());
  CHECK(mentions(empty.u8().status(), "empty"));
  CHECK(mentions(empty.u8().status(), "truncated"));

  // Every proper prefix of a valid message fails somewhere and never reads past the end.
  CUSTOS_SEEDED_RNG(rng, 1502);
  Scalar s = Scalar::random_nonzero(rng);
  Writer w;
  w.u8(1).u32(2).u64(3).bytes(std::vector<uint8_t>(5, 9)).integer(BigInt(-77777)).point(Point::base_mul(s)).scalar(s);
  auto full = w.take();
  auto parse = [](std::span<const uint8_t> in) -> Status {
    Reader r(in, "msg");
    RETURN_IF_ERROR(r.u8());
    RETURN_IF_ERROR(r.u32());
    RETURN_IF_ERROR(r.u64());
    RETURN_IF_ERROR(r.bytes(5));
    RETURN_IF_ERROR(r.integer(64));
    RETURN_IF_ERROR(r.point());
    RETURN_IF_ERROR(r.scalar());
    return r.finish();
  };
  CHECK(parse(full).ok());
  for (size_t len = 0; len < full.size(); ++len) {
    Status st = parse(std::span<const uint8_t>(full.data(), len));
    INFO("prefix length " << len);
    CHECK(st.code() == Code::kMalformed);
    CHECK(mentions(st, "truncated"));
  }
  // A length prefix claiming more bytes than remain.
  Writer lie;
  lie.u32(10).u8(1).u8(2);
  auto lie_data = lie.take();
  Reader lr(lie_data, "lie");
  CHECK(lr.bytes(100).status().code() == Code::kMalformed);
}

TEST_CASE("codec: trailing bytes", "[codec]") {
  Writer w;
  w.u32(5).u8(0);
  auto data = w.take();
  Reader r(data, "trail");
  REQUIRE(r.u32().ok());
  Status st = r.finish();
  CHECK(st.code() == Code::kMalformed);
  CHECK(mentions(st, "1 trailing"));
  CHECK(mentions(st, "trail"));
}

TEST_CASE("codec: count mismatch", "[codec]") {
  for (uint32_t actual : {0u, 2u, 4u, 0xffffffffu}) {
    Writer w;
    w.u32(actual);
    auto data = w.take();
    Reader r(data, "counts");
    Status st = r.expect_count(3, "shares");
    INFO("actual " << actual);
    CHECK(st.code() == Code::kOutOfRange);
    CHECK(mentions(st, "shares"));
  }
  Writer w;
  w.u32(3);
  auto data = w.take();
  Reader r(data, "counts");
  CHECK(r.expect_count(3, "shares").ok());
}

TEST_CASE("codec: oversized bytes and integer fields", "[codec]") {
  // bytes(): a declared length over the limit is rejected before reading the body.
  {
    Writer w;
    w.bytes(std::vector<uint8_t>(33, 1));
    auto data = w.take();
    Reader r(data, "blob");
    auto b = r.bytes(32);
    REQUIRE_FALSE(b.ok());
    CHECK(b.status().code() == Code::kOutOfRange);
    Reader r2(data, "blob");
    CHECK(r2.bytes(33).ok());
  }
  // Huge declared length with no body: still an out-of-range length, never an allocation.
  {
    Writer w;
    w.u32(0xffffffffu);
    auto data = w.take();
    Reader r(data, "huge");
    CHECK(r.bytes(1 << 20).status().code() == Code::kOutOfRange);
  }
  // integer(): the byte field is bounded by 1 + ceil(max_bits / 8) ...
  {
    Writer w;
    w.integer(BigInt::power_of_two(256));  // 257 bits: 1 + 33 bytes
    auto data = w.take();
    Reader r(data, "int");
    CHECK(r.integer(256).status().code() == Code::kOutOfRange);
    Reader r2(data, "int");
    CHECK(*r2.integer(257) == BigInt::power_of_two(256));
  }
  // ... and the value by max_bits even when the byte length fits.
  {
    Writer w;
    w.integer(BigInt(-256));  // 9 bits, 2 magnitude bytes
    auto data = w.take();
    Reader r(data, "int");
    CHECK(r.integer(10).ok());
    Reader r2(data, "int");
    auto bad = r2.integer(8);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().code() == Code::kOutOfRange);
    CHECK(mentions(bad.status(), "int"));
  }
  // Non-canonical integer encodings inside a well-formed bytes field.
  for (std::vector<uint8_t> body : {std::vector<uint8_t>{}, std::vector<uint8_t>{1}, std::vector<uint8_t>{0, 0, 5},
                                    std::vector<uint8_t>{2, 5}}) {
    Writer w;
    w.bytes(body);
    auto data = w.take();
    Reader r(data, "int");
    auto v = r.integer(64);
    INFO("body size " << body.size());
    REQUIRE_FALSE(v.ok());
    CHECK(v.status().code() == Code::kMalformed);
  }
}

TEST_CASE("codec: invalid points and scalars", "[codec]") {
  // Identity: rejected by point(), accepted by point_allow_identity().
  {
    Writer w;
    w.point(Point());
    auto data = w.take();
    Reader r(data, "pt");
    CHECK_FALSE(r.point().ok());
    Reader r2(data, "pt");
    CHECK(r2.point_allow_identity().ok());
  }
  // Bad prefix and off-curve x.
  {
    std::vector<uint8_t> bad(33, 0);
    bad[0] = 0x05;
    bad[32] = 1;
    Reader r(bad, "pt");
    CHECK(r.point().status().code() == Code::kMalformed);
    Reader r2(bad, "pt");
    CHECK_FALSE(r2.point_allow_identity().ok());
    std::vector<uint8_t> off(33, 0);
    off[0] = 0x02;
    off[32] = 5;  // x = 5: 5^3 + 7 = 132 is not a square mod p
    Reader r3(off, "pt");
    CHECK_FALSE(r3.point().ok());
  }
  // Scalar >= q.
  {
    auto qb = Scalar::order().to_bytes_padded(32);
    Reader r(qb, "sc");
    auto s = r.scalar();
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Code::kOutOfRange);
    CHECK(mentions(s.status(), "sc"));
    std::vector<uint8_t> ff(32, 0xff);
    Reader r2(ff, "sc");
    CHECK_FALSE(r2.scalar().ok());
  }
}
