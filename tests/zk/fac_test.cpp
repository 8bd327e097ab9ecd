// Πfac (CGGMP21 Fig 28) tests: completeness (with and without the verifier's CRT),
// every field tampered, z-range boundary (item 18), σ binding (item 19), a Blum modulus
// with a 200-bit factor (item 8), wrong aux (item 17), replay (item 20), codec.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "crypto/scalar.h"
#include "crypto/zk/fac.h"
#include "crypto/zk/params.h"
#include "tests/test_support.h"
#include "tests/zk/zk3_support.h"

using namespace custos;
using namespace custos::zk;
namespace t3 = custos::testing::zk3;

namespace {

// Prover = key(0); verifier's aux = aux(1); a third party = aux(2).
const PaillierSecretKey& pkey() { return t3::key(0); }
const RingPedersenSecret& vaux() { return t3::aux(1); }
FacStatement stmt() { return FacStatement{pkey().n(), vaux().params()}; }
FacWitness wit() { return FacWitness{pkey().p(), pkey().q()}; }

const FacProof& honest() {
  static const FacProof proof = [] {
    DeterministicRng rng(44, "zk3-fac");
    return fac_prove(t3::ctx(), stmt(), wit(), rng);
  }();
  return proof;
}

bool contains(const Status& s, const std::string& needle) { return s.message().find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("Πfac: honest proofs verify", "[fac]") {
  CHECK(fac_verify(t3::ctx(), stmt(), honest()).ok());
  CHECK(fac_verify(t3::ctx(), stmt(), honest(), &vaux()).ok());
  for (uint64_t seed : {1, 2, 3, 4}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    ProofContext c = t3::ctx(static_cast<uint8_t>(seed), seed, seed + 1);
    const PaillierSecretKey& k = t3::key(seed + 2);
    const RingPedersenSecret& a = t3::aux(seed % 2);
    FacStatement st{k.n(), a.params()};
    FacProof p = fac_prove(c, st, FacWitness{k.p(), k.q()}, rng);
    CHECK(p.z1.in_symmetric_range(pow2(kFacZBits)));
    CHECK(fac_verify(c, st, p).ok());
    CHECK(fac_verify(c, st, p, &a).ok());
  }
  // The CRT secret must belong to the statement's aux.
  CHECK(fac_verify(t3::ctx(), stmt(), honest(), &t3::aux(2)).code() == Code::kInvalidArgument);
}

TEST_CASE("Πfac: every tampered field is rejected", "[fac]") {
  const auto& aux = vaux().params();
  const BigInt& nh = aux.n();
  struct Case {
    const char* name;
    std::function<void(FacProof&)> mutate;
  };
  auto times_t = [&](BigInt& v) { v = aux.mul(v, aux.t()); };
  const std::vector<Case> cases = {
      {"P · t", [&](FacProof& p) { times_t(p.P); }},
      {"Q · t", [&](FacProof& p) { times_t(p.Q); }},
      {"A · t", [&](FacProof& p) { times_t(p.A); }},
      {"B · t", [&](FacProof& p) { times_t(p.B); }},
      {"T · t", [&](FacProof& p) { times_t(p.T); }},
      {"sigma + 1 (item 19)", [&](FacProof& p) { p.sigma += BigInt(1); }},
      {"sigma − 1 (item 19)", [&](FacProof& p) { p.sigma -= BigInt(1); }},
      {"z1 + 1", [&](FacProof& p) { p.z1 += BigInt(1); }},
      {"z2 + 1", [&](FacProof& p) { p.z2 += BigInt(1); }},
      {"w1 + 1", [&](FacProof& p) { p.w1 += BigInt(1); }},
      {"w2 + 1", [&](FacProof& p) { p.w2 += BigInt(1); }},
      {"v + 1", [&](FacProof& p) { p.v += BigInt(1); }},
      {"z1, z2 swapped", [&](FacProof& p) { std::swap(p.z1, p.z2); }},
      {"P, Q swapped", [&](FacProof& p) { std::swap(p.P, p.Q); }},
      {"P := 0", [&](FacProof& p) { p.P = BigInt(0); }},
      {"Q := N̂", [&](FacProof& p) { p.Q = nh; }},
      {"A := A + N̂", [&](FacProof& p) { p.A += nh; }},
      {"B := −B", [&](FacProof& p) { p.B = -p.B; }},
      {"T := verifier's p (gcd > 1)", [&](FacProof& p) { p.T = vaux().key().p(); }},
      {"P := 1·q̂ (gcd > 1)", [&](FacProof& p) { p.P = vaux().key().q() * BigInt(3); }},
      {"sigma huge", [&](FacProof& p) { p.sigma = pow2(kEll + 2 * kPaillierBits + 1); }},
      {"w1 huge", [&](FacProof& p) { p.w1 = pow2(1000000); }},
      {"v huge", [&](FacProof& p) { p.v = -pow2(100000); }},
  };
  REQUIRE(fac_verify(t3::ctx(), stmt(), honest()).ok());
  for (const auto& c : cases) {
    INFO(c.name);
    FacProof p = honest();
    c.mutate(p);
    Status s = fac_verify(t3::ctx(), stmt(), p);
    CHECK_FALSE(s.ok());
    CHECK(contains(s, "Πfac"));
    CHECK_FALSE(fac_verify(t3::ctx(), stmt(), p, &vaux()).ok());
  }
}

TEST_CASE("Πfac: messages name the failed check", "[fac]") {
  auto verify_with = [&](const std::function<void(FacProof&)>& f) {
    FacProof p = honest();
    f(p);
    return fac_verify(t3::ctx(), stmt(), p);
  };
  CHECK(contains(verify_with([](FacProof& p) { p.P = BigInt(0); }), "P is not a unit mod N̂"));
  CHECK(contains(verify_with([](FacProof& p) { p.T = vaux().key().q(); }), "T is not a unit mod N̂"));
  CHECK(contains(verify_with([](FacProof& p) { p.A += BigInt(1); }), "s^z1·t^w1 != A·P^e"));
  CHECK(contains(verify_with([](FacProof& p) { p.w2 += BigInt(1); }), "s^z2·t^w2 != B·Q^e"));
  CHECK(contains(verify_with([](FacProof& p) { p.v += BigInt(1); }), "Q^z1·t^v != T·R^e"));
  CHECK(contains(verify_with([](FacProof& p) { p.w1 = pow2(1000000); }), "w1 outside"));
}

TEST_CASE("Πfac: z1/z2 range is the closed ±2^(ℓ+ε)·√N0 (item 18)", "[fac]") {
  const BigInt& bound = pow2(kFacZBits);
  auto verify_with = [&](BigInt FacProof::*field, const BigInt& v) {
    FacProof p = honest();
    p.*field = v;
    return fac_verify(t3::ctx(), stmt(), p);
  };
  for (BigInt FacProof::*field : {&FacProof::z1, &FacProof::z2}) {
    const char* name = field == &FacProof::z1 ? "z1" : "z2";
    INFO(name);
    // ±bound passes the range check (and then fails an equation), ±(bound+1) fails the range.
    for (const BigInt& v : {bound, -bound}) {
      Status s = verify_with(field, v);
      CHECK_FALSE(s.ok());
      CHECK_FALSE(contains(s, "outside"));
    }
    for (const BigInt& v : {bound + BigInt(1), -(bound + BigInt(1))}) {
      Status s = verify_with(field, v);
      CHECK(contains(s, std::string(name) + " outside ±2^(ℓ+ε)·√N0"));
    }
  }
}

TEST_CASE("Πfac: a Blum modulus with a 200-bit factor is rejected (item 8)", "[fac]") {
  CUSTOS_SEEDED_RNG(rng, 8);
  BigInt small = t3::random_prime(rng, 200, 3, 4);
  BigInt large = t3::complete_modulus(rng, small, kPaillierBits, 3, 4);
  BigInt n0 = small * large;
  REQUIRE(n0.bit_length() == kPaillierBits);
  REQUIRE(large.bit_length() >= 1840);
  FacStatement st{n0, vaux().params()};
  // The honest prover with the real factors, in both orders: the large factor times e
  // overflows ±2^(ℓ+ε)·√N0.
  FacProof p1 = fac_prove(t3::ctx(), st, FacWitness{small, large}, rng);
  CHECK(contains(fac_verify(t3::ctx(), st, p1), "z2 outside"));
  FacProof p2 = fac_prove(t3::ctx(), st, FacWitness{large, small}, rng);
  CHECK(contains(fac_verify(t3::ctx(), st, p2), "z1 outside"));
  // Control: the same statement shape with balanced factors verifies.
  CHECK(fac_verify(t3::ctx(), stmt(), honest()).ok());
}

TEST_CASE("Πfac: wrong aux or wrong witness (item 17)", "[fac]") {
  CUSTOS_SEEDED_RNG(rng, 17);
  // Under the prover's own aux (TA before PR #98), then checked with the verifier's.
  FacStatement own{pkey().n(), t3::aux(0).params()};
  FacProof p_own = fac_prove(t3::ctx(), own, wit(), rng);
  REQUIRE(fac_verify(t3::ctx(), own, p_own).ok());
  CHECK_FALSE(fac_verify(t3::ctx(), stmt(), p_own).ok());
  CHECK_FALSE(fac_verify(t3::ctx(), stmt(), p_own, &vaux()).ok());
  // Under a third party's aux.
  FacStatement third{pkey().n(), t3::aux(2).params()};
  FacProof p_third = fac_prove(t3::ctx(), third, wit(), rng);
  CHECK_FALSE(fac_verify(t3::ctx(), stmt(), p_third).ok());
  // A witness that does not factor N0.
  FacProof p_bad = fac_prove(t3::ctx(), stmt(), FacWitness{pkey().p(), t3::key(1).q()}, rng);
  CHECK(contains(fac_verify(t3::ctx(), stmt(), p_bad), "Q^z1·t^v != T·R^e"));
}

TEST_CASE("Πfac: statement checks and replay (item 20)", "[fac]") {
  const BigInt& n0 = pkey().n();
  CHECK(contains(fac_verify(t3::ctx(), FacStatement{n0 + BigInt(1), vaux().params()}, honest()), "N0 is even"));
  CHECK(contains(fac_verify(t3::ctx(), FacStatement{n0 >> 1, vaux().params()}, honest()), "expected exactly 2048"));
  CHECK_FALSE(fac_verify(t3::ctx(), FacStatement{n0, RingPedersenParams{}}, honest()).ok());
  // Another sid (ρ), prover, or verifier index.
  CHECK_FALSE(fac_verify(t3::ctx(0x5B), stmt(), honest()).ok());
  CHECK_FALSE(fac_verify(t3::ctx(0x5A, 3), stmt(), honest()).ok());
  CHECK_FALSE(fac_verify(t3::ctx(0x5A, 1, 3), stmt(), honest()).ok());
  // Any statement field changed: N0, N̂ (another party's aux), s, t.
  CHECK_FALSE(fac_verify(t3::ctx(), FacStatement{t3::key(3).n(), vaux().params()}, honest()).ok());
  CHECK_FALSE(fac_verify(t3::ctx(), FacStatement{n0, t3::aux(2).params()}, honest()).ok());
  const auto& a = vaux().params();
  auto s2 = RingPedersenParams::create(a.n(), a.mul(a.s(), a.t()), a.t());
  auto t2 = RingPedersenParams::create(a.n(), a.s(), a.mul(a.t(), a.t()));
  REQUIRE(s2.ok());
  REQUIRE(t2.ok());
  CHECK_FALSE(fac_verify(t3::ctx(), FacStatement{n0, *s2}, honest()).ok());
  CHECK_FALSE(fac_verify(t3::ctx(), FacStatement{n0, *t2}, honest()).ok());
  // The challenge moves with σ (item 19: σ is hashed).
  FacProof p = honest();
  p.sigma += BigInt(1);
  CHECK(fac_challenge(t3::ctx(), stmt(), p) != fac_challenge(t3::ctx(), stmt(), honest()));
  CHECK(fac_challenge(t3::ctx(), stmt(), honest()).in_symmetric_range(Scalar::order()));
}

TEST_CASE("Πfac: codec", "[fac]") {
  const FacProof& p = honest();
  auto bytes = encode(p);
  auto d = decode_fac_proof(bytes);
  REQUIRE(d.ok());
  for (BigInt FacProof::*f : {&FacProof::P, &FacProof::Q, &FacProof::A, &FacProof::B, &FacProof::T,
                              &FacProof::sigma, &FacProof::z1, &FacProof::z2, &FacProof::w1, &FacProof::w2,
                              &FacProof::v}) {
    CHECK((*d).*f == p.*f);
  }
  CHECK(fac_verify(t3::ctx(), stmt(), *d).ok());
  CHECK(encode(*d) == bytes);

  CHECK_FALSE(decode_fac_proof({}).ok());
  for (size_t len : {size_t{1}, size_t{4}, size_t{300}, bytes.size() / 2, bytes.size() - 1}) {
    INFO("truncated to " << len);
    CHECK_FALSE(decode_fac_proof(std::span<const uint8_t>(bytes.data(), len)).ok());
  }
  auto trailing = bytes;
  trailing.push_back(0);
  CHECK_FALSE(decode_fac_proof(trailing).ok());
  auto encode_with = [&](const std::function<void(FacProof&)>& f) {
    FacProof q = p;
    f(q);
    return encode(q);
  };
  CHECK(decode_fac_proof(encode_with([](FacProof& q) { q.v = pow2(1000000); })).status().code() == Code::kOutOfRange);
  // z1 one bit beyond what the range allows is refused at decode; bound + 1 still decodes
  // (and the verifier rejects it, see item 18).
  CHECK_FALSE(decode_fac_proof(encode_with([](FacProof& q) { q.z1 = pow2(kFacZBits + 1); })).ok());
  CHECK(decode_fac_proof(encode_with([](FacProof& q) { q.z1 = pow2(kFacZBits) + BigInt(1); })).ok());
  CHECK_FALSE(decode_fac_proof(encode_with([](FacProof& q) { q.P = pow2(kPaillierBits); })).ok());
  CHECK_FALSE(decode_fac_proof(encode_with([](FacProof& q) { q.sigma = pow2(kEll + 2 * kPaillierBits + 1); })).ok());
}
