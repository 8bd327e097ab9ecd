// Πaff-g (CGGMP21 Fig 15) tests: completeness, every field tampered, exact range boundaries,
// non-units, Bx = O, the β sign erratum (notes §5 items 31, 38, 40, 41, 42, 49, 50), replay, codec.
#include <catch2/catch.hpp>

#include "crypto/codec.h"
#include "crypto/scalar.h"
#include "crypto/zk/aff_g.h"
#include "tests/test_support.h"
#include "tests/zk/zk2_support.h"

using namespace custos;
using namespace custos::zk;
using custos::zk2_testing::env;
using custos::zk2_testing::make_ctx;
using custos::zk2_testing::Env;
using custos::zk2_testing::Tamper;

namespace {

struct Instance {
  AffGStatement st;
  AffGWitness wit;
};

// The presign shape: the verifier's K = enc_N0(k), the prover's x (γ_i or x_i) and y = −β.
Instance make_instance(Rng& rng, const BigInt& x, const BigInt& y) {
  const Env& e = env();
  Instance in;
  in.st.N0 = e.verifier_key->public_key();
  in.st.N1 = e.prover_key->public_key();
  in.st.aux = e.verifier_aux->params();
  const BigInt& n0 = in.st.N0.n();
  in.st.C = in.st.N0.encrypt(Scalar::random(rng).to_bigint(), BigInt::random_unit(rng, n0));
  in.wit.x = x;
  in.wit.y = y;
  in.wit.rho = BigInt::random_unit(rng, n0);
  in.wit.rho_y = BigInt::random_unit(rng, in.st.N1.n());
  in.st.D = in.st.N0.add(in.st.N0.scale(in.st.C, x), in.st.N0.encrypt(y, in.wit.rho));
  in.st.Y = in.st.N1.encrypt(y, in.wit.rho_y);
  in.st.X = Point::base_mul(Scalar::from_bigint(x));
  return in;
}

Instance presign_instance(Rng& rng) {
  BigInt beta = BigInt::random_symmetric(rng, pow2(kEllPrime));
  return make_instance(rng, Scalar::random(rng).to_bigint(), -beta);
}

Status verify(const ProofContext& ctx, const AffGStatement& st, const AffGProof& p) {
  return aff_g_verify(ctx, st, p, env().verifier_key.get(), env().verifier_aux.get());
}

}  // namespace

TEST_CASE("Πaff-g: honest proofs verify, with and without CRT secrets", "[aff-g]") {
  for (uint64_t seed : {1, 2, 3}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    ProofContext ctx = make_ctx();
    Instance in = presign_instance(rng);
    REQUIRE(aff_g_check_witness(in.st, in.wit).ok());

    AffGProof p = aff_g_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
    CHECK(aff_g_verify(ctx, in.st, p).ok());
    CHECK(verify(ctx, in.st, p).ok());

    AffGProof q = aff_g_prove(ctx, in.st, in.wit, rng);  // no prover key: public-key paths
    CHECK(verify(ctx, in.st, q).ok());

    auto bytes = encode(p);
    auto d = decode_aff_g_proof(bytes);
    REQUIRE(d.ok());
    CHECK(encode(*d) == bytes);
    CHECK(verify(ctx, in.st, *d).ok());
  }
}

TEST_CASE("Πaff-g: x and y at the witness range ends, negative x", "[aff-g]") {
  CUSTOS_SEEDED_RNG(rng, 4);
  ProofContext ctx = make_ctx();
  for (const auto& [x, y] : std::vector<std::pair<BigInt, BigInt>>{
           {pow2(kEll), pow2(kEllPrime)}, {-pow2(kEll), -pow2(kEllPrime)}, {BigInt(0), BigInt(0)}}) {
    Instance in = make_instance(rng, x, y);
    REQUIRE(aff_g_check_witness(in.st, in.wit).ok());
    CHECK(verify(ctx, in.st, aff_g_prove(ctx, in.st, in.wit, rng, env().prover_key.get())).ok());
  }
}

TEST_CASE("Πaff-g: every tampered field is rejected", "[aff-g]") {
  CUSTOS_SEEDED_RNG(rng, 5);
  ProofContext ctx = make_ctx();
  Instance in = presign_instance(rng);
  AffGProof honest = aff_g_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
  REQUIRE(verify(ctx, in.st, honest).ok());

  const BigInt& n0 = in.st.N0.n();
  const BigInt& n1 = in.st.N1.n();
  auto bump = [](BigInt& v, const BigInt& m) { v = (v * BigInt(2)).mod(m); };
  const std::vector<Tamper<AffGProof>> table = {
      {"A", [&](AffGProof& p) { bump(p.A, in.st.N0.n2()); }},
      {"Bx", [](AffGProof& p) { p.Bx = p.Bx + Point::generator(); }},
      {"By", [&](AffGProof& p) { bump(p.By, in.st.N1.n2()); }},
      {"E", [&](AffGProof& p) { bump(p.E, n0); }},
      {"S", [&](AffGProof& p) { bump(p.S, n0); }},
      {"F", [&](AffGProof& p) { bump(p.F, n0); }},
      {"T", [&](AffGProof& p) { bump(p.T, n0); }},
      {"z1", [](AffGProof& p) { p.z1 += BigInt(1); }},
      {"z2", [](AffGProof& p) { p.z2 += BigInt(1); }},
      {"z3", [](AffGProof& p) { p.z3 += BigInt(1); }},
      {"z4", [](AffGProof& p) { p.z4 += BigInt(1); }},
      {"w", [&](AffGProof& p) { bump(p.w, n0); }},
      {"wy", [&](AffGProof& p) { bump(p.wy, n1); }},
      {"z1 negated", [](AffGProof& p) { p.z1 = -p.z1; }},
      {"z2 negated", [](AffGProof& p) { p.z2 = -p.z2; }},
      {"z1 + q (same mod q)", [](AffGProof& p) { p.z1 += Scalar::order(); }},
  };
  zk2_testing::expect_tampers_fail<AffGProof>(
      honest, table, [&](const AffGProof& p) { return verify(ctx, in.st, p); }, "Πaff-g");
  // The public-key path rejects them too.
  zk2_testing::expect_tampers_fail<AffGProof>(
      honest, table, [&](const AffGProof& p) { return aff_g_verify(ctx, in.st, p); }, "Πaff-g");
}

TEST_CASE("Πaff-g: z1 and z2 at the exact range boundary (item 38)", "[aff-g]") {
  // x = y = 0 makes z1 = α and z2 = β; the scripted RNG pins α and β to ±bound.
  const BigInt& b1 = pow2(kEll + kEpsilon);
  const BigInt& b2 = pow2(kEllPrime + kEpsilon);
  ProofContext ctx = make_ctx();
  for (int sign : {1, -1}) {
    CUSTOS_SEEDED_RNG(setup, 6);
    Instance in = make_instance(setup, BigInt(0), BigInt(0));
    zk2_testing::ScriptedRng rng(7);
    rng.push(zk2_testing::symmetric_script(BigInt(sign) * b1, b1));
    rng.push(zk2_testing::symmetric_script(BigInt(sign) * b2, b2));
    AffGProof p = aff_g_prove(ctx, in.st, in.wit, rng);
    REQUIRE(p.z1 == BigInt(sign) * b1);
    REQUIRE(p.z2 == BigInt(sign) * b2);
    CHECK(verify(ctx, in.st, p).ok());  // the bound itself is inside (closed interval)

    AffGProof over1 = p;
    over1.z1 = BigInt(sign) * (b1 + BigInt(1));
    Status s1 = verify(ctx, in.st, over1);
    CHECK(s1.code() == Code::kVerifyFailed);
    CHECK(s1.message() == "Πaff-g: z1 outside ±2^(ℓ+ε)");

    AffGProof over2 = p;
    over2.z2 = BigInt(sign) * (b2 + BigInt(1));
    Status s2 = verify(ctx, in.st, over2);
    CHECK(s2.code() == Code::kVerifyFailed);
    CHECK(s2.message() == "Πaff-g: z2 outside ±2^(ℓ'+ε)");

    // Both still decode (the decoder allows one bit more), so the verifier is what rejects.
    CHECK(decode_aff_g_proof(encode(over1)).ok());
    CHECK(decode_aff_g_proof(encode(over2)).ok());
  }
}

TEST_CASE("Πaff-g: a witness far outside the range does not verify (items 33, 39)", "[aff-g]") {
  CUSTOS_SEEDED_RNG(rng, 8);
  ProofContext ctx = make_ctx();
  // x in J_ε but not I_ε, and y beyond J_ε.
  Instance big_x = make_instance(rng, pow2(1000), BigInt(5));
  Status sx = verify(ctx, big_x.st, aff_g_prove(ctx, big_x.st, big_x.wit, rng));
  CHECK(sx.message() == "Πaff-g: z1 outside ±2^(ℓ+ε)");
  CHECK_FALSE(aff_g_check_witness(big_x.st, big_x.wit).ok());

  Instance big_y = make_instance(rng, BigInt(5), pow2(kEllPrime + kEpsilon + 1));
  Status sy = verify(ctx, big_y.st, aff_g_prove(ctx, big_y.st, big_y.wit, rng));
  CHECK(sy.message() == "Πaff-g: z2 outside ±2^(ℓ'+ε)");
}

TEST_CASE("Πaff-g: non-units in the statement and the proof are rejected (items 31, 41)", "[aff-g]") {
  CUSTOS_SEEDED_RNG(rng, 9);
  ProofContext ctx = make_ctx();
  Instance in = presign_instance(rng);
  AffGProof honest = aff_g_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
  const BigInt& n0 = in.st.N0.n();
  const BigInt& n1 = in.st.N1.n();
  const BigInt& p0 = env().verifier_key->p();
  const BigInt& p1 = env().prover_key->p();
  const std::vector<BigInt> bad0 = {BigInt(0),     n0, p0, p0 * BigInt(3), in.st.N0.n2(), in.st.N0.n2() + BigInt(1),
                                    BigInt(-1)};
  const std::vector<BigInt> bad1 = {BigInt(0), n1, p1, in.st.N1.n2(), BigInt(-1)};
  const std::vector<BigInt> bad_hat = {BigInt(0), n0, p0, n0 + BigInt(1), BigInt(-1)};
  const std::vector<BigInt> bad_w0 = {BigInt(0), n0, p0, n0 + BigInt(1), BigInt(-1)};
  const std::vector<BigInt> bad_w1 = {BigInt(0), n1, p1, n1 + BigInt(1), BigInt(-1)};

  auto expect_oor = [&](const AffGStatement& st, const AffGProof& p, const std::string& what) {
    Status s = verify(ctx, st, p);
    CHECK(s.code() == Code::kOutOfRange);
    CHECK(s.message().find(what) != std::string::npos);
  };
  for (const auto& v : bad0) {
    INFO("value " << v.to_hex());
    { AffGStatement st = in.st; st.C = v; expect_oor(st, honest, "C is not a unit"); }
    { AffGStatement st = in.st; st.D = v; expect_oor(st, honest, "D is not a unit"); }
    { AffGProof p = honest; p.A = v; expect_oor(in.st, p, "A is not a unit"); }
  }
  for (const auto& v : bad1) {
    INFO("value " << v.to_hex());
    { AffGStatement st = in.st; st.Y = v; expect_oor(st, honest, "Y is not a unit"); }
    { AffGProof p = honest; p.By = v; expect_oor(in.st, p, "By is not a unit"); }
  }
  for (const auto& v : bad_hat) {
    INFO("value " << v.to_hex());
    { AffGProof p = honest; p.E = v; expect_oor(in.st, p, "E is not a unit"); }
    { AffGProof p = honest; p.S = v; expect_oor(in.st, p, "S is not a unit"); }
    { AffGProof p = honest; p.F = v; expect_oor(in.st, p, "F is not a unit"); }
    { AffGProof p = honest; p.T = v; expect_oor(in.st, p, "T is not a unit"); }
  }
  for (const auto& v : bad_w0) {
    INFO("value " << v.to_hex());
    AffGProof p = honest;
    p.w = v;
    expect_oor(in.st, p, "w is not a unit");
  }
  for (const auto& v : bad_w1) {
    INFO("value " << v.to_hex());
    AffGProof p = honest;
    p.wy = v;
    expect_oor(in.st, p, "wy is not a unit");
  }
}

TEST_CASE("Πaff-g: Bx = O, and an X without the Lagrange factor (item 40)", "[aff-g]") {
  CUSTOS_SEEDED_RNG(rng, 10);
  ProofContext ctx = make_ctx();
  Instance in = presign_instance(rng);
  AffGProof honest = aff_g_prove(ctx, in.st, in.wit, rng);

  AffGProof p = honest;
  p.Bx = Point::identity();
  Status s = verify(ctx, in.st, p);
  CHECK(s.code() == Code::kOutOfRange);
  CHECK(s.message() == "Πaff-g: Bx is the identity");
  CHECK_FALSE(decode_aff_g_proof(encode(p)).ok());  // O never decodes

  // Proved for the adjusted X' = λ·x·G; checked against the raw Shamir X = x·G.
  Scalar x = Scalar::random_nonzero(rng);
  Scalar lambda = Scalar::from_u64(3) * *Scalar::from_u64(2).inverse();  // e.g. j/(j−i) = 3/2
  Instance adj = make_instance(rng, (lambda * x).to_bigint(), BigInt(77));
  AffGProof pa = aff_g_prove(ctx, adj.st, adj.wit, rng);
  REQUIRE(verify(ctx, adj.st, pa).ok());
  AffGStatement raw = adj.st;
  raw.X = Point::base_mul(x);
  CHECK_FALSE(verify(ctx, raw, pa).ok());
}

TEST_CASE("Πaff-g: D with −β but Y with +β never verifies (item 42, sign erratum)", "[aff-g]") {
  CUSTOS_SEEDED_RNG(rng, 11);
  ProofContext ctx = make_ctx();
  const Env& e = env();
  BigInt beta = BigInt::random_symmetric(rng, pow2(kEllPrime));
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint(), -beta);  // D and Y both with −β
  REQUIRE(aff_g_check_witness(in.st, in.wit).ok());
  REQUIRE(verify(ctx, in.st, aff_g_prove(ctx, in.st, in.wit, rng, e.prover_key.get())).ok());

  // The paper's literal Fig 7: F = Y = enc_N1(+β).
  AffGStatement mixed = in.st;
  mixed.Y = mixed.N1.encrypt(beta, in.wit.rho_y);

  AffGWitness minus = in.wit;  // y = −β: D holds, Y does not
  Status cw1 = aff_g_check_witness(mixed, minus);
  CHECK(cw1.code() == Code::kInvalidArgument);
  CHECK(cw1.message().find("Y ≠ enc_N1") != std::string::npos);
  Status v1 = verify(ctx, mixed, aff_g_prove(ctx, mixed, minus, rng, e.prover_key.get()));
  CHECK(v1.message() == "Πaff-g: enc_N1(z2; wy) ≠ By ⊕ (e ⊙ Y)");

  AffGWitness plus = in.wit;  // y = +β: Y holds, D does not
  plus.y = beta;
  Status cw2 = aff_g_check_witness(mixed, plus);
  CHECK(cw2.message().find("D ≠") != std::string::npos);
  Status v2 = verify(ctx, mixed, aff_g_prove(ctx, mixed, plus, rng, e.prover_key.get()));
  CHECK(v2.message() == "Πaff-g: (z1 ⊙ C) ⊕ enc_N0(z2; w) ≠ A ⊕ (e ⊙ D)");
}

TEST_CASE("Πaff-g: replay under another context or statement fails", "[aff-g]") {
  CUSTOS_SEEDED_RNG(rng, 12);
  ProofContext ctx = make_ctx();
  Instance in = presign_instance(rng);
  AffGProof p = aff_g_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
  REQUIRE(verify(ctx, in.st, p).ok());

  ProofContext other_sid = ctx;
  other_sid.sid[0] ^= 1;
  CHECK_FALSE(verify(other_sid, in.st, p).ok());
  CHECK_FALSE(verify(make_ctx(3, 2), in.st, p).ok());  // another prover
  CHECK_FALSE(verify(make_ctx(1, 3), in.st, p).ok());  // another verifier

  Instance other = presign_instance(rng);
  const std::vector<std::pair<const char*, std::function<void(AffGStatement&)>>> changes = {
      {"N1", [&](AffGStatement& s) { s.N1 = env().other_key->public_key(); }},
      {"C", [&](AffGStatement& s) { s.C = other.st.C; }},
      {"D", [&](AffGStatement& s) { s.D = other.st.D; }},
      {"Y", [&](AffGStatement& s) { s.Y = other.st.Y; }},
      {"X", [&](AffGStatement& s) { s.X = s.X + Point::generator(); }},
      {"aux (a third party's)", [&](AffGStatement& s) { s.aux = env().other_aux->params(); }},
  };
  for (const auto& [name, change] : changes) {
    INFO("changed statement field: " << name);
    AffGStatement st = in.st;
    change(st);
    CHECK_FALSE(aff_g_verify(ctx, st, p).ok());
  }
  // Another N0 (the verifier's key swapped for a third party's).
  AffGStatement st = in.st;
  st.N0 = env().other_key->public_key();
  CHECK_FALSE(aff_g_verify(ctx, st, p).ok());
}

TEST_CASE("Πaff-g: verifier secrets must match the statement", "[aff-g]") {
  CUSTOS_SEEDED_RNG(rng, 13);
  ProofContext ctx = make_ctx();
  Instance in = presign_instance(rng);
  AffGProof p = aff_g_prove(ctx, in.st, in.wit, rng);
  CHECK(aff_g_verify(ctx, in.st, p, env().prover_key.get()).code() == Code::kInvalidArgument);
  CHECK(aff_g_verify(ctx, in.st, p, nullptr, env().other_aux.get()).code() == Code::kInvalidArgument);
}

TEST_CASE("Πaff-g: decoding limits (items 49, 50)", "[aff-g]") {
  CUSTOS_SEEDED_RNG(rng, 14);
  ProofContext ctx = make_ctx();
  Instance in = presign_instance(rng);
  AffGProof p = aff_g_prove(ctx, in.st, in.wit, rng);
  auto good = encode(p);
  zk2_testing::expect_decode_limits(good, [](std::span<const uint8_t> b) { return decode_aff_g_proof(b); });

  // A 10^6-bit z3 is refused by the decoder (before any arithmetic) and, if built in
  // memory, by the verifier's size check before any exponentiation.
  auto with = [&](auto set) {
    AffGProof q = p;
    set(q);
    return encode(q);
  };
  auto huge = zk2_testing::huge_integer();
  for (auto bytes : {with([&](AffGProof& q) { q.z3 = huge; }), with([&](AffGProof& q) { q.z4 = -huge; }),
                     with([&](AffGProof& q) { q.A = huge; }), with([&](AffGProof& q) { q.w = huge; })}) {
    Result<AffGProof> d = decode_aff_g_proof(bytes);
    CHECK_FALSE(d.ok());
    CHECK(d.status().code() == Code::kOutOfRange);
  }
  AffGProof mem = p;
  mem.z3 = huge;
  Status s = verify(ctx, in.st, mem);
  CHECK(s.message() == "Πaff-g: z3 is too large");
  mem = p;
  mem.z4 = huge;
  CHECK(verify(ctx, in.st, mem).message() == "Πaff-g: z4 is too large");

  // One bit over each tight decode bound is refused.
  CHECK_FALSE(decode_aff_g_proof(with([](AffGProof& q) { q.z1 = pow2(kEll + kEpsilon + 1); })).ok());
  CHECK_FALSE(decode_aff_g_proof(with([](AffGProof& q) { q.z2 = pow2(kEllPrime + kEpsilon + 1); })).ok());
  CHECK_FALSE(decode_aff_g_proof(with([](AffGProof& q) { q.E = pow2(kPaillierBits); })).ok());
  // Residues are never negative on the wire.
  CHECK_FALSE(decode_aff_g_proof(with([](AffGProof& q) { q.S = -q.S; })).ok());
}
