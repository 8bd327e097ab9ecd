// Πmul (CGGMP21 Fig 29) tests: completeness, every field tampered, z boundary, non-units,
// replay, codec. Shape of use: identification after a failed δ check, over (K_i, G_i, H_i).
#include <catch2/catch.hpp>

#include "crypto/scalar.h"
#include "crypto/zk/mul.h"
#include "tests/test_support.h"
#include "tests/zk/zk2_support.h"

using namespace custos;
using namespace custos::zk;
using custos::zk2_testing::env;
using custos::zk2_testing::make_ctx;
using custos::zk2_testing::Tamper;

namespace {

struct Instance {
  MulStatement st;
  MulWitness wit;
};

// X = K_i = enc(k), Y = G_i = enc(γ), C = H_i = (k ⊙ G_i) ⊕ enc(0; ρ), all under the prover's N.
Instance make_instance(Rng& rng, const BigInt& k) {
  const PaillierSecretKey& sk = *env().prover_key;
  Instance in;
  in.st.N = sk.public_key();
  const BigInt& n = in.st.N.n();
  in.wit.x = k;
  in.wit.rho_x = BigInt::random_unit(rng, n);
  in.wit.rho = BigInt::random_unit(rng, n);
  in.st.X = sk.encrypt(k, in.wit.rho_x);
  in.st.Y = sk.encrypt(Scalar::random(rng).to_bigint(), BigInt::random_unit(rng, n));
  in.st.C = in.st.N.add(in.st.N.scale(in.st.Y, k), sk.rho_pow_n(in.wit.rho));
  return in;
}

}  // namespace

TEST_CASE("Πmul: honest proofs verify, with and without the prover's key", "[mul]") {
  for (uint64_t seed : {1, 2, 3}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    ProofContext ctx = make_ctx();
    Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
    REQUIRE(mul_check_witness(in.st, in.wit).ok());
    MulProof p = mul_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
    CHECK(mul_verify(ctx, in.st, p).ok());
    CHECK(mul_verify(ctx, in.st, mul_prove(ctx, in.st, in.wit, rng)).ok());

    auto bytes = encode(p);
    auto d = decode_mul_proof(bytes);
    REQUIRE(d.ok());
    CHECK(encode(*d) == bytes);
    CHECK(mul_verify(ctx, in.st, *d).ok());
  }
  // Negative and extreme x.
  CUSTOS_SEEDED_RNG(rng, 4);
  ProofContext ctx = make_ctx();
  for (const BigInt& x : {-pow2(kEll), pow2(kEll), BigInt(0), BigInt(-1)}) {
    Instance in = make_instance(rng, x);
    REQUIRE(mul_check_witness(in.st, in.wit).ok());
    CHECK(mul_verify(ctx, in.st, mul_prove(ctx, in.st, in.wit, rng, env().prover_key.get())).ok());
  }
}

TEST_CASE("Πmul: every tampered field is rejected", "[mul]") {
  CUSTOS_SEEDED_RNG(rng, 5);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulProof honest = mul_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
  REQUIRE(mul_verify(ctx, in.st, honest).ok());
  const BigInt& n = in.st.N.n();
  const BigInt& n2 = in.st.N.n2();
  auto bump = [](BigInt& v, const BigInt& m) { v = (v * BigInt(2)).mod(m); };
  const std::vector<Tamper<MulProof>> table = {
      {"A", [&](MulProof& p) { bump(p.A, n2); }},
      {"B", [&](MulProof& p) { bump(p.B, n2); }},
      {"z", [](MulProof& p) { p.z += BigInt(1); }},
      {"z negated", [](MulProof& p) { p.z = -p.z; }},
      {"z + N (same mod N)", [&](MulProof& p) { p.z += n; }},
      {"u", [&](MulProof& p) { bump(p.u, n); }},
      {"v", [&](MulProof& p) { bump(p.v, n); }},
      {"A ⊕ enc(1) (shift the plaintext)", [&](MulProof& p) { p.A = in.st.N.add(p.A, n + BigInt(1)); }},
  };
  zk2_testing::expect_tampers_fail<MulProof>(
      honest, table, [&](const MulProof& p) { return mul_verify(ctx, in.st, p); }, "Πmul");
}

TEST_CASE("Πmul: z at the exact range boundary", "[mul]") {
  const BigInt& b = pow2(kEll + kEpsilon);
  ProofContext ctx = make_ctx();
  for (int sign : {1, -1}) {
    CUSTOS_SEEDED_RNG(setup, 6);
    Instance in = make_instance(setup, BigInt(0));  // x = 0: z = α
    zk2_testing::ScriptedRng rng(7);
    rng.push(zk2_testing::symmetric_script(BigInt(sign) * b, b));
    MulProof p = mul_prove(ctx, in.st, in.wit, rng);
    REQUIRE(p.z == BigInt(sign) * b);
    CHECK(mul_verify(ctx, in.st, p).ok());
    MulProof over = p;
    over.z = BigInt(sign) * (b + BigInt(1));
    Status s = mul_verify(ctx, in.st, over);
    CHECK(s.code() == Code::kVerifyFailed);
    CHECK(s.message() == "Πmul: z outside ±2^(ℓ+ε)");
    CHECK(decode_mul_proof(encode(over)).ok());
  }
}

TEST_CASE("Πmul: a wrong product does not verify", "[mul]") {
  CUSTOS_SEEDED_RNG(rng, 8);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  // H_i encrypting k·γ + 1: no witness exists; the honest prover's proof must fail.
  MulStatement st = in.st;
  st.C = st.N.add(st.C, st.N.n() + BigInt(1));  // ⊕ (1+N) = ⊕ enc(1; 1)
  CHECK_FALSE(mul_check_witness(st, in.wit).ok());
  Status s = mul_verify(ctx, st, mul_prove(ctx, st, in.wit, rng, env().prover_key.get()));
  CHECK(s.message() == "Πmul: (z ⊙ Y) ⊕ enc(0; u) ≠ A ⊕ (e ⊙ C)");
  // X not an encryption of x.
  MulStatement st2 = in.st;
  st2.X = st2.N.add(st2.X, st2.N.n() + BigInt(1));
  Status s2 = mul_verify(ctx, st2, mul_prove(ctx, st2, in.wit, rng, env().prover_key.get()));
  CHECK(s2.message() == "Πmul: enc(z; v) ≠ B ⊕ (e ⊙ X)");
}

TEST_CASE("Πmul: non-units are rejected", "[mul]") {
  CUSTOS_SEEDED_RNG(rng, 9);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulProof honest = mul_prove(ctx, in.st, in.wit, rng);
  const BigInt& n = in.st.N.n();
  const BigInt& p = env().prover_key->p();
  auto expect_oor = [&](const MulStatement& st, const MulProof& pr, const std::string& what) {
    Status s = mul_verify(ctx, st, pr);
    CHECK(s.code() == Code::kOutOfRange);
    CHECK(s.message().find(what) != std::string::npos);
  };
  for (const BigInt& v : {BigInt(0), n, p, in.st.N.n2(), BigInt(-1)}) {
    INFO("value " << v.to_hex());
    { MulStatement st = in.st; st.X = v; expect_oor(st, honest, "X is not a unit"); }
    { MulStatement st = in.st; st.Y = v; expect_oor(st, honest, "Y is not a unit"); }
    { MulStatement st = in.st; st.C = v; expect_oor(st, honest, "C is not a unit"); }
    { MulProof q = honest; q.A = v; expect_oor(in.st, q, "A is not a unit"); }
    { MulProof q = honest; q.B = v; expect_oor(in.st, q, "B is not a unit"); }
  }
  for (const BigInt& v : {BigInt(0), n, p, n + BigInt(1), BigInt(-1)}) {
    INFO("value " << v.to_hex());
    { MulProof q = honest; q.u = v; expect_oor(in.st, q, "u is not a unit"); }
    { MulProof q = honest; q.v = v; expect_oor(in.st, q, "v is not a unit"); }
  }
}

TEST_CASE("Πmul: replay under another context or statement fails", "[mul]") {
  CUSTOS_SEEDED_RNG(rng, 10);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulProof p = mul_prove(ctx, in.st, in.wit, rng);
  REQUIRE(mul_verify(ctx, in.st, p).ok());
  ProofContext other_sid = ctx;
  other_sid.sid[31] ^= 0x80;
  CHECK_FALSE(mul_verify(other_sid, in.st, p).ok());
  CHECK_FALSE(mul_verify(make_ctx(4, 2), in.st, p).ok());
  CHECK_FALSE(mul_verify(make_ctx(1, 0), in.st, p).ok());

  Instance other = make_instance(rng, Scalar::random(rng).to_bigint());
  for (int field = 0; field < 4; ++field) {
    INFO("changed statement field " << field);
    MulStatement st = in.st;
    if (field == 0) st.N = env().other_key->public_key();
    if (field == 1) st.X = other.st.X;
    if (field == 2) st.Y = other.st.Y;
    if (field == 3) st.C = other.st.C;
    CHECK_FALSE(mul_verify(ctx, st, p).ok());
  }
}

TEST_CASE("Πmul: decoding limits", "[mul]") {
  CUSTOS_SEEDED_RNG(rng, 11);
  ProofContext ctx = make_ctx();
  Instance in = make_instance(rng, Scalar::random(rng).to_bigint());
  MulProof p = mul_prove(ctx, in.st, in.wit, rng);
  zk2_testing::expect_decode_limits(encode(p), [](std::span<const uint8_t> b) { return decode_mul_proof(b); });
  auto with = [&](auto set) {
    MulProof q = p;
    set(q);
    return encode(q);
  };
  CHECK(decode_mul_proof(with([](MulProof& q) { q.z = zk2_testing::huge_integer(); })).status().code() ==
        Code::kOutOfRange);
  CHECK_FALSE(decode_mul_proof(with([](MulProof& q) { q.z = pow2(kEll + kEpsilon + 1); })).ok());
  CHECK_FALSE(decode_mul_proof(with([](MulProof& q) { q.A = pow2(2 * kPaillierBits); })).ok());
  CHECK_FALSE(decode_mul_proof(with([](MulProof& q) { q.u = pow2(kPaillierBits); })).ok());
  CHECK_FALSE(decode_mul_proof(with([](MulProof& q) { q.v = -q.v; })).ok());
  MulProof mem = p;
  mem.z = zk2_testing::huge_integer();
  CHECK(mul_verify(ctx, in.st, mem).message() == "Πmul: z outside ±2^(ℓ+ε)");
}
