// Πmul* (CGGMP21 Fig 31) tests: completeness, every field tampered, z1 boundary, Bx = O,
// non-units, replay, codec. Shape of use: identification after an invalid signature,
// Ĥ_i = (x_i ⊙ K_i) ⊕ enc_i(0; ρ) under the prover's own N_i, X_i = x_i·G, the verifier's aux.
#include <catch2/catch.hpp>

#include "crypto/scalar.h"
#include "crypto/zk/mul_star.h"
#include "tests/test_support.h"
#include "tests/zk/zk2_support.h"

using namespace custos;
using namespace custos::zk;
using custos::zk2_testing::env;
using custos::zk2_testing::make_ctx;
using custos::zk2_testing::Tamper;

namespace {

struct Instance {
  MulStarStatement st;
  MulStarWitness wit;
};

Instance make_instance(Rng& rng, const BigInt& x, const PaillierSecretKey& key) {
  Instance in;
  in.st.N0 = key.public_key();
  in.st.aux = env().verifier_aux->params();
  const BigInt& n0 = in.st.N0.n();
  in.st.C = key.encrypt(Scalar::random(rng).to_bigint(), BigInt::random_unit(rng, n0));  // K_i
  in.wit.x = x;
  in.wit.rho = BigInt::random_unit(rng, n0);
  in.st.D = in.st.N0.add(in.st.N0.scale(in.st.C, x), key.rho_pow_n(in.wit.rho));
  in.st.X = Point::base_mul(Scalar::from_bigint(x));
  return in;
}

Instance make_instance(Rng& rng, const BigInt& x) { return make_instance(rng, x, *env().prover_key); }

Status verify(const ProofContext& ctx, const MulStarStatement& st, const MulStarProof& p) {
  return mul_star_verify(ctx, st, p, nullptr, env().verifier_aux.get());
}

}  // namespace

TEST_CASE("Πmul*: honest proofs verify, with and without CRT secrets", "[mul*]") {
  for (uint64_t seed : {1, 2, 3}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    ProofContext ctx = make_ctx();
    Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
    REQUIRE(mul_star_check_witness(in.st, in.wit).ok());
    MulStarProof p = mul_star_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
    CHECK(mul_star_verify(ctx, in.st, p).ok());
    CHECK(verify(ctx, in.st, p).ok());
    CHECK(verify(ctx, in.st, mul_star_prove(ctx, in.st, in.wit, rng)).ok());

    auto bytes = encode(p);
    auto d = decode_mul_star_proof(bytes);
    REQUIRE(d.ok());
    CHECK(encode(*d) == bytes);
    CHECK(verify(ctx, in.st, *d).ok());
  }
  CUSTOS_SEEDED_RNG(rng, 4);
  ProofContext ctx = make_ctx();
  for (const BigInt& x : {-pow2(kEll), pow2(kEll), BigInt(-7)}) {
    Instance in = make_instance(rng, x);
    REQUIRE(mul_star_check_witness(in.st, in.wit).ok());
    CHECK(verify(ctx, in.st, mul_star_prove(ctx, in.st, in.wit, rng, env().prover_key.get())).ok());
  }
  // The figure does not fix who owns N0: a verifier that owns it may use its key for CRT.
  Instance v_owned = make_instance(rng, BigInt(99), *env().verifier_key);
  MulStarProof pv = mul_star_prove(ctx, v_owned.st, v_owned.wit, rng);
  CHECK(mul_star_verify(ctx, v_owned.st, pv, env().verifier_key.get(), env().verifier_aux.get()).ok());
  CHECK(mul_star_verify(ctx, v_owned.st, pv, env().prover_key.get()).code() == Code::kInvalidArgument);
  CHECK(mul_star_verify(ctx, v_owned.st, pv, nullptr, env().other_aux.get()).code() == Code::kInvalidArgument);
}

TEST_CASE("Πmul*: every tampered field is rejected", "[mul*]") {
  CUSTOS_SEEDED_RNG(rng, 5);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulStarProof honest = mul_star_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
  REQUIRE(verify(ctx, in.st, honest).ok());
  const BigInt& n0 = in.st.N0.n();
  const BigInt& nhat = in.st.aux.n();
  auto bump = [](BigInt& v, const BigInt& m) { v = (v * BigInt(2)).mod(m); };
  const std::vector<Tamper<MulStarProof>> table = {
      {"A", [&](MulStarProof& p) { bump(p.A, in.st.N0.n2()); }},
      {"Bx", [](MulStarProof& p) { p.Bx = p.Bx + Point::generator(); }},
      {"E", [&](MulStarProof& p) { bump(p.E, nhat); }},
      {"S", [&](MulStarProof& p) { bump(p.S, nhat); }},
      {"z1", [](MulStarProof& p) { p.z1 += BigInt(1); }},
      {"z1 negated", [](MulStarProof& p) { p.z1 = -p.z1; }},
      {"z1 + q (same mod q)", [](MulStarProof& p) { p.z1 += Scalar::order(); }},
      {"z2", [](MulStarProof& p) { p.z2 += BigInt(1); }},
      {"w", [&](MulStarProof& p) { bump(p.w, n0); }},
  };
  zk2_testing::expect_tampers_fail<MulStarProof>(
      honest, table, [&](const MulStarProof& p) { return verify(ctx, in.st, p); }, "Πmul*");
  zk2_testing::expect_tampers_fail<MulStarProof>(
      honest, table, [&](const MulStarProof& p) { return mul_star_verify(ctx, in.st, p); }, "Πmul*");
}

TEST_CASE("Πmul*: z1 at the exact range boundary; Bx = O", "[mul*]") {
  const BigInt& b = pow2(kEll + kEpsilon);
  ProofContext ctx = make_ctx();
  for (int sign : {1, -1}) {
    CUSTOS_SEEDED_RNG(setup, 6);
    Instance in = make_instance(setup, BigInt(0));  // x = 0: z1 = α, X = O
    zk2_testing::ScriptedRng rng(7);
    rng.push(zk2_testing::symmetric_script(BigInt(sign) * b, b));
    MulStarProof p = mul_star_prove(ctx, in.st, in.wit, rng);
    REQUIRE(p.z1 == BigInt(sign) * b);
    CHECK(verify(ctx, in.st, p).ok());
    MulStarProof over = p;
    over.z1 = BigInt(sign) * (b + BigInt(1));
    Status s = verify(ctx, in.st, over);
    CHECK(s.code() == Code::kVerifyFailed);
    CHECK(s.message() == "Πmul*: z1 outside ±2^(ℓ+ε)");
    CHECK(decode_mul_star_proof(encode(over)).ok());
  }
  CUSTOS_SEEDED_RNG(rng, 8);
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulStarProof p = mul_star_prove(ctx, in.st, in.wit, rng);
  p.Bx = Point::identity();
  CHECK(verify(ctx, in.st, p).message() == "Πmul*: Bx is the identity");
  CHECK_FALSE(decode_mul_star_proof(encode(p)).ok());
}

TEST_CASE("Πmul*: a wrong product or a wrong X does not verify", "[mul*]") {
  CUSTOS_SEEDED_RNG(rng, 9);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulStarStatement st = in.st;
  st.D = st.N0.add(st.D, st.N0.n() + BigInt(1));  // Ĥ_i ⊕ enc(1)
  CHECK_FALSE(mul_star_check_witness(st, in.wit).ok());
  CHECK(verify(ctx, st, mul_star_prove(ctx, st, in.wit, rng)).message() ==
        "Πmul*: (z1 ⊙ C) ⊕ enc_N0(0; w) ≠ A ⊕ (e ⊙ D)");
  MulStarStatement st2 = in.st;
  st2.X = st2.X + Point::generator();  // X_i without/with a wrong Lagrange factor
  CHECK(mul_star_check_witness(st2, in.wit).message() == "Πmul* witness: X ≠ x·G");
  CHECK(verify(ctx, st2, mul_star_prove(ctx, st2, in.wit, rng)).message() == "Πmul*: z1·G ≠ Bx + e·X");
  // x far outside ±2^ℓ (in J_ε, not I_ε).
  Instance big = make_instance(rng, pow2(1000));
  CHECK(verify(ctx, big.st, mul_star_prove(ctx, big.st, big.wit, rng)).message() == "Πmul*: z1 outside ±2^(ℓ+ε)");
}

TEST_CASE("Πmul*: non-units are rejected", "[mul*]") {
  CUSTOS_SEEDED_RNG(rng, 10);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulStarProof honest = mul_star_prove(ctx, in.st, in.wit, rng);
  const BigInt& n0 = in.st.N0.n();
  const BigInt& p0 = env().prover_key->q();
  const BigInt& nhat = in.st.aux.n();
  const BigInt& phat = env().verifier_key->p();
  auto expect_oor = [&](const MulStarStatement& st, const MulStarProof& pr, const std::string& what) {
    Status s = verify(ctx, st, pr);
    CHECK(s.code() == Code::kOutOfRange);
    CHECK(s.message().find(what) != std::string::npos);
  };
  for (const BigInt& v : {BigInt(0), n0, p0, in.st.N0.n2(), BigInt(-1)}) {
    INFO("value " << v.to_hex());
    { MulStarStatement st = in.st; st.C = v; expect_oor(st, honest, "C is not a unit"); }
    { MulStarStatement st = in.st; st.D = v; expect_oor(st, honest, "D is not a unit"); }
    { MulStarProof q = honest; q.A = v; expect_oor(in.st, q, "A is not a unit"); }
  }
  for (const BigInt& v : {BigInt(0), nhat, phat, nhat + BigInt(1), BigInt(-1)}) {
    INFO("value " << v.to_hex());
    { MulStarProof q = honest; q.E = v; expect_oor(in.st, q, "E is not a unit"); }
    { MulStarProof q = honest; q.S = v; expect_oor(in.st, q, "S is not a unit"); }
  }
  for (const BigInt& v : {BigInt(0), n0, p0, n0 + BigInt(1), BigInt(-1)}) {
    INFO("value " << v.to_hex());
    MulStarProof q = honest;
    q.w = v;
    expect_oor(in.st, q, "w is not a unit");
  }
}

TEST_CASE("Πmul*: replay under another context or statement fails", "[mul*]") {
  CUSTOS_SEEDED_RNG(rng, 11);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulStarProof p = mul_star_prove(ctx, in.st, in.wit, rng);
  REQUIRE(verify(ctx, in.st, p).ok());
  ProofContext other_sid = ctx;
  other_sid.sid[9] ^= 4;
  CHECK_FALSE(verify(other_sid, in.st, p).ok());
  CHECK_FALSE(verify(make_ctx(5, 2), in.st, p).ok());
  CHECK_FALSE(verify(make_ctx(1, 6), in.st, p).ok());

  Instance other = make_instance(rng, Scalar::random(rng).to_bigint());
  for (int field = 0; field < 5; ++field) {
    INFO("changed statement field " << field);
    MulStarStatement st = in.st;
    if (field == 0) st.N0 = env().other_key->public_key();
    if (field == 1) st.C = other.st.C;
    if (field == 2) st.D = other.st.D;
    if (field == 3) st.X = other.st.X;
    if (field == 4) st.aux = env().other_aux->params();
    CHECK_FALSE(mul_star_verify(ctx, st, p).ok());
  }
}

TEST_CASE("Πmul*: decoding limits", "[mul*]") {
  CUSTOS_SEEDED_RNG(rng, 12);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulStarProof p = mul_star_prove(ctx, in.st, in.wit, rng);
  zk2_testing::expect_decode_limits(encode(p),
                                    [](std::span<const uint8_t> b) { return decode_mul_star_proof(b); });
  auto with = [&](auto set) {
    MulStarProof q = p;
    set(q);
    return encode(q);
  };
  CHECK(decode_mul_star_proof(with([](MulStarProof& q) { q.z2 = zk2_testing::huge_integer(); })).status().code() ==
        Code::kOutOfRange);
  CHECK_FALSE(decode_mul_star_proof(with([](MulStarProof& q) { q.z1 = pow2(kEll + kEpsilon + 1); })).ok());
  CHECK_FALSE(decode_mul_star_proof(with([](MulStarProof& q) { q.A = pow2(2 * kPaillierBits); })).ok());
  CHECK_FALSE(decode_mul_star_proof(with([](MulStarProof& q) { q.E = -q.E; })).ok());
  MulStarProof mem = p;
  mem.z2 = zk2_testing::huge_integer();
  CHECK(verify(ctx, in.st, mem).message() == "Πmul*: z2 is too large");
}
