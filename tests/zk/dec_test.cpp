// Πdec (CGGMP21 Fig 30, y range widened per the erratum) tests: completeness for δ-sized y,
// every field tampered, z1 boundary, the y_bits limits, the wrap-around attack (y + N0 claiming
// another x) that the added z1 check stops, non-units, replay, codec.
#include <catch2/catch.hpp>

#include "crypto/zk/dec.h"
#include "tests/test_support.h"
#include "tests/zk/zk2_support.h"

using namespace custos;
using namespace custos::zk;
using custos::zk2_testing::env;
using custos::zk2_testing::make_ctx;
using custos::zk2_testing::Tamper;

namespace {

struct Instance {
  DecStatement st;
  DecWitness wit;
};

const unsigned kYBits = dec_y_bits_for_parties(3);

// C = enc_N0(y; ρ) under the prover's own key, x = y mod q, the verifier's aux.
Instance make_instance(Rng& rng, const BigInt& y, unsigned y_bits = kYBits) {
  const PaillierSecretKey& sk = *env().prover_key;
  Instance in;
  in.st.N0 = sk.public_key();
  in.st.aux = env().verifier_aux->params();
  in.st.y_bits = y_bits;
  in.wit.y = y;
  in.wit.rho = BigInt::random_unit(rng, in.st.N0.n());
  in.st.C = sk.encrypt(y, in.wit.rho);
  in.st.x = Scalar::from_bigint(y);
  return in;
}

Instance random_instance(Rng& rng, unsigned y_bits = kYBits) {
  return make_instance(rng, BigInt::random_symmetric(rng, pow2(y_bits)), y_bits);
}

Status verify(const ProofContext& ctx, const DecStatement& st, const DecProof& p) {
  return dec_verify(ctx, st, p, env().verifier_aux.get());
}

}  // namespace

TEST_CASE("Πdec: parameters", "[dec]") {
  CHECK(dec_y_bits_for_parties(1) == kEllPrime + kEpsilon + 1);
  CHECK(dec_y_bits_for_parties(2) == kEllPrime + kEpsilon + 2);
  CHECK(dec_y_bits_for_parties(3) == kEllPrime + kEpsilon + 3);
  CHECK(dec_y_bits_for_parties(16) == kEllPrime + kEpsilon + 5);
  CHECK(dec_y_bits_for_parties(17) == kEllPrime + kEpsilon + 6);
  CHECK(dec_max_y_bits(2048) == 1813);
  // Soundness exponent |N0| + 253 − (y_bits + σ) for 16 parties: 128 bits.
  CHECK(2048 + 253 - (dec_y_bits_for_parties(16) + kDecSlack) == 128);
}

TEST_CASE("Πdec: honest proofs verify, with and without CRT secrets", "[dec]") {
  for (uint64_t seed : {1, 2, 3}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    ProofContext ctx = make_ctx();
    Instance in = random_instance(rng);
    REQUIRE(dec_check_witness(in.st, in.wit).ok());
    DecProof p = dec_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
    CHECK(dec_verify(ctx, in.st, p).ok());
    CHECK(verify(ctx, in.st, p).ok());
    CHECK(verify(ctx, in.st, dec_prove(ctx, in.st, in.wit, rng)).ok());

    auto bytes = encode(p);
    auto d = decode_dec_proof(bytes);
    REQUIRE(d.ok());
    CHECK(encode(*d) == bytes);
    CHECK(verify(ctx, in.st, *d).ok());
  }
  // The witness recovered the way the identifying party gets it: decrypt and recover ρ.
  CUSTOS_SEEDED_RNG(rng, 4);
  ProofContext ctx = make_ctx();
  const PaillierSecretKey& sk = *env().prover_key;
  Instance in = make_instance(rng, -(pow2(kYBits) - BigInt(12345)));
  DecWitness recovered{sk.decrypt(in.st.C), sk.recover_rho(in.st.C)};
  REQUIRE(recovered.y == in.wit.y);
  REQUIRE(dec_check_witness(in.st, recovered).ok());
  CHECK(verify(ctx, in.st, dec_prove(ctx, in.st, recovered, rng, &sk)).ok());
  // Small y (e.g. a scalar in [0, q)) with a small bound.
  Instance small = make_instance(rng, Scalar::random(rng).to_bigint(), kEll);
  CHECK(verify(ctx, small.st, dec_prove(ctx, small.st, small.wit, rng, &sk)).ok());
  // The largest accepted bound.
  Instance max = random_instance(rng, dec_max_y_bits(kPaillierBits));
  CHECK(verify(ctx, max.st, dec_prove(ctx, max.st, max.wit, rng, &sk)).ok());
}

TEST_CASE("Πdec: y_bits outside [1, max] is refused", "[dec]") {
  CUSTOS_SEEDED_RNG(rng, 5);
  ProofContext ctx = make_ctx();
  Instance in = random_instance(rng);
  DecProof p = dec_prove(ctx, in.st, in.wit, rng);
  for (unsigned bad : {0u, dec_max_y_bits(kPaillierBits) + 1, 5000u}) {
    INFO("y_bits " << bad);
    DecStatement st = in.st;
    st.y_bits = bad;
    CHECK(verify(ctx, st, p).code() == Code::kInvalidArgument);
    CHECK(dec_check_witness(st, in.wit).code() == Code::kInvalidArgument);
  }
  // y_bits is hashed: the same proof under another (valid) bound fails.
  DecStatement st = in.st;
  st.y_bits = kYBits + 1;
  CHECK(verify(ctx, st, p).code() == Code::kVerifyFailed);
}

TEST_CASE("Πdec: every tampered field is rejected", "[dec]") {
  CUSTOS_SEEDED_RNG(rng, 6);
  ProofContext ctx = make_ctx();
  Instance in = random_instance(rng);
  DecProof honest = dec_prove(ctx, in.st, in.wit, rng, env().prover_key.get());
  REQUIRE(verify(ctx, in.st, honest).ok());
  const BigInt& n0 = in.st.N0.n();
  const BigInt& nhat = in.st.aux.n();
  auto bump = [](BigInt& v, const BigInt& m) { v = (v * BigInt(2)).mod(m); };
  const std::vector<Tamper<DecProof>> table = {
      {"S", [&](DecProof& p) { bump(p.S, nhat); }},
      {"T", [&](DecProof& p) { bump(p.T, nhat); }},
      {"A", [&](DecProof& p) { bump(p.A, in.st.N0.n2()); }},
      {"gamma", [](DecProof& p) { p.gamma = p.gamma + Scalar::from_u64(1); }},
      {"z1", [](DecProof& p) { p.z1 += BigInt(1); }},
      {"z1 negated", [](DecProof& p) { p.z1 = -p.z1; }},
      {"z1 + q (same mod q)", [](DecProof& p) { p.z1 += Scalar::order(); }},
      {"z1 + N0 (same plaintext)", [&](DecProof& p) { p.z1 += n0; }},
      {"z2", [](DecProof& p) { p.z2 += BigInt(1); }},
      {"w", [&](DecProof& p) { bump(p.w, n0); }},
  };
  zk2_testing::expect_tampers_fail<DecProof>(
      honest, table, [&](const DecProof& p) { return verify(ctx, in.st, p); }, "Πdec");
  zk2_testing::expect_tampers_fail<DecProof>(
      honest, table, [&](const DecProof& p) { return dec_verify(ctx, in.st, p); }, "Πdec");
}

TEST_CASE("Πdec: a false claim about x fails", "[dec]") {
  CUSTOS_SEEDED_RNG(rng, 7);
  ProofContext ctx = make_ctx();
  Instance in = random_instance(rng);
  DecStatement st = in.st;
  st.x = st.x + Scalar::from_u64(1);  // claimed δ_i off by one
  CHECK(dec_check_witness(st, in.wit).message() == "Πdec witness: y ≢ x (mod q)");
  Status s = verify(ctx, st, dec_prove(ctx, st, in.wit, rng, env().prover_key.get()));
  CHECK(s.message() == "Πdec: z1 ≢ γ + e·x (mod q)");
}

TEST_CASE("Πdec: the wrap-around witness y + k·N0 is stopped by the z1 range", "[dec]") {
  // C is also an encryption of y' = y + k·N0, and y' mod q differs from y mod q, so without a
  // bound on z1 the prover could "prove" a wrong x. Every equation holds for y'; only the
  // range check rejects.
  CUSTOS_SEEDED_RNG(rng, 8);
  ProofContext ctx = make_ctx();
  Instance in = random_instance(rng);
  const BigInt& n0 = in.st.N0.n();
  for (long k : {1L, -1L, 2L}) {
    INFO("k = " << k);
    DecStatement st = in.st;
    DecWitness wit = in.wit;
    wit.y = in.wit.y + BigInt(k) * n0;
    st.x = Scalar::from_bigint(wit.y);
    REQUIRE_FALSE(st.x == in.st.x);
    REQUIRE(in.st.N0.encrypt(wit.y, wit.rho) == st.C);
    Status s = verify(ctx, st, dec_prove(ctx, st, wit, rng, env().prover_key.get()));
    CHECK(s.code() == Code::kVerifyFailed);
    CHECK(s.message() == "Πdec: z1 outside ±2^(y_bits+σ)");
  }
}

TEST_CASE("Πdec: z1 at the exact range boundary", "[dec]") {
  const BigInt& b = pow2(kYBits + kDecSlack);
  ProofContext ctx = make_ctx();
  for (int sign : {1, -1}) {
    CUSTOS_SEEDED_RNG(setup, 9);
    Instance in = make_instance(setup, BigInt(0));  // y = 0: z1 = α
    zk2_testing::ScriptedRng rng(10);
    rng.push(zk2_testing::symmetric_script(BigInt(sign) * b, b));
    DecProof p = dec_prove(ctx, in.st, in.wit, rng);
    REQUIRE(p.z1 == BigInt(sign) * b);
    CHECK(verify(ctx, in.st, p).ok());
    DecProof over = p;
    over.z1 = BigInt(sign) * (b + BigInt(1));
    Status s = verify(ctx, in.st, over);
    CHECK(s.code() == Code::kVerifyFailed);
    CHECK(s.message() == "Πdec: z1 outside ±2^(y_bits+σ)");
  }
}

TEST_CASE("Πdec: non-units are rejected", "[dec]") {
  CUSTOS_SEEDED_RNG(rng, 11);
  ProofContext ctx = make_ctx();
  Instance in = random_instance(rng);
  DecProof honest = dec_prove(ctx, in.st, in.wit, rng);
  const BigInt& n0 = in.st.N0.n();
  const BigInt& p0 = env().prover_key->p();
  const BigInt& nhat = in.st.aux.n();
  const BigInt& phat = env().verifier_key->q();
  auto expect_oor = [&](const DecStatement& st, const DecProof& pr, const std::string& what) {
    Status s = verify(ctx, st, pr);
    CHECK(s.code() == Code::kOutOfRange);
    CHECK(s.message().find(what) != std::string::npos);
  };
  for (const BigInt& v : {BigInt(0), n0, p0, in.st.N0.n2(), BigInt(-1)}) {
    INFO("value " << v.to_hex());
    { DecStatement st = in.st; st.C = v; expect_oor(st, honest, "C is not a unit"); }
    { DecProof q = honest; q.A = v; expect_oor(in.st, q, "A is not a unit"); }
  }
  for (const BigInt& v : {BigInt(0), nhat, phat, nhat + BigInt(1), BigInt(-1)}) {
    INFO("value " << v.to_hex());
    { DecProof q = honest; q.S = v; expect_oor(in.st, q, "S is not a unit"); }
    { DecProof q = honest; q.T = v; expect_oor(in.st, q, "T is not a unit"); }
  }
  for (const BigInt& v : {BigInt(0), n0, p0, n0 + BigInt(1), BigInt(-1)}) {
    INFO("value " << v.to_hex());
    DecProof q = honest;
    q.w = v;
    expect_oor(in.st, q, "w is not a unit");
  }
}

TEST_CASE("Πdec: replay under another context, statement or aux fails", "[dec]") {
  CUSTOS_SEEDED_RNG(rng, 12);
  ProofContext ctx = make_ctx();
  Instance in = random_instance(rng);
  DecProof p = dec_prove(ctx, in.st, in.wit, rng);
  REQUIRE(verify(ctx, in.st, p).ok());
  ProofContext other_sid = ctx;
  other_sid.sid[5] ^= 2;
  CHECK_FALSE(verify(other_sid, in.st, p).ok());
  CHECK_FALSE(verify(make_ctx(2, 2), in.st, p).ok());
  CHECK_FALSE(verify(make_ctx(1, 4), in.st, p).ok());

  Instance other = random_instance(rng);
  for (int field = 0; field < 4; ++field) {
    INFO("changed statement field " << field);
    DecStatement st = in.st;
    if (field == 0) st.N0 = env().other_key->public_key();
    if (field == 1) st.C = other.st.C;
    if (field == 2) st.x = other.st.x;
    if (field == 3) st.aux = env().other_aux->params();  // made for R_j, checked as R_k
    CHECK_FALSE(dec_verify(ctx, st, p).ok());
  }
  CHECK(dec_verify(ctx, in.st, p, env().other_aux.get()).code() == Code::kInvalidArgument);
}

TEST_CASE("Πdec: decoding limits", "[dec]") {
  CUSTOS_SEEDED_RNG(rng, 13);
  ProofContext ctx = make_ctx();
  Instance in = random_instance(rng);
  DecProof p = dec_prove(ctx, in.st, in.wit, rng);
  zk2_testing::expect_decode_limits(encode(p), [](std::span<const uint8_t> b) { return decode_dec_proof(b); });
  auto with = [&](auto set) {
    DecProof q = p;
    set(q);
    return encode(q);
  };
  CHECK(decode_dec_proof(with([](DecProof& q) { q.z2 = zk2_testing::huge_integer(); })).status().code() ==
        Code::kOutOfRange);
  CHECK(decode_dec_proof(with([](DecProof& q) { q.z1 = zk2_testing::huge_integer(); })).status().code() ==
        Code::kOutOfRange);
  const unsigned z1_max = dec_max_y_bits(kPaillierBits) + kDecSlack;  // 2^z1_max itself is the largest bound
  CHECK(decode_dec_proof(with([&](DecProof& q) { q.z1 = pow2(z1_max); })).ok());
  CHECK_FALSE(decode_dec_proof(with([&](DecProof& q) { q.z1 = pow2(z1_max + 1); })).ok());
  CHECK_FALSE(decode_dec_proof(with([](DecProof& q) { q.A = pow2(2 * kPaillierBits); })).ok());
  CHECK_FALSE(decode_dec_proof(with([](DecProof& q) { q.T = -q.T; })).ok());
  // γ is a canonical scalar: q itself does not decode.
  auto bytes = encode(p);
  auto q_bytes = Scalar::order().to_bytes_padded(32);
  // Layout: S, T, A (length-prefixed integers), then 32 raw bytes of γ.
  size_t off = 0;
  for (int i = 0; i < 3; ++i) {
    uint32_t len = (uint32_t(bytes[off]) << 24) | (uint32_t(bytes[off + 1]) << 16) | (uint32_t(bytes[off + 2]) << 8) |
                   bytes[off + 3];
    off += 4 + len;
  }
  std::copy(q_bytes.begin(), q_bytes.end(), bytes.begin() + static_cast<long>(off));
  CHECK_FALSE(decode_dec_proof(bytes).ok());

  DecProof mem = p;
  mem.z2 = zk2_testing::huge_integer();
  CHECK(verify(ctx, in.st, mem).message() == "Πdec: z2 is too large");
}
