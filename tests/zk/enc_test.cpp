// Πenc (CGGMP21 Fig 14) tests. Items refer to CGGMP21-NOTES §5.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "crypto/codec.h"
#include "crypto/scalar.h"
#include "crypto/zk/enc.h"
#include "tests/test_support.h"
#include "tests/zk/enc_log_star_support.h"

using namespace custos;
using namespace custos::zk;
using custos::zk1_testing::env;
using custos::zk1_testing::make_ctx;

namespace {

struct EncCase {
  EncStatement st;
  EncWitness w;
};

EncCase make_case(Rng& rng, const BigInt& k) {
  EncCase c;
  c.st.N0 = env().prover_key->public_key();
  c.st.aux = env().verifier_aux->params();
  c.w.k = k;
  c.w.rho = BigInt::random_unit(rng, c.st.N0.n());
  c.st.K = c.st.N0.encrypt(k, c.w.rho);
  return c;
}

EncCase make_case(Rng& rng) { return make_case(rng, BigInt::random_symmetric(rng, pow2(kEll))); }

bool has(const Status& s, const std::string& text) { return s.message().find(text) != std::string::npos; }

}  // namespace

TEST_CASE("Πenc: honest proofs verify (public and CRT paths)", "[enc]") {
  const auto& e = env();
  ProofContext ctx = make_ctx();
  for (uint64_t seed : {1, 2, 3}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    EncCase c = make_case(rng);
    EncProof p = enc_prove(ctx, c.st, c.w, rng);
    CHECK(enc_verify(ctx, c.st, p).ok());
    CHECK(enc_verify(ctx, c.st, p, e.verifier_aux.get()).ok());
    EncProof q = enc_prove(ctx, c.st, c.w, rng, e.prover_key.get());
    CHECK(enc_verify(ctx, c.st, q).ok());
    CHECK(enc_verify(ctx, c.st, q, e.verifier_aux.get()).ok());
  }
  // Plaintexts at the edges of ±2^ℓ, and a prover key for another modulus (ignored).
  CUSTOS_SEEDED_RNG(rng, 4);
  for (const BigInt& k : {pow2(kEll), -pow2(kEll), BigInt(0)}) {
    EncCase c = make_case(rng, k);
    EncProof p = enc_prove(ctx, c.st, c.w, rng, e.verifier_key.get());
    CHECK(enc_verify(ctx, c.st, p, e.verifier_aux.get()).ok());
  }
}

TEST_CASE("Πenc: every tampered proof field is rejected", "[enc]") {
  CUSTOS_SEEDED_RNG(rng, 10);
  const auto& e = env();
  ProofContext ctx = make_ctx();
  EncCase c = make_case(rng);
  EncProof honest = enc_prove(ctx, c.st, c.w, rng);
  REQUIRE(enc_verify(ctx, c.st, honest).ok());
  const BigInt& nhat = c.st.aux.n();
  const BigInt& n0 = c.st.N0.n();
  const BigInt& n02 = c.st.N0.n2();

  // Multiplying a residue by 4 keeps it a unit, so the equations (not memberships) must catch it.
  const std::vector<std::pair<const char*, std::function<void(EncProof&)>>> cases = {
      {"S", [&](EncProof& p) { p.S = (p.S * BigInt(4)).mod(nhat); }},
      {"A", [&](EncProof& p) { p.A = (p.A * BigInt(4)).mod(n02); }},
      {"C", [&](EncProof& p) { p.C = (p.C * BigInt(4)).mod(nhat); }},
      {"z1 + 1", [&](EncProof& p) { p.z1 += BigInt(1); }},
      {"z1 negated", [&](EncProof& p) { p.z1 = -p.z1; }},
      {"z2", [&](EncProof& p) { p.z2 = (p.z2 * BigInt(4)).mod(n0); }},
      {"z3 + 1", [&](EncProof& p) { p.z3 += BigInt(1); }},
      {"z3 negated", [&](EncProof& p) { p.z3 = -p.z3; }},
  };
  for (const auto& [name, mutate] : cases) {
    INFO("field " << name);
    EncProof p = honest;
    mutate(p);
    Status s = enc_verify(ctx, c.st, p);
    CHECK(s.code() == Code::kVerifyFailed);
    CHECK(enc_verify(ctx, c.st, p, e.verifier_aux.get()).code() == Code::kVerifyFailed);
  }
}

TEST_CASE("Πenc: non-units are rejected before the equations (items 31, 34)", "[enc]") {
  CUSTOS_SEEDED_RNG(rng, 11);
  const auto& e = env();
  ProofContext ctx = make_ctx();
  EncCase c = make_case(rng);
  EncProof honest = enc_prove(ctx, c.st, c.w, rng);
  const BigInt& n0 = c.st.N0.n();
  const BigInt& n02 = c.st.N0.n2();
  const BigInt& p0 = e.prover_key->p();
  const BigInt& nhat = c.st.aux.n();
  const BigInt& phat = e.verifier_key->p();

  const std::vector<BigInt> bad_mod_n02 = {BigInt(0), -BigInt(1), n0, p0, p0 * BigInt(3), n02, n02 + BigInt(1)};
  const std::vector<BigInt> bad_mod_nhat = {BigInt(0), -BigInt(1), nhat, phat, phat * BigInt(5), nhat + BigInt(1)};
  const std::vector<BigInt> bad_mod_n0 = {BigInt(0), -BigInt(1), n0, p0, p0 * BigInt(2), n0 + BigInt(1)};

  for (const BigInt& v : bad_mod_n02) {
    EncStatement st = c.st;
    st.K = v;
    Status s = enc_verify(ctx, st, honest);
    CHECK(s.code() == Code::kOutOfRange);
    CHECK(has(s, "K is not a unit"));
    EncProof p = honest;
    p.A = v;
    s = enc_verify(ctx, c.st, p);
    CHECK(s.code() == Code::kOutOfRange);
    CHECK(has(s, "A is not a unit"));
  }
  for (const BigInt& v : bad_mod_nhat) {
    EncProof p = honest;
    p.S = v;
    CHECK(has(enc_verify(ctx, c.st, p, e.verifier_aux.get()), "S is not a unit"));
    p = honest;
    p.C = v;
    CHECK(has(enc_verify(ctx, c.st, p, e.verifier_aux.get()), "C is not a unit"));
  }
  for (const BigInt& v : bad_mod_n0) {
    EncProof p = honest;
    p.z2 = v;
    Status s = enc_verify(ctx, c.st, p);
    CHECK(s.code() == Code::kOutOfRange);
    CHECK(has(s, "z2 is not a unit"));
  }
}

TEST_CASE("Πenc: z1 range boundary ±2^(ℓ+ε) (items 32, 39)", "[enc]") {
  const auto& e = env();
  ProofContext ctx = make_ctx();
  const BigInt& bound = pow2(kEll + kEpsilon);
  // With k = 0 the response is z1 = α, so pinning α pins z1 on an otherwise honest proof.
  for (const BigInt& alpha : {bound, -bound}) {
    zk1_testing::ScriptedRng rng(21);
    EncCase c = make_case(rng, BigInt(0));
    rng.push(zk1_testing::alpha_script(alpha));  // α is the prover's first draw
    EncProof p = enc_prove(ctx, c.st, c.w, rng);
    REQUIRE(p.z1 == alpha);
    CHECK(enc_verify(ctx, c.st, p).ok());  // the closed boundary is accepted
    EncProof over = p;
    over.z1 = alpha.sign() > 0 ? bound + BigInt(1) : -(bound + BigInt(1));
    Status s = enc_verify(ctx, c.st, over, e.verifier_aux.get());
    CHECK(s.code() == Code::kVerifyFailed);
    CHECK(has(s, "z1 outside ±2^(ℓ+ε)"));
  }
  // Item 39: z1 = 2^1000 is inside J_ε = ±2^(ℓ'+ε) but not I_ε.
  CUSTOS_SEEDED_RNG(rng, 22);
  EncCase c = make_case(rng);
  EncProof p = enc_prove(ctx, c.st, c.w, rng);
  p.z1 = pow2(1000);
  CHECK(has(enc_verify(ctx, c.st, p), "z1 outside"));
  CHECK_FALSE(decode_enc_proof(encode(p)).ok());  // also rejected at decode (z1 > ℓ+ε+1 bits)
}

TEST_CASE("Πenc: a proof for an out-of-range plaintext fails (item 33)", "[enc]") {
  CUSTOS_SEEDED_RNG(rng, 23);
  ProofContext ctx = make_ctx();
  for (const BigInt& k : {pow2(kEll + kEpsilon + 1), -pow2(kEll + kEpsilon + 1), pow2(kEllPrime)}) {
    EncCase c = make_case(rng, k);
    EncProof p = enc_prove(ctx, c.st, c.w, rng);
    CHECK(has(enc_verify(ctx, c.st, p), "z1 outside"));
  }
}

TEST_CASE("Πenc: wrong aux, replays and changed statements fail (items 35-37, 49)", "[enc]") {
  CUSTOS_SEEDED_RNG(rng, 24);
  const auto& e = env();
  ProofContext ctx = make_ctx(1, 2);
  EncCase c = make_case(rng);
  EncProof p = enc_prove(ctx, c.st, c.w, rng);
  REQUIRE(enc_verify(ctx, c.st, p).ok());

  // Item 35: made under R_k, sent to P_j who verifies under its own R_j.
  EncStatement under_other = c.st;
  under_other.aux = e.other_aux->params();
  EncProof wrong_aux = enc_prove(ctx, under_other, c.w, rng);
  REQUIRE(enc_verify(ctx, under_other, wrong_aux).ok());
  CHECK_FALSE(enc_verify(ctx, c.st, wrong_aux).ok());
  CHECK_FALSE(enc_verify(ctx, c.st, wrong_aux, e.verifier_aux.get()).ok());

  // Item 36: another session id; another prover or verifier index.
  ProofContext other = ctx;
  other.sid[5] ^= 0x80;
  CHECK_FALSE(enc_verify(other, c.st, p).ok());
  other = ctx;
  other.verifier = 3;
  CHECK_FALSE(enc_verify(other, c.st, p).ok());

  // Item 37: P_b (index 4) replays P_a's proof over P_a's K, under its own index, and under its own N.
  other = ctx;
  other.prover = 4;
  CHECK_FALSE(enc_verify(other, c.st, p).ok());
  EncStatement copied = c.st;
  copied.N0 = e.verifier_key->public_key();
  CHECK_FALSE(enc_verify(other, copied, p).ok());

  // Item 49: a proof for another statement — each statement field changed.
  EncStatement st = c.st;
  st.K = c.st.N0.add(c.st.K, c.st.N0.encrypt(BigInt(1), BigInt(1)));
  CHECK(enc_verify(ctx, st, p).code() == Code::kVerifyFailed);
  st = c.st;
  st.N0 = e.verifier_key->public_key();
  CHECK_FALSE(enc_verify(ctx, st, p).ok());
  st = c.st;
  st.aux = e.other_aux->params();
  CHECK_FALSE(enc_verify(ctx, st, p).ok());

  // A verifier secret that is not behind stmt.aux is a caller error.
  CHECK(enc_verify(ctx, c.st, p, e.other_aux.get()).code() == Code::kInvalidArgument);
}

TEST_CASE("Πenc: encoding round trip and malformed encodings (items 49, 50)", "[enc]") {
  CUSTOS_SEEDED_RNG(rng, 25);
  ProofContext ctx = make_ctx();
  EncCase c = make_case(rng);
  EncProof p = enc_prove(ctx, c.st, c.w, rng);
  std::vector<uint8_t> bytes = encode(p);

  auto back = decode_enc_proof(bytes);
  REQUIRE(back.ok());
  CHECK(back->S == p.S);
  CHECK(back->A == p.A);
  CHECK(back->C == p.C);
  CHECK(back->z1 == p.z1);
  CHECK(back->z2 == p.z2);
  CHECK(back->z3 == p.z3);
  CHECK(encode(*back) == bytes);
  CHECK(enc_verify(ctx, c.st, *back).ok());

  CHECK_FALSE(decode_enc_proof({}).ok());
  for (size_t n : {size_t{3}, size_t{200}, bytes.size() / 2, bytes.size() - 1}) {
    INFO("truncated to " << n);
    CHECK(decode_enc_proof(std::span<const uint8_t>(bytes.data(), n)).status().code() == Code::kMalformed);
  }
  std::vector<uint8_t> trailing = bytes;
  trailing.push_back(0);
  CHECK(decode_enc_proof(trailing).status().code() == Code::kMalformed);

  // Oversized integers are rejected at decode, before any arithmetic: each field in turn.
  const BigInt huge = pow2(1'000'000) - BigInt(1);
  for (int field = 0; field < 6; ++field) {
    INFO("oversized field " << field);
    EncProof q = p;
    BigInt* f[] = {&q.S, &q.A, &q.C, &q.z1, &q.z2, &q.z3};
    *f[field] = huge;
    auto t0 = std::chrono::steady_clock::now();
    auto r = decode_enc_proof(encode(q));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    CHECK(r.status().code() == Code::kOutOfRange);
    CHECK(ms < 100);
  }
  // Just over each tight bound: z1 of ℓ+ε+2 bits, z3 of ℓ+ε+2049+1 bits, S of 2049 bits, A of 4097 bits.
  {
    EncProof q = p;
    q.z1 = pow2(kEll + kEpsilon + 1);
    CHECK_FALSE(decode_enc_proof(encode(q)).ok());
    q = p;
    q.z3 = pow2(kEll + kEpsilon + 1 + kPaillierBits);
    CHECK_FALSE(decode_enc_proof(encode(q)).ok());
    q = p;
    q.S = pow2(kPaillierBits);
    CHECK_FALSE(decode_enc_proof(encode(q)).ok());
    q = p;
    q.A = pow2(2 * kPaillierBits);
    CHECK_FALSE(decode_enc_proof(encode(q)).ok());
  }
  // A huge z3 handed to verify directly is refused before exponentiating.
  EncProof q = p;
  q.z3 = huge;
  CHECK(enc_verify(ctx, c.st, q).code() == Code::kOutOfRange);
  // Negative residues are malformed on the wire.
  q = p;
  q.z2 = -p.z2;
  CHECK_FALSE(decode_enc_proof(encode(q)).ok());
}

TEST_CASE("Πenc: a false statement does not verify", "[enc]") {
  CUSTOS_SEEDED_RNG(rng, 26);
  ProofContext ctx = make_ctx();
  EncCase c = make_case(rng);
  // K encrypts k + 1 but the prover uses witness k; and a wrong nonce ρ.
  EncStatement st = c.st;
  st.K = st.N0.encrypt(c.w.k + BigInt(1), c.w.rho);
  CHECK(has(enc_verify(ctx, st, enc_prove(ctx, st, c.w, rng)), "enc_N0(z1; z2)"));
  EncWitness w = c.w;
  w.rho = (w.rho * BigInt(2)).mod(st.N0.n());
  CHECK(has(enc_verify(ctx, c.st, enc_prove(ctx, c.st, w, rng)), "enc_N0(z1; z2)"));
}

TEST_CASE("Πenc: the challenge binds every statement and first-message value", "[enc]") {
  CUSTOS_SEEDED_RNG(rng, 27);
  const auto& e = env();
  ProofContext ctx = make_ctx();
  EncCase c = make_case(rng);
  EncProof p = enc_prove(ctx, c.st, c.w, rng);
  const BigInt base = enc_challenge(ctx, c.st, p.S, p.A, p.C);
  CHECK(base.in_symmetric_range(Scalar::order()));
  const BigInt& nhat = c.st.aux.n();
  auto aux_with = [&](const BigInt& n, const BigInt& s, const BigInt& t) {
    auto r = RingPedersenParams::create(n, s, t);
    REQUIRE(r.ok());
    return r.value();
  };
  const std::vector<std::pair<const char*, std::function<void(EncStatement&)>>> changes = {
      {"aux.N",
       [&](EncStatement& st) {
         // s and t reduced mod the other modulus, so that they are valid parameters for it.
         const BigInt& other = e.prover_key->n();
         st.aux = aux_with(other, st.aux.s().mod(other), st.aux.t().mod(other));
       }},
      {"aux.s", [&](EncStatement& st) { st.aux = aux_with(nhat, (st.aux.s() * BigInt(4)).mod(nhat), st.aux.t()); }},
      {"aux.t", [&](EncStatement& st) { st.aux = aux_with(nhat, st.aux.s(), (st.aux.t() * BigInt(4)).mod(nhat)); }},
      {"N0", [&](EncStatement& st) { st.N0 = e.verifier_key->public_key(); }},
      {"K", [&](EncStatement& st) { st.K += BigInt(1); }},
  };
  for (const auto& [name, change] : changes) {
    INFO("statement field " << name);
    EncStatement st = c.st;
    change(st);
    CHECK(enc_challenge(ctx, st, p.S, p.A, p.C) != base);
  }
  CHECK(enc_challenge(ctx, c.st, p.S + BigInt(1), p.A, p.C) != base);
  CHECK(enc_challenge(ctx, c.st, p.S, p.A + BigInt(1), p.C) != base);
  CHECK(enc_challenge(ctx, c.st, p.S, p.A, p.C + BigInt(1)) != base);
  CHECK(enc_challenge(ctx, c.st, p.C, p.A, p.S) != base);
}
