// Πsch (CGGMP21 Fig 22) tests: completeness, every field tampered, replay, codec.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "crypto/zk/sch.h"
#include "tests/test_support.h"

using namespace custos;
using namespace custos::zk;

namespace {

ProofContext make_ctx(uint8_t tag = 7) {
  ProofContext ctx;
  ctx.sid.fill(tag);
  ctx.prover = 2;
  ctx.verifier = 0;
  return ctx;
}

const std::vector<uint8_t> kRid(32, 0xAB);

}  // namespace

TEST_CASE("Πsch: honest proofs verify", "[sch]") {
  for (uint64_t seed : {1, 2, 3, 4, 5}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    ProofContext ctx = make_ctx();
    Scalar x = Scalar::random_nonzero(rng);
    Point X = Point::base_mul(x);

    // Split form, as in keygen: commit in round 1, respond once rid is known.
    SchCommitment c = sch_commit(rng);
    SchProof p = sch_prove(ctx, X, c, x, kRid);
    CHECK(p.A == c.A);
    CHECK(sch_verify(ctx, X, p, kRid).ok());

    SchProof d = sch_prove_direct(ctx, X, x, kRid, rng);
    CHECK(sch_verify(ctx, X, d, kRid).ok());

    SchProof no_extra = sch_prove_direct(ctx, X, x, {}, rng);
    CHECK(sch_verify(ctx, X, no_extra).ok());
  }
}

TEST_CASE("Πsch: every tampered field is rejected", "[sch]") {
  CUSTOS_SEEDED_RNG(rng, 11);
  ProofContext ctx = make_ctx();
  Scalar x = Scalar::random_nonzero(rng);
  Point X = Point::base_mul(x);
  SchProof honest = sch_prove_direct(ctx, X, x, kRid, rng);
  REQUIRE(sch_verify(ctx, X, honest, kRid).ok());

  struct Case {
    const char* name;
    std::function<void(SchProof&)> mutate;
    Code code;
  };
  const std::vector<Case> cases = {
      {"A + G", [](SchProof& p) { p.A = p.A + Point::generator(); }, Code::kVerifyFailed},
      {"A = O", [](SchProof& p) { p.A = Point::identity(); }, Code::kOutOfRange},
      {"z + 1", [](SchProof& p) { p.z = p.z + Scalar::from_u64(1); }, Code::kVerifyFailed},
      {"z = 0", [](SchProof& p) { p.z = Scalar(); }, Code::kOutOfRange},
      {"z negated", [](SchProof& p) { p.z = -p.z; }, Code::kVerifyFailed},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    SchProof p = honest;
    c.mutate(p);
    Status s = sch_verify(ctx, X, p, kRid);
    CHECK_FALSE(s.ok());
    CHECK(s.code() == c.code);
  }
}

TEST_CASE("Πsch: statement X = O or a wrong X is rejected", "[sch]") {
  CUSTOS_SEEDED_RNG(rng, 12);
  ProofContext ctx = make_ctx();
  Scalar x = Scalar::random_nonzero(rng);
  Point X = Point::base_mul(x);
  SchProof p = sch_prove_direct(ctx, X, x, kRid, rng);
  Status s = sch_verify(ctx, Point::identity(), p, kRid);
  CHECK(s.code() == Code::kOutOfRange);
  CHECK(s.message().find("X is the identity") != std::string::npos);
  CHECK(sch_verify(ctx, X + Point::generator(), p, kRid).code() == Code::kVerifyFailed);
  // A proof for the wrong witness does not verify.
  SchProof wrong = sch_prove_direct(ctx, X, x + Scalar::from_u64(1), kRid, rng);
  CHECK(sch_verify(ctx, X, wrong, kRid).code() == Code::kVerifyFailed);
}

TEST_CASE("Πsch: replay under another sid, prover, verifier or rid fails", "[sch]") {
  CUSTOS_SEEDED_RNG(rng, 13);
  ProofContext ctx = make_ctx();
  Scalar x = Scalar::random_nonzero(rng);
  Point X = Point::base_mul(x);
  SchProof p = sch_prove_direct(ctx, X, x, kRid, rng);
  REQUIRE(sch_verify(ctx, X, p, kRid).ok());

  ProofContext other_sid = ctx;
  other_sid.sid[0] ^= 1;
  CHECK_FALSE(sch_verify(other_sid, X, p, kRid).ok());
  ProofContext other_prover = ctx;
  other_prover.prover = 3;
  CHECK_FALSE(sch_verify(other_prover, X, p, kRid).ok());
  ProofContext other_verifier = ctx;
  other_verifier.verifier = 1;
  CHECK_FALSE(sch_verify(other_verifier, X, p, kRid).ok());
  std::vector<uint8_t> other_rid = kRid;
  other_rid[31] ^= 1;
  CHECK_FALSE(sch_verify(ctx, X, p, other_rid).ok());
  CHECK_FALSE(sch_verify(ctx, X, p, {}).ok());
}

TEST_CASE("Πsch: encoding round trip and malformed encodings", "[sch]") {
  CUSTOS_SEEDED_RNG(rng, 14);
  ProofContext ctx = make_ctx();
  Scalar x = Scalar::random_nonzero(rng);
  Point X = Point::base_mul(x);
  SchProof p = sch_prove_direct(ctx, X, x, kRid, rng);
  std::vector<uint8_t> bytes = encode(p);
  REQUIRE(bytes.size() == 33 + 32);

  auto back = decode_sch_proof(bytes);
  REQUIRE(back.ok());
  CHECK(back->A == p.A);
  CHECK(back->z == p.z);
  CHECK(sch_verify(ctx, X, *back, kRid).ok());

  CHECK_FALSE(decode_sch_proof({}).ok());
  for (size_t n : {size_t{1}, size_t{33}, bytes.size() - 1}) {
    INFO("truncated to " << n);
    CHECK(decode_sch_proof(std::span<const uint8_t>(bytes.data(), n)).status().code() == Code::kMalformed);
  }
  std::vector<uint8_t> trailing = bytes;
  trailing.push_back(0);
  CHECK(decode_sch_proof(trailing).status().code() == Code::kMalformed);

  // z = q (non-canonical) and z = 2^256 - 1.
  std::vector<uint8_t> z_q = bytes;
  auto q = Scalar::order().to_bytes_padded(32);
  std::copy(q.begin(), q.end(), z_q.begin() + 33);
  CHECK_FALSE(decode_sch_proof(z_q).ok());
  std::vector<uint8_t> z_max = bytes;
  std::fill(z_max.begin() + 33, z_max.end(), 0xFF);
  CHECK_FALSE(decode_sch_proof(z_max).ok());

  // A = O (33 zero bytes), a bad prefix, and x ≥ p.
  std::vector<uint8_t> a_zero = bytes;
  std::fill(a_zero.begin(), a_zero.begin() + 33, 0);
  CHECK_FALSE(decode_sch_proof(a_zero).ok());
  std::vector<uint8_t> a_prefix = bytes;
  a_prefix[0] = 0x04;
  CHECK_FALSE(decode_sch_proof(a_prefix).ok());
  std::vector<uint8_t> a_big = bytes;
  std::fill(a_big.begin() + 1, a_big.begin() + 33, 0xFF);
  CHECK_FALSE(decode_sch_proof(a_big).ok());
}

TEST_CASE("Πsch: the challenge binds context, extra, X and A", "[sch]") {
  CUSTOS_SEEDED_RNG(rng, 15);
  ProofContext ctx = make_ctx();
  Point X = Point::base_mul(Scalar::random_nonzero(rng));
  Point A = Point::base_mul(Scalar::random_nonzero(rng));
  const Scalar e = sch_challenge(ctx, X, A, kRid);
  CHECK(sch_challenge(ctx, X, A, kRid) == e);  // deterministic
  ProofContext c2 = ctx;
  c2.sid[31] ^= 1;
  CHECK_FALSE(sch_challenge(c2, X, A, kRid) == e);
  c2 = ctx;
  c2.prover += 1;
  CHECK_FALSE(sch_challenge(c2, X, A, kRid) == e);
  c2 = ctx;
  c2.verifier += 1;
  CHECK_FALSE(sch_challenge(c2, X, A, kRid) == e);
  std::vector<uint8_t> rid2 = kRid;
  rid2.push_back(0);  // length is framed: a longer rid is a different input
  CHECK_FALSE(sch_challenge(ctx, X, A, rid2) == e);
  CHECK_FALSE(sch_challenge(ctx, X + Point::generator(), A, kRid) == e);
  CHECK_FALSE(sch_challenge(ctx, X, A + Point::generator(), kRid) == e);
  CHECK_FALSE(sch_challenge(ctx, A, X, kRid) == e);  // labels keep X and A apart
}
