// Πfac — no small factor proof, CGGMP21 (2021) Fig 28. See fac.h.
#include "crypto/zk/fac.h"

#include <string>

#include "crypto/codec.h"
#include "crypto/sec_int.h"
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"

namespace custos::zk {
namespace {

constexpr const char* kTag = "cggmp21/pi-fac/fig28";

// Exponent sizes (bits of the power-of-two bound; the honest value's magnitude is ≤ 2^bits).
constexpr unsigned kZBits = kFacZBits;                               // z1, z2 ∈ ±2^(ℓ+ε)·√N0 (checked)
constexpr unsigned kWBits = kEll + kEpsilon + kPaillierBits + 1;     // w = x + eμ ≤ 2^(ℓ+ε)N̂ + q·2^ℓN̂
constexpr unsigned kSigmaBits = kEll + 2 * kPaillierBits;            // σ ∈ ±2^ℓ·N0·N̂
constexpr unsigned kVBits = kEll + kEpsilon + 2 * kPaillierBits + 1;  // v = r + e(σ − νp)
static_assert(kVBits + 1 <= kMaxProofIntBits);

Status check_unit(const RingPedersenParams& aux, const BigInt& v, const char* name) {
  if (!aux.is_unit(v)) return out_of_range(std::string("Πfac: ") + name + " is not a unit mod N̂");
  return ok_status();
}

// Not in the figure: bounds the verifier's exponent work for hand-built proofs (the decoder
// enforces the same sizes on the wire). Honest values are always inside.
Status check_size(const BigInt& v, unsigned bits, const char* name) {
  if (!v.in_symmetric_range(pow2(bits))) {
    return out_of_range(std::string("Πfac: ") + name + " outside ±2^" + std::to_string(bits));
  }
  return ok_status();
}

}  // namespace

BigInt fac_challenge(const ProofContext& ctx, const FacStatement& stmt, const FacProof& proof) {
  Transcript t = ctx.transcript(kTag);
  t.append_int("N0", stmt.n0);
  t.append_int("N-hat", stmt.aux.n());
  t.append_int("s", stmt.aux.s());
  t.append_int("t", stmt.aux.t());
  t.append_int("P", proof.P);
  t.append_int("Q", proof.Q);
  t.append_int("A", proof.A);
  t.append_int("B", proof.B);
  t.append_int("T", proof.T);
  t.append_int("sigma", proof.sigma);  // TA leaves σ out of the hash; we bind it
  return t.stream("challenge").signed_below_q();
}

FacProof fac_prove(const ProofContext& ctx, const FacStatement& stmt, const FacWitness& wit, Rng& rng) {
  const RingPedersenParams& aux = stmt.aux;
  const BigInt& nhat = aux.n();
  const BigInt n0_nhat = stmt.n0 * nhat;
  // Sampling ranges of Fig 28 (notes §1), with √N0 := 2^1024.
  BigInt alpha = BigInt::random_symmetric(rng, pow2(kZBits));
  BigInt beta = BigInt::random_symmetric(rng, pow2(kZBits));
  BigInt mu = BigInt::random_symmetric(rng, pow2(kEll) * nhat);
  BigInt nu = BigInt::random_symmetric(rng, pow2(kEll) * nhat);
  BigInt sigma = BigInt::random_symmetric(rng, pow2(kEll) * n0_nhat);
  BigInt r = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon) * n0_nhat);
  BigInt x = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon) * nhat);
  BigInt y = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon) * nhat);

  FacProof proof;
  proof.P = aux.commit(wit.p, mu);
  proof.Q = aux.commit(wit.q, nu);
  proof.A = aux.commit(alpha, x);
  proof.B = aux.commit(beta, y);
  // Q goes out in the same message, so it is a public base here; α and r are secret exponents, and
  // the product of the two secret powers is a fixed-width product.
  secops::publish(proof.Q);
  proof.T = secops::mul_mod_secret(secops::pow_secret_exp(proof.Q, alpha, nhat),
                                   secops::pow_secret_exp(aux.t(), r, nhat), nhat);
  proof.sigma = sigma;

  secops::publish(proof.P, proof.Q, proof.A, proof.B, proof.T, proof.sigma);
  BigInt e = fac_challenge(ctx, stmt, proof);
  proof.z1 = secint::response(alpha, e, wit.p);
  proof.z2 = secint::response(beta, e, wit.q);
  proof.w1 = secint::response(x, e, mu);
  proof.w2 = secint::response(y, e, nu);
  // v = r + e·(σ − ν·p): σ is published, ν and p are not, so the product and difference are
  // fixed-width too (a large mpz product may take Toom-Cook paths that compare values).
  const BigInt sigma_minus_nu_p = secint::affine(sigma, BigInt(-1), secint::affine(BigInt(0), nu, wit.p));
  proof.v = secint::response(r, e, sigma_minus_nu_p);
  return proof;
}

Status fac_verify(const ProofContext& ctx, const FacStatement& stmt, const FacProof& proof,
                  const RingPedersenSecret* own_aux) {
  const RingPedersenParams& aux = stmt.aux;
  const BigInt& nhat = aux.n();
  if (stmt.n0.bit_length() != kPaillierBits) {
    return out_of_range("Πfac: N0 has " + std::to_string(stmt.n0.bit_length()) + " bits, expected exactly " +
                        std::to_string(kPaillierBits));
  }
  if (!stmt.n0.is_odd()) return out_of_range("Πfac: N0 is even");
  if (nhat.bit_length() != kPaillierBits || !nhat.is_odd()) return out_of_range("Πfac: bad N̂");
  RETURN_IF_ERROR(check_unit(aux, aux.s(), "s"));
  RETURN_IF_ERROR(check_unit(aux, aux.t(), "t"));
  if (own_aux != nullptr && !(own_aux->params() == aux)) {
    return invalid_argument("Πfac: the verifier's secret does not match the statement's aux");
  }

  // Memberships and sizes before any exponentiation.
  RETURN_IF_ERROR(check_unit(aux, proof.P, "P"));
  RETURN_IF_ERROR(check_unit(aux, proof.Q, "Q"));
  RETURN_IF_ERROR(check_unit(aux, proof.A, "A"));
  RETURN_IF_ERROR(check_unit(aux, proof.B, "B"));
  RETURN_IF_ERROR(check_unit(aux, proof.T, "T"));
  RETURN_IF_ERROR(check_size(proof.sigma, kSigmaBits, "sigma"));
  RETURN_IF_ERROR(check_size(proof.w1, kWBits, "w1"));
  RETURN_IF_ERROR(check_size(proof.w2, kWBits, "w2"));
  RETURN_IF_ERROR(check_size(proof.v, kVBits, "v"));
  // The point of the proof: p, q < 2^(ℓ+ε)·√N0 with pq = N0, so neither is below ~2^256.
  if (!proof.z1.in_symmetric_range(pow2(kZBits))) return verify_failed("Πfac: z1 outside ±2^(ℓ+ε)·√N0");
  if (!proof.z2.in_symmetric_range(pow2(kZBits))) return verify_failed("Πfac: z2 outside ±2^(ℓ+ε)·√N0");

  const BigInt e = fac_challenge(ctx, stmt, proof);
  // The owner of aux uses CRT: from public inputs to a value anyone could compute without the
  // factors, so the result is public (secops::public_result).
  auto commit = [&](const BigInt& a, const BigInt& b) {
    return own_aux ? secops::public_result(own_aux->commit_crt(a, b)) : aux.commit_public(a, b);
  };
  auto pow = [&](const BigInt& base, const BigInt& exp) {
    return own_aux ? secops::public_result(own_aux->pow_crt(base, exp)) : aux.pow(base, exp);
  };

  if (commit(proof.z1, proof.w1) != aux.mul(proof.A, pow(proof.P, e))) {
    return verify_failed("Πfac: s^z1·t^w1 != A·P^e mod N̂");
  }
  if (commit(proof.z2, proof.w2) != aux.mul(proof.B, pow(proof.Q, e))) {
    return verify_failed("Πfac: s^z2·t^w2 != B·Q^e mod N̂");
  }
  // R = s^N0·t^σ; Q^z1·t^v = T·R^e ties N0 to the committed p and q.
  BigInt big_r = commit(stmt.n0, proof.sigma);
  BigInt lhs = aux.mul(pow(proof.Q, proof.z1), pow(aux.t(), proof.v));
  if (lhs != aux.mul(proof.T, pow(big_r, e))) return verify_failed("Πfac: Q^z1·t^v != T·R^e mod N̂");
  return ok_status();
}

std::vector<uint8_t> encode(const FacProof& proof) {
  Writer w;
  for (const BigInt* v : {&proof.P, &proof.Q, &proof.A, &proof.B, &proof.T, &proof.sigma, &proof.z1, &proof.z2,
                          &proof.w1, &proof.w2, &proof.v}) {
    w.integer(*v);
  }
  return w.take();
}

Result<FacProof> decode_fac_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πfac proof");
  FacProof p;
  ASSIGN_OR_RETURN(p.P, r.integer(kPaillierBits));
  ASSIGN_OR_RETURN(p.Q, r.integer(kPaillierBits));
  ASSIGN_OR_RETURN(p.A, r.integer(kPaillierBits));
  ASSIGN_OR_RETURN(p.B, r.integer(kPaillierBits));
  ASSIGN_OR_RETURN(p.T, r.integer(kPaillierBits));
  ASSIGN_OR_RETURN(p.sigma, r.integer(kSigmaBits + 1));
  ASSIGN_OR_RETURN(p.z1, r.integer(kZBits + 1));
  ASSIGN_OR_RETURN(p.z2, r.integer(kZBits + 1));
  ASSIGN_OR_RETURN(p.w1, r.integer(kWBits + 1));
  ASSIGN_OR_RETURN(p.w2, r.integer(kWBits + 1));
  ASSIGN_OR_RETURN(p.v, r.integer(kVBits + 1));
  RETURN_IF_ERROR(r.finish());
  return p;
}

}  // namespace custos::zk
