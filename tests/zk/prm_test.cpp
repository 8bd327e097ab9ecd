// Πprm (CGGMP21 Fig 17) tests: completeness, every field tampered, counts, memberships
// (notes §5 items 13–15), a forgery for s ∉ ⟨t⟩ (item 16), replay (item 20), codec.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "crypto/zk/params.h"
#include "crypto/zk/prm.h"
#include "tests/test_support.h"
#include "tests/zk/zk3_support.h"

using namespace custos;
using namespace custos::zk;
namespace t3 = custos::testing::zk3;

namespace {

const RingPedersenSecret& sec() { return t3::aux(0); }
PrmStatement stmt() { return PrmStatement{sec().params()}; }

const PrmProof& honest() {
  static const PrmProof proof = [] {
    DeterministicRng rng(43, "zk3-prm");
    return prm_prove(t3::ctx(), stmt(), PrmWitness{sec()}, rng);
  }();
  return proof;
}

bool contains(const Status& s, const std::string& needle) { return s.message().find(needle) != std::string::npos; }

// Builds a proof from chosen nonces a_i (public arithmetic; for crafting edge cases).
PrmProof craft(const ProofContext& ctx, const RingPedersenSecret& rs, const std::vector<BigInt>& nonces) {
  const auto& aux = rs.params();
  PrmProof p;
  for (const auto& a : nonces) p.a.push_back(BigInt::powm_unit(aux.t(), a, aux.n()));
  auto e = prm_challenges(ctx, aux, p.a);
  for (size_t i = 0; i < nonces.size(); ++i) p.z.push_back(e[i] ? (nonces[i] + rs.lambda()).mod(rs.phi()) : nonces[i]);
  return p;
}

}  // namespace

TEST_CASE("Πprm: honest proofs verify", "[prm]") {
  CHECK(prm_verify(t3::ctx(), stmt(), honest()).ok());
  for (uint64_t seed : {1, 2}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    ProofContext c = t3::ctx(static_cast<uint8_t>(seed), seed, 0);
    const RingPedersenSecret& rs = t3::aux(seed);  // other fixture moduli too
    PrmProof p = prm_prove(c, PrmStatement{rs.params()}, PrmWitness{rs}, rng);
    REQUIRE(p.a.size() == kRepetitions);
    REQUIRE(p.z.size() == kRepetitions);
    CHECK(prm_verify(c, PrmStatement{rs.params()}, p).ok());
  }
  // Both challenge values occur (the proof really exercises e_i = 1).
  auto e = prm_challenges(t3::ctx(), stmt().aux, honest().a);
  size_t ones = 0;
  for (bool b : e) ones += b;
  CHECK(ones > 0);
  CHECK(ones < kRepetitions);
}

TEST_CASE("Πprm: every tampered field is rejected", "[prm]") {
  const BigInt& n = sec().params().n();
  const BigInt& t = sec().params().t();
  struct Case {
    const char* name;
    std::function<void(PrmProof&)> mutate;
  };
  const std::vector<Case> cases = {
      {"A_0 · t", [&](PrmProof& p) { p.a[0] = (p.a[0] * t).mod(n); }},
      {"A_79 · t", [&](PrmProof& p) { p.a[79] = (p.a[79] * t).mod(n); }},
      {"A_40 + 1", [&](PrmProof& p) { p.a[40] += BigInt(1); }},
      {"z_0 + 1", [&](PrmProof& p) { p.z[0] += BigInt(1); }},
      {"z_79 − 1", [&](PrmProof& p) { p.z[79] -= BigInt(1); }},
      {"z_40 := 0", [&](PrmProof& p) { p.z[40] = BigInt(0); }},
      {"A_0, A_1 swapped", [&](PrmProof& p) { std::swap(p.a[0], p.a[1]); }},
      {"z_0, z_1 swapped", [&](PrmProof& p) { std::swap(p.z[0], p.z[1]); }},
      // Items 13 and 15.
      {"79 A_i", [&](PrmProof& p) { p.a.pop_back(); }},
      {"81 A_i", [&](PrmProof& p) { p.a.push_back(p.a[0]); }},
      {"80 A_i, 79 z_i", [&](PrmProof& p) { p.z.pop_back(); }},
      {"80 A_i, 81 z_i", [&](PrmProof& p) { p.z.push_back(p.z[0]); }},
      {"A_3 := 1", [&](PrmProof& p) { p.a[3] = BigInt(1); }},
      {"A_3 := 0", [&](PrmProof& p) { p.a[3] = BigInt(0); }},
      {"A_3 := N̂", [&](PrmProof& p) { p.a[3] = n; }},
      {"A_3 := A_3 + N̂", [&](PrmProof& p) { p.a[3] += n; }},
      {"A_3 := −A_3", [&](PrmProof& p) { p.a[3] = -p.a[3]; }},
      {"A_3 := p (gcd > 1)", [&](PrmProof& p) { p.a[3] = sec().key().p(); }},
      {"z_3 := −1", [&](PrmProof& p) { p.z[3] = BigInt(-1); }},
      {"z_3 := N̂", [&](PrmProof& p) { p.z[3] = n; }},
      {"z_3 := z_3 + φ·2 (≥ N̂, same residue)", [&](PrmProof& p) { p.z[3] += sec().phi() * BigInt(2); }},
  };
  REQUIRE(prm_verify(t3::ctx(), stmt(), honest()).ok());
  for (const auto& c : cases) {
    INFO(c.name);
    PrmProof p = honest();
    c.mutate(p);
    Status s = prm_verify(t3::ctx(), stmt(), p);
    CHECK_FALSE(s.ok());
    CHECK(contains(s, "Πprm"));
  }
}

TEST_CASE("Πprm: membership and range messages; z_i boundary", "[prm]") {
  const BigInt& n = sec().params().n();
  auto verify_with = [&](const std::function<void(PrmProof&)>& f) {
    PrmProof p = honest();
    f(p);
    return prm_verify(t3::ctx(), stmt(), p);
  };
  CHECK(contains(verify_with([](PrmProof& p) { p.a.pop_back(); }), "79 values A_i"));
  CHECK(contains(verify_with([](PrmProof& p) { p.z.pop_back(); }), "79 values z_i"));
  CHECK(contains(verify_with([](PrmProof& p) { p.a[6] = BigInt(1); }), "A_i = 1 (round 6)"));
  CHECK(contains(verify_with([&](PrmProof& p) { p.a[6] = sec().key().q(); }), "A_i is not a unit mod N̂ (round 6)"));
  CHECK(contains(verify_with([&](PrmProof& p) { p.z[6] = n; }), "z_i outside [0, N̂) (round 6)"));
  CHECK(contains(verify_with([](PrmProof& p) { p.z[6] += BigInt(1); }), "t^z_i != A_i·s^e_i mod N̂ (round 6)"));

  // Boundary: the verifier does not know φ, so z_i + φ < N̂ is a valid alternative answer,
  // while z_i + 2φ ≥ N̂ satisfies the equation too but is out of range.
  ProofContext c = t3::ctx();
  CUSTOS_SEEDED_RNG(rng, 5);
  for (int attempt = 0; attempt < 64; ++attempt) {
    std::vector<BigInt> nonces{BigInt(5)};  // a_0 = 5 so that z_0 = 5 when e_0 = 0
    for (unsigned i = 1; i < kRepetitions; ++i) nonces.push_back(BigInt::random_below(rng, sec().phi()));
    PrmProof p = craft(c, sec(), nonces);
    if (!(p.z[0] == BigInt(5))) continue;  // e_0 = 1; try other nonces
    REQUIRE(prm_verify(c, stmt(), p).ok());
    PrmProof q = p;
    q.z[0] = BigInt(5) + sec().phi();
    REQUIRE(q.z[0] < n);
    CHECK(prm_verify(c, stmt(), q).ok());
    q.z[0] = BigInt(5) + sec().phi() * BigInt(2);
    REQUIRE(q.z[0] >= n);
    CHECK(contains(prm_verify(c, stmt(), q), "z_i outside [0, N̂)"));
    return;
  }
  FAIL("never drew e_0 = 0");
}

TEST_CASE("Πprm: bad statements (item 14)", "[prm]") {
  const auto& aux = sec().params();
  const BigInt& n = aux.n();
  const BigInt& s = aux.s();
  const BigInt& t = aux.t();
  // RingPedersenParams::create refuses these, so no statement can carry them.
  CHECK_FALSE(RingPedersenParams::create(n, t, t).ok());                        // s = t
  CHECK_FALSE(RingPedersenParams::create(n, BigInt(1), t).ok());                // s = 1
  CHECK_FALSE(RingPedersenParams::create(n, s, BigInt(1)).ok());                // t = 1
  CHECK_FALSE(RingPedersenParams::create(n, s, n - BigInt(1)).ok());           // t = N̂−1
  CHECK_FALSE(RingPedersenParams::create(n, n - BigInt(1), t).ok());           // s = N̂−1
  CHECK_FALSE(RingPedersenParams::create(n, BigInt(0), t).ok());                // s = 0
  CHECK_FALSE(RingPedersenParams::create(n, s + n, t).ok());                    // s ≥ N̂
  CHECK_FALSE(RingPedersenParams::create(n, s, sec().key().p()).ok());          // gcd(t, N̂) > 1
  // What the verifier itself rejects: a default (empty) statement and a modulus of the wrong size.
  CHECK(contains(prm_verify(t3::ctx(), PrmStatement{}, honest()), "N̂ has 0 bits"));
  BigInt m = n >> 1;
  if (!m.is_odd()) m += BigInt(1);
  auto small = RingPedersenParams::create(m, BigInt(4), BigInt(16), kPaillierBits - 1);
  REQUIRE(small.ok());
  CHECK(contains(prm_verify(t3::ctx(), PrmStatement{*small}, honest()), "expected exactly 2048"));
}

TEST_CASE("Πprm: no proof for s outside ⟨t⟩ (item 16)", "[prm]") {
  const auto& good = sec().params();
  const BigInt& n = good.n();
  // ⟨t⟩ lies in the QRs (t = τ²); an s with Jacobi −1 is not in ⟨t⟩.
  BigInt s_bad = BigInt(2);
  while (BigInt::jacobi(s_bad, n) != -1) s_bad += BigInt(1);
  auto bad_params = RingPedersenParams::create(n, s_bad, good.t());
  REQUIRE(bad_params.ok());
  PrmStatement bad{*bad_params};
  ProofContext c = t3::ctx();
  CUSTOS_SEEDED_RNG(rng, 16);

  // (a) The honest prover with a λ that does not exist: every e_i = 1 round fails.
  RingPedersenSecret fake(*bad_params, sec().lambda(), std::make_shared<const PaillierSecretKey>(sec().key()));
  PrmProof honest_try = prm_prove(c, bad, PrmWitness{fake}, rng);
  CHECK(contains(prm_verify(c, bad, honest_try), "t^z_i != A_i·s^e_i"));

  // (b) The guessing forger: for a guessed bit g_i, A_i = t^{a_i}·s^{−g_i} and z_i = a_i answers
  // e_i = g_i only. It wins iff all 80 guesses match the hash (2^-80).
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::vector<bool> guess;
    PrmProof forged;
    BigInt s_inv = *BigInt::invert(s_bad, n);
    for (unsigned i = 0; i < kRepetitions; ++i) {
      BigInt a = BigInt::random_below(rng, n);
      bool g = rng.next_u64() & 1;
      BigInt big_a = BigInt::powm_unit(good.t(), a, n);
      if (g) big_a = (big_a * s_inv).mod(n);
      guess.push_back(g);
      forged.a.push_back(big_a);
      forged.z.push_back(a);
    }
    auto e = prm_challenges(c, bad.aux, forged.a);
    size_t wrong = 0;
    for (unsigned i = 0; i < kRepetitions; ++i) wrong += (e[i] != guess[i]);
    CHECK(wrong > 0);
    Status s = prm_verify(c, bad, forged);
    CHECK_FALSE(s.ok());
    CHECK(contains(s, "t^z_i != A_i·s^e_i"));
  }
}

TEST_CASE("Πprm: replay under another context or statement fails (item 20)", "[prm]") {
  CHECK_FALSE(prm_verify(t3::ctx(0x5B), stmt(), honest()).ok());
  CHECK_FALSE(prm_verify(t3::ctx(0x5A, 4), stmt(), honest()).ok());
  CHECK_FALSE(prm_verify(t3::ctx(0x5A, 1, 4), stmt(), honest()).ok());
  const auto& aux = sec().params();
  // s' = s·t is still in ⟨t⟩, so only the binding to the statement rejects it.
  auto s2 = RingPedersenParams::create(aux.n(), aux.mul(aux.s(), aux.t()), aux.t());
  REQUIRE(s2.ok());
  CHECK_FALSE(prm_verify(t3::ctx(), PrmStatement{*s2}, honest()).ok());
  auto t2 = RingPedersenParams::create(aux.n(), aux.s(), aux.mul(aux.t(), aux.t()));
  REQUIRE(t2.ok());
  CHECK_FALSE(prm_verify(t3::ctx(), PrmStatement{*t2}, honest()).ok());
  CHECK_FALSE(prm_verify(t3::ctx(), PrmStatement{t3::aux(1).params()}, honest()).ok());
}

TEST_CASE("Πprm: codec", "[prm]") {
  const PrmProof& p = honest();
  auto bytes = encode(p);
  auto d = decode_prm_proof(bytes);
  REQUIRE(d.ok());
  CHECK(d->a == p.a);
  CHECK(d->z == p.z);
  CHECK(prm_verify(t3::ctx(), stmt(), *d).ok());
  CHECK(encode(*d) == bytes);

  CHECK_FALSE(decode_prm_proof({}).ok());
  for (size_t len : {size_t{1}, size_t{4}, size_t{300}, bytes.size() / 2, bytes.size() - 1}) {
    INFO("truncated to " << len);
    CHECK_FALSE(decode_prm_proof(std::span<const uint8_t>(bytes.data(), len)).ok());
  }
  auto trailing = bytes;
  trailing.push_back(0);
  CHECK_FALSE(decode_prm_proof(trailing).ok());
  auto encode_with = [&](const std::function<void(PrmProof&)>& f) {
    PrmProof q = p;
    f(q);
    return encode(q);
  };
  CHECK(decode_prm_proof(encode_with([](PrmProof& q) { q.z[0] = BigInt::power_of_two(1000000); })).status().code() ==
        Code::kOutOfRange);
  CHECK_FALSE(decode_prm_proof(encode_with([](PrmProof& q) { q.a[79] = BigInt::power_of_two(2048); })).ok());
  CHECK_FALSE(decode_prm_proof(encode_with([](PrmProof& q) { q.a.pop_back(); })).ok());
  CHECK_FALSE(decode_prm_proof(encode_with([](PrmProof& q) { q.z.pop_back(); })).ok());
  CHECK_FALSE(decode_prm_proof(encode_with([](PrmProof& q) { q.a.push_back(q.a[0]); })).ok());
}
