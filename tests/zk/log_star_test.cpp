// Πlog* (CGGMP21 Fig 25) tests. Items refer to CGGMP21-NOTES §5.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "crypto/scalar.h"
#include "crypto/zk/log_star.h"
#include "tests/test_support.h"
#include "tests/zk/enc_log_star_support.h"

using namespace custos;
using namespace custos::zk;
using custos::zk1_testing::env;
using custos::zk1_testing::make_ctx;

namespace {

struct LogCase {
  LogStarStatement st;
  LogStarWitness w;
};

LogCase make_case(Rng& rng, const BigInt& x, const Point& base) {
  LogCase c;
  c.st.N0 = env().prover_key->public_key();
  c.st.aux = env().verifier_aux->params();
  c.st.B = base;
  c.w.x = x;
  c.w.rho = BigInt::random_unit(rng, c.st.N0.n());
  c.st.C = c.st.N0.encrypt(x, c.w.rho);
  c.st.X = base.mul(Scalar::from_bigint(x));
  return c;
}

LogCase make_case(Rng& rng, const Point& base = Point::generator()) {
  return make_case(rng, BigInt::random_symmetric(rng, pow2(kEll)), base);
}

Point random_point(Rng& rng) { return Point::base_mul(Scalar::random_nonzero(rng)); }

bool has(const Status& s, const std::string& text) { return s.message().find(text) != std::string::npos; }

}  // namespace

TEST_CASE("Πlog*: honest proofs verify for base G and base Γ (public and CRT paths)", "[log_star]") {
  const auto& e = env();
  ProofContext ctx = make_ctx();
  for (uint64_t seed : {1, 2, 3}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    for (const Point& base : {Point::generator(), random_point(rng)}) {
      LogCase c = make_case(rng, base);
      LogStarProof p = log_star_prove(ctx, c.st, c.w, rng);
      CHECK(log_star_verify(ctx, c.st, p).ok());
      CHECK(log_star_verify(ctx, c.st, p, e.verifier_aux.get()).ok());
      LogStarProof q = log_star_prove(ctx, c.st, c.w, rng, e.prover_key.get());
      CHECK(log_star_verify(ctx, c.st, q, e.verifier_aux.get()).ok());
    }
  }
  // x at the edges of ±2^ℓ, x = 0 (X = O is a legal statement), x = q (X = O again).
  CUSTOS_SEEDED_RNG(rng, 4);
  for (const BigInt& x : {pow2(kEll), -pow2(kEll), BigInt(0), Scalar::order()}) {
    LogCase c = make_case(rng, x, random_point(rng));
    LogStarProof p = log_star_prove(ctx, c.st, c.w, rng, e.verifier_key.get());  // mismatched key: ignored
    CHECK(log_star_verify(ctx, c.st, p, e.verifier_aux.get()).ok());
  }
}

TEST_CASE("Πlog*: every tampered proof field is rejected", "[log_star]") {
  CUSTOS_SEEDED_RNG(rng, 10);
  const auto& e = env();
  ProofContext ctx = make_ctx();
  LogCase c = make_case(rng, random_point(rng));
  LogStarProof honest = log_star_prove(ctx, c.st, c.w, rng);
  REQUIRE(log_star_verify(ctx, c.st, honest).ok());
  const BigInt& nhat = c.st.aux.n();
  const BigInt& n0 = c.st.N0.n();
  const BigInt& n02 = c.st.N0.n2();

  const std::vector<std::pair<const char*, std::function<void(LogStarProof&)>>> cases = {
      {"S", [&](LogStarProof& p) { p.S = (p.S * BigInt(4)).mod(nhat); }},
      {"A", [&](LogStarProof& p) { p.A = (p.A * BigInt(4)).mod(n02); }},
      {"Y + G", [&](LogStarProof& p) { p.Y = p.Y + Point::generator(); }},
      {"Y negated", [&](LogStarProof& p) { p.Y = -p.Y; }},
      {"D", [&](LogStarProof& p) { p.D = (p.D * BigInt(4)).mod(nhat); }},
      {"z1 + 1", [&](LogStarProof& p) { p.z1 += BigInt(1); }},
      {"z1 + q", [&](LogStarProof& p) { p.z1 += Scalar::order(); }},  // same point equation, other checks fail
      {"z2", [&](LogStarProof& p) { p.z2 = (p.z2 * BigInt(4)).mod(n0); }},
      {"z3 + 1", [&](LogStarProof& p) { p.z3 += BigInt(1); }},
  };
  for (const auto& [name, mutate] : cases) {
    INFO("field " << name);
    LogStarProof p = honest;
    mutate(p);
    CHECK(log_star_verify(ctx, c.st, p).code() == Code::kVerifyFailed);
    CHECK(log_star_verify(ctx, c.st, p, e.verifier_aux.get()).code() == Code::kVerifyFailed);
  }
}

TEST_CASE("Πlog*: base and Y identity, and base mismatch (items 43, 44)", "[log_star]") {
  CUSTOS_SEEDED_RNG(rng, 11);
  ProofContext ctx = make_ctx();
  LogCase c = make_case(rng);  // base G, as in presign round 2
  LogStarProof p = log_star_prove(ctx, c.st, c.w, rng);
  REQUIRE(log_star_verify(ctx, c.st, p).ok());

  // Item 43: verified with base Γ, even with X re-derived so that X = x·Γ is true.
  Point gamma = random_point(rng);
  LogStarStatement st = c.st;
  st.B = gamma;
  st.X = gamma.mul(Scalar::from_bigint(c.w.x));
  CHECK(log_star_verify(ctx, st, p).code() == Code::kVerifyFailed);
  st.X = c.st.X;
  CHECK(log_star_verify(ctx, st, p).code() == Code::kVerifyFailed);

  // Item 44: Y = O.
  LogStarProof q = p;
  q.Y = Point::identity();
  Status s = log_star_verify(ctx, c.st, q);
  CHECK(s.code() == Code::kOutOfRange);
  CHECK(has(s, "Y is the identity"));
  CHECK_FALSE(decode_log_star_proof(encode(q)).ok());

  // B = O.
  st = c.st;
  st.B = Point::identity();
  s = log_star_verify(ctx, st, p);
  CHECK(s.code() == Code::kOutOfRange);
  CHECK(has(s, "base B is the identity"));
}

TEST_CASE("Πlog*: non-units are rejected before the equations", "[log_star]") {
  CUSTOS_SEEDED_RNG(rng, 12);
  const auto& e = env();
  ProofContext ctx = make_ctx();
  LogCase c = make_case(rng);
  LogStarProof honest = log_star_prove(ctx, c.st, c.w, rng);
  const BigInt& n0 = c.st.N0.n();
  const BigInt& n02 = c.st.N0.n2();
  const BigInt& p0 = e.prover_key->p();
  const BigInt& nhat = c.st.aux.n();
  const BigInt& phat = e.verifier_key->q();

  for (const BigInt& v : {BigInt(0), -BigInt(1), n0, p0 * BigInt(7), n02, n02 + BigInt(1)}) {
    LogStarStatement st = c.st;
    st.C = v;
    CHECK(has(log_star_verify(ctx, st, honest), "C is not a unit"));
    LogStarProof p = honest;
    p.A = v;
    CHECK(has(log_star_verify(ctx, c.st, p), "A is not a unit"));
  }
  for (const BigInt& v : {BigInt(0), -BigInt(1), nhat, phat, nhat + BigInt(1)}) {
    LogStarProof p = honest;
    p.S = v;
    CHECK(has(log_star_verify(ctx, c.st, p, e.verifier_aux.get()), "S is not a unit"));
    p = honest;
    p.D = v;
    CHECK(has(log_star_verify(ctx, c.st, p, e.verifier_aux.get()), "D is not a unit"));
  }
  for (const BigInt& v : {BigInt(0), n0, p0, n0 + BigInt(1)}) {
    LogStarProof p = honest;
    p.z2 = v;
    Status s = log_star_verify(ctx, c.st, p);
    CHECK(s.code() == Code::kOutOfRange);
    CHECK(has(s, "z2 is not a unit"));
  }
}

TEST_CASE("Πlog*: z1 range boundary ±2^(ℓ+ε) and the J_ε trap (item 39)", "[log_star]") {
  ProofContext ctx = make_ctx();
  const BigInt& bound = pow2(kEll + kEpsilon);
  for (const BigInt& alpha : {bound, -bound}) {
    zk1_testing::ScriptedRng rng(31);
    LogCase c = make_case(rng, BigInt(0), Point::generator());  // x = 0: z1 = α exactly
    rng.push(zk1_testing::alpha_script(alpha));
    LogStarProof p = log_star_prove(ctx, c.st, c.w, rng);
    REQUIRE(p.z1 == alpha);
    CHECK(log_star_verify(ctx, c.st, p).ok());
    LogStarProof over = p;
    over.z1 = alpha.sign() > 0 ? bound + BigInt(1) : -(bound + BigInt(1));
    CHECK(has(log_star_verify(ctx, c.st, over), "z1 outside ±2^(ℓ+ε)"));
  }
  CUSTOS_SEEDED_RNG(rng, 32);
  LogCase c = make_case(rng);
  LogStarProof p = log_star_prove(ctx, c.st, c.w, rng);
  p.z1 = pow2(1000);
  CHECK(has(log_star_verify(ctx, c.st, p), "z1 outside"));
  CHECK_FALSE(decode_log_star_proof(encode(p)).ok());
  // An honest-looking proof for x far outside ±2^ℓ.
  LogCase big = make_case(rng, pow2(kEll + kEpsilon + 1), Point::generator());
  CHECK(has(log_star_verify(ctx, big.st, log_star_prove(ctx, big.st, big.w, rng)), "z1 outside"));
}

TEST_CASE("Πlog*: wrong aux, replays and changed statements fail", "[log_star]") {
  CUSTOS_SEEDED_RNG(rng, 13);
  const auto& e = env();
  ProofContext ctx = make_ctx(1, 2);
  LogCase c = make_case(rng, random_point(rng));
  LogStarProof p = log_star_prove(ctx, c.st, c.w, rng);
  REQUIRE(log_star_verify(ctx, c.st, p).ok());

  LogStarStatement under_other = c.st;
  under_other.aux = e.other_aux->params();
  LogStarProof wrong_aux = log_star_prove(ctx, under_other, c.w, rng);
  REQUIRE(log_star_verify(ctx, under_other, wrong_aux).ok());
  CHECK_FALSE(log_star_verify(ctx, c.st, wrong_aux, e.verifier_aux.get()).ok());

  for (int which = 0; which < 3; ++which) {
    ProofContext other = ctx;
    if (which == 0) other.sid[0] ^= 1;
    if (which == 1) other.prover = 5;
    if (which == 2) other.verifier = 5;
    INFO("context field " << which);
    CHECK_FALSE(log_star_verify(other, c.st, p).ok());
  }

  const std::vector<std::pair<const char*, std::function<void(LogStarStatement&)>>> changes = {
      {"N0", [&](LogStarStatement& st) { st.N0 = e.verifier_key->public_key(); }},
      {"C", [&](LogStarStatement& st) { st.C = st.N0.add(st.C, st.N0.encrypt(BigInt(1), BigInt(1))); }},
      {"X", [&](LogStarStatement& st) { st.X = st.X + st.B; }},
      {"B", [&](LogStarStatement& st) { st.B = st.B + Point::generator(); }},
      {"aux", [&](LogStarStatement& st) { st.aux = e.other_aux->params(); }},
  };
  for (const auto& [name, change] : changes) {
    INFO("statement field " << name);
    LogStarStatement st = c.st;
    change(st);
    CHECK_FALSE(log_star_verify(ctx, st, p).ok());
  }
  CHECK(log_star_verify(ctx, c.st, p, e.other_aux.get()).code() == Code::kInvalidArgument);
}

TEST_CASE("Πlog*: encoding round trip and malformed encodings (items 49, 50)", "[log_star]") {
  CUSTOS_SEEDED_RNG(rng, 14);
  ProofContext ctx = make_ctx();
  LogCase c = make_case(rng);
  LogStarProof p = log_star_prove(ctx, c.st, c.w, rng);
  std::vector<uint8_t> bytes = encode(p);

  auto back = decode_log_star_proof(bytes);
  REQUIRE(back.ok());
  CHECK(back->S == p.S);
  CHECK(back->A == p.A);
  CHECK(back->Y == p.Y);
  CHECK(back->D == p.D);
  CHECK(back->z1 == p.z1);
  CHECK(back->z2 == p.z2);
  CHECK(back->z3 == p.z3);
  CHECK(encode(*back) == bytes);
  CHECK(log_star_verify(ctx, c.st, *back).ok());

  CHECK_FALSE(decode_log_star_proof({}).ok());
  for (size_t n : {size_t{2}, size_t{300}, bytes.size() / 2, bytes.size() - 1}) {
    INFO("truncated to " << n);
    CHECK(decode_log_star_proof(std::span<const uint8_t>(bytes.data(), n)).status().code() == Code::kMalformed);
  }
  std::vector<uint8_t> trailing = bytes;
  trailing.push_back(0);
  CHECK(decode_log_star_proof(trailing).status().code() == Code::kMalformed);

  const BigInt huge = pow2(1'000'000) - BigInt(1);
  for (int field = 0; field < 6; ++field) {
    INFO("oversized field " << field);
    LogStarProof q = p;
    BigInt* f[] = {&q.S, &q.A, &q.D, &q.z1, &q.z2, &q.z3};
    *f[field] = huge;
    auto t0 = std::chrono::steady_clock::now();
    auto r = decode_log_star_proof(encode(q));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    CHECK(r.status().code() == Code::kOutOfRange);
    CHECK(ms < 100);
  }
  LogStarProof q = p;
  q.z3 = huge;
  CHECK(log_star_verify(ctx, c.st, q).code() == Code::kOutOfRange);
  q = p;
  q.D = -p.D;
  CHECK_FALSE(decode_log_star_proof(encode(q)).ok());
}

TEST_CASE("Πlog*: a false statement does not verify", "[log_star]") {
  CUSTOS_SEEDED_RNG(rng, 15);
  ProofContext ctx = make_ctx();
  LogCase c = make_case(rng, random_point(rng));
  // X = (x+1)·B while C encrypts x: only the group equation can catch it.
  LogStarStatement st = c.st;
  st.X = st.X + st.B;
  CHECK(has(log_star_verify(ctx, st, log_star_prove(ctx, st, c.w, rng)), "z1·B ≠ Y + e·X"));
  // C encrypts x + 1 while X = x·B.
  st = c.st;
  st.C = st.N0.encrypt(c.w.x + BigInt(1), c.w.rho);
  CHECK(has(log_star_verify(ctx, st, log_star_prove(ctx, st, c.w, rng)), "enc_N0(z1; z2)"));
}

TEST_CASE("Πlog*: the challenge binds every statement and first-message value", "[log_star]") {
  CUSTOS_SEEDED_RNG(rng, 16);
  const auto& e = env();
  ProofContext ctx = make_ctx();
  LogCase c = make_case(rng, random_point(rng));
  LogStarProof p = log_star_prove(ctx, c.st, c.w, rng);
  const BigInt base = log_star_challenge(ctx, c.st, p);
  CHECK(base.in_symmetric_range(Scalar::order()));
  const BigInt& nhat = c.st.aux.n();
  auto aux_with = [&](const BigInt& n, const BigInt& s, const BigInt& t) {
    auto r = RingPedersenParams::create(n, s, t);
    REQUIRE(r.ok());
    return r.value();
  };
  const std::vector<std::pair<const char*, std::function<void(LogStarStatement&)>>> changes = {
      {"aux.N",
       [&](LogStarStatement& st) {
         // s and t reduced mod the other modulus, so that they are valid parameters for it.
         const BigInt& other = e.prover_key->n();
         st.aux = aux_with(other, st.aux.s().mod(other), st.aux.t().mod(other));
       }},
      {"aux.s", [&](LogStarStatement& st) { st.aux = aux_with(nhat, (st.aux.s() * BigInt(4)).mod(nhat), st.aux.t()); }},
      {"aux.t", [&](LogStarStatement& st) { st.aux = aux_with(nhat, st.aux.s(), (st.aux.t() * BigInt(4)).mod(nhat)); }},
      {"N0", [&](LogStarStatement& st) { st.N0 = e.verifier_key->public_key(); }},
      {"C", [&](LogStarStatement& st) { st.C += BigInt(1); }},
      {"X", [&](LogStarStatement& st) { st.X = st.X + Point::generator(); }},
      {"B", [&](LogStarStatement& st) { st.B = st.B + Point::generator(); }},
  };
  for (const auto& [name, change] : changes) {
    INFO("statement field " << name);
    LogStarStatement st = c.st;
    change(st);
    CHECK(log_star_challenge(ctx, st, p) != base);
  }
  const std::vector<std::pair<const char*, std::function<void(LogStarProof&)>>> first = {
      {"S", [](LogStarProof& q) { q.S += BigInt(1); }},
      {"A", [](LogStarProof& q) { q.A += BigInt(1); }},
      {"Y", [](LogStarProof& q) { q.Y = q.Y + Point::generator(); }},
      {"D", [](LogStarProof& q) { q.D += BigInt(1); }},
      {"responses are not hashed", [](LogStarProof& q) { q.z1 += BigInt(1); }},
  };
  for (const auto& [name, change] : first) {
    INFO("first-message field " << name);
    LogStarProof q = p;
    change(q);
    bool differs = log_star_challenge(ctx, c.st, q) != base;
    CHECK(differs == (std::string(name) != "responses are not hashed"));
  }
}
