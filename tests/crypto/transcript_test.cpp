// Transcript framing (no ambiguous encodings), forking, and the challenge stream.
#include <set>
#include <string>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/hash.h"
#include "crypto/point.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "crypto/transcript.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

std::vector<uint8_t> u64be(uint64_t v) {
  std::vector<uint8_t> out(8);
  for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<uint8_t>(v);
  return out;
}

void frame(Sha256& h, std::string_view label, uint8_t tag, std::span<const uint8_t> data) {
  h.update(u64be(label.size()));
  h.update(label);
  h.update(std::span<const uint8_t>(&tag, 1));
  h.update(u64be(data.size()));
  h.update(data);
}

}  // namespace

TEST_CASE("transcript: framing matches the documented layout", "[transcript]") {
  Sha256 h;
  frame(h, "custos/transcript/domain", 2, as_bytes("dom"));
  frame(h, "x", 1, as_bytes("abc"));
  frame(h, "n", 3, u64be(42));
  Transcript t("dom");
  t.append("x", as_bytes("abc")).append_u64("n", 42);
  CHECK(t.digest() == h.finish());
}

TEST_CASE("transcript: field boundaries, labels, tags and domains all matter", "[transcript]") {
  auto two = [](std::string_view l1, std::string_view d1, std::string_view l2, std::string_view d2) {
    Transcript t("test");
    t.append(l1, as_bytes(d1)).append(l2, as_bytes(d2));
    return t.digest();
  };
  // ("ab", "c") vs ("a", "bc") under the same labels.
  CHECK(two("f", "ab", "f", "c") != two("f", "a", "f", "bc"));
  // Label/data boundary: label "ab" + data "c" vs label "a" + data "bc".
  {
    Transcript a("test"), b("test");
    a.append("ab", as_bytes("c"));
    b.append("a", as_bytes("bc"));
    CHECK(a.digest() != b.digest());
  }
  // One field vs the same bytes in two fields.
  {
    Transcript a("test"), b("test");
    a.append("f", as_bytes("abc"));
    b.append("f", as_bytes("ab")).append("f", as_bytes("c"));
    CHECK(a.digest() != b.digest());
  }
  // Empty field vs no field.
  {
    Transcript a("test"), b("test");
    a.append("f", {});
    CHECK(a.digest() != b.digest());
  }
  // Label matters.
  {
    Transcript a("test"), b("test");
    a.append("label-a", as_bytes("v"));
    b.append("label-b", as_bytes("v"));
    CHECK(a.digest() != b.digest());
  }
  // Domain matters.
  CHECK(Transcript("d1").digest() != Transcript("d2").digest());
  CHECK(Transcript("d1").digest() == Transcript("d1").digest());
  // Order matters.
  CHECK(two("a", "1", "b", "2") != two("b", "2", "a", "1"));
}

TEST_CASE("transcript: the type tag separates equal byte strings", "[transcript]") {
  CUSTOS_SEEDED_RNG(rng, 1401);
  auto d_bytes = [](std::span<const uint8_t> b) { return Transcript("t").append("f", b).digest(); };
  // string vs bytes
  CHECK(Transcript("t").append_str("f", "hello").digest() != d_bytes(as_bytes("hello")));
  // u64 vs its 8 big-endian bytes
  CHECK(Transcript("t").append_u64("f", 7).digest() != d_bytes(u64be(7)));
  // int vs its sign-magnitude bytes
  BigInt v(-123456789);
  CHECK(Transcript("t").append_int("f", v).digest() != d_bytes(v.to_signed_bytes()));
  // scalar vs its 32 bytes
  Scalar s = Scalar::random(rng);
  auto sb = s.to_bytes();
  CHECK(Transcript("t").append_scalar("f", s).digest() != d_bytes(sb));
  // point vs its 33 bytes
  Point p = Point::base_mul(s);
  auto pb = p.encode();
  CHECK(Transcript("t").append_point("f", p).digest() != d_bytes(pb));
  // Signed integers: v and -v differ, 0 and "-0" cannot be confused.
  CHECK(Transcript("t").append_int("f", v).digest() != Transcript("t").append_int("f", -v).digest());
  CHECK(Transcript("t").append_int("f", BigInt(0)).digest() != Transcript("t").append_int("f", BigInt(1)).digest());
}

TEST_CASE("transcript: forks are independent", "[transcript]") {
  Transcript base("fork");
  base.append_u64("round", 1);
  Digest32 before = base.digest();
  CHECK(base.digest() == before);  // digest() does not disturb the state
  Transcript f1 = base, f2 = base;
  f1.append_u64("recipient", 1);
  f2.append_u64("recipient", 2);
  CHECK(f1.digest() != f2.digest());
  CHECK(f1.digest() != before);
  CHECK(base.digest() == before);  // the original is unaffected by its forks
  // A fork continued the same way as a fresh transcript gives the same digest.
  Transcript fresh("fork");
  fresh.append_u64("round", 1).append_u64("recipient", 1);
  CHECK(fresh.digest() == f1.digest());
  // Assignment copies state as well.
  Transcript f3("other");
  f3 = base;
  CHECK(f3.digest() == before);
  f3.append_str("x", "y");
  CHECK(base.digest() == before);
}

TEST_CASE("transcript: challenge stream", "[transcript]") {
  Transcript t("challenge");
  t.append_str("x", "y");
  const BigInt& q = Scalar::order();
  SECTION("deterministic per (digest, label) and label-separated") {
    auto s1 = t.stream("e");
    auto s2 = t.stream("e");
    auto s3 = t.stream("f");
    Scalar a = s1.scalar(), b = s2.scalar(), c = s3.scalar();
    CHECK(a == b);
    CHECK_FALSE(a == c);
    // Reading bytes: two 100-byte reads equal one 200-byte read (the stream is never restarted).
    auto r1 = t.stream("bytes"), r2 = t.stream("bytes");
    std::vector<uint8_t> x(100), y(100), z(200);
    r1.read(x);
    r1.read(y);
    r2.read(z);
    x.insert(x.end(), y.begin(), y.end());
    CHECK(x == z);
  }
  SECTION("successive values differ") {
    auto s = t.stream("e");
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) seen.insert(s.scalar().to_bigint().to_hex());
    CHECK(seen.size() == 200);
    std::set<std::string> seen_int;
    for (int i = 0; i < 200; ++i) seen_int.insert(s.signed_below_q().to_hex());
    CHECK(seen_int.size() == 200);
  }
  SECTION("signed_below_q is within [-q, q] and takes both signs") {
    auto s = t.stream("signed");
    int neg = 0;
    for (int i = 0; i < 500; ++i) {
      BigInt e = s.signed_below_q();
      REQUIRE(e.in_symmetric_range(q));
      neg += e.sign() < 0;
    }
    CHECK(neg > 180);
    CHECK(neg < 320);
  }
  SECTION("below(n) < n") {
    auto s = t.stream("below");
    for (const BigInt& n : {BigInt(1), BigInt(2), BigInt(3), BigInt(255), BigInt(256), BigInt(257), q,
                            BigInt::power_of_two(256) + BigInt(1), BigInt::power_of_two(1000) - BigInt(3)}) {
      for (int i = 0; i < 100; ++i) {
        BigInt v = s.below(n);
        REQUIRE(v.sign() >= 0);
        REQUIRE(v < n);
      }
    }
    // Small n: every value shows up.
    std::set<uint64_t> seen;
    for (int i = 0; i < 200; ++i) seen.insert(s.below(BigInt(5)).low_u64());
    CHECK(seen.size() == 5);
    for (int i = 0; i < 100; ++i) CHECK(s.scalar().to_bigint() < q);
  }
  SECTION("bit takes both values") {
    auto s = t.stream("bit");
    int ones = 0;
    for (int i = 0; i < 200; ++i) ones += s.bit();
    CHECK(ones > 60);
    CHECK(ones < 140);
  }
}
