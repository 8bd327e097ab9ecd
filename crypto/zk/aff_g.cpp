// Πaff-g, CGGMP21 (2021) Fig 15 (notes §2). Prover:
//   α ← ±2^(ℓ+ε), β ← ±2^(ℓ'+ε), r ← Z*_N0, ry ← Z*_N1, γ, δ ← ±2^(ℓ+ε)·N̂, m, μ ← ±2^ℓ·N̂
//   A = (α ⊙ C) ⊕ enc_N0(β; r), Bx = α·G, By = enc_N1(β; ry),
//   E = s^α·t^γ, S = s^x·t^m, F = s^β·t^δ, T = s^y·t^μ;  e ← ±q (Fiat–Shamir)
//   z1 = α + e·x, z2 = β + e·y, z3 = γ + e·m, z4 = δ + e·μ, w = r·ρ^e mod N0, wy = ry·ρy^e mod N1.
// Verifier: every membership and z1 ∈ ±2^(ℓ+ε), z2 ∈ ±2^(ℓ'+ε) first, then
//   (z1 ⊙ C) ⊕ enc_N0(z2; w) = A ⊕ (e ⊙ D),   (z1 mod q)·G = Bx + (e mod q)·X,
//   enc_N1(z2; wy) = By ⊕ (e ⊙ Y),   s^z1·t^z3 = E·S^e,   s^z2·t^z4 = F·T^e  (mod N̂).
#include "crypto/zk/aff_g.h"

#include "crypto/codec.h"
#include "crypto/scalar.h"
#include "crypto/sec_int.h"
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"

namespace custos::zk {
namespace {

constexpr unsigned kZ1Bits = kEll + kEpsilon + 1;       // 2^(ℓ+ε) itself has ℓ+ε+1 bits
constexpr unsigned kZ2Bits = kEllPrime + kEpsilon + 1;  // 2^(ℓ'+ε) likewise
// |z3|, |z4| ≤ 2^(ℓ+ε)·N̂ + q·2^ℓ·N̂ < 2^(ℓ+ε+1)·N̂.
unsigned z34_max_bits(unsigned nhat_bits) { return kEll + kEpsilon + 1 + nhat_bits; }

BigInt challenge(const ProofContext& ctx, const AffGStatement& st, const AffGProof& p) {
  Transcript t = ctx.transcript("cggmp21/aff-g");
  t.append_int("aux.N", st.aux.n()).append_int("aux.s", st.aux.s()).append_int("aux.t", st.aux.t());
  t.append_int("N0", st.N0.n()).append_int("N1", st.N1.n());
  t.append_int("C", st.C).append_int("D", st.D).append_int("Y", st.Y).append_point("X", st.X);
  t.append_int("A", p.A).append_point("Bx", p.Bx).append_int("By", p.By);
  t.append_int("E", p.E).append_int("S", p.S).append_int("F", p.F).append_int("T", p.T);
  return t.stream("challenge").signed_below_q();
}

}  // namespace

AffGProof aff_g_prove(const ProofContext& ctx, const AffGStatement& stmt, const AffGWitness& wit, Rng& rng,
                      const PaillierSecretKey* prover_key) {
  if (prover_key != nullptr && !(prover_key->public_key() == stmt.N1)) prover_key = nullptr;
  const BigInt& nhat = stmt.aux.n();
  const PaillierPublicKey& N0 = stmt.N0;
  const PaillierPublicKey& N1 = stmt.N1;

  // Bx = α·G is O only if α ≡ 0 mod q (probability ≈ 2^-256), which we ignore.
  BigInt alpha = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon));
  BigInt beta = BigInt::random_symmetric(rng, pow2(kEllPrime + kEpsilon));
  // Uniform in Z*_N0 (the verifier's key): confined to a subgroup, r would let the verifier read x
  // modulo its index from A's randomness and z1 (security.md, "Paillier randomness under a peer's key").
  BigInt r = BigInt::random_unit(rng, N0.n());
  BigInt ry;  // uniform in Z*_N1; sampled with By below
  BigInt gamma = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon) * nhat);
  BigInt delta = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon) * nhat);
  BigInt m = BigInt::random_symmetric(rng, pow2(kEll) * nhat);
  BigInt mu = BigInt::random_symmetric(rng, pow2(kEll) * nhat);

  AffGProof p;
  // N0 is the verifier's key: no CRT; secret exponent α in constant time.
  p.A = N0.add_secret(secops::scale_secret(N0, nullptr, stmt.C, alpha), secops::encrypt_secret(N0, nullptr, beta, r));
  p.Bx = Point::base_mul(Scalar::from_bigint(alpha));
  if (prover_key) {
    p.By = prover_key->encrypt_fresh(beta, rng, &ry);  // our own key: ry and ry^N1 from the generator tables
  } else {
    ry = BigInt::random_unit(rng, N1.n());
    p.By = secops::encrypt_secret(N1, nullptr, beta, ry);
  }
  p.E = stmt.aux.commit(alpha, gamma);
  p.S = stmt.aux.commit(wit.x, m);
  p.F = stmt.aux.commit(beta, delta);
  p.T = stmt.aux.commit(wit.y, mu);

  secops::publish(p.A, p.Bx, p.By, p.E, p.S, p.F, p.T);
  BigInt e = challenge(ctx, stmt, p);
  p.z1 = secint::response(alpha, e, wit.x);
  p.z2 = secint::response(beta, e, wit.y);
  p.z3 = secint::response(gamma, e, m);
  p.z4 = secint::response(delta, e, mu);
  p.w = secops::mask_nonce(r, wit.rho, e, N0, nullptr, rng);
  p.wy = secops::mask_nonce(ry, wit.rho_y, e, N1, prover_key, rng);
  return p;
}

Status aff_g_verify(const ProofContext& ctx, const AffGStatement& stmt, const AffGProof& proof,
                    const PaillierSecretKey* verifier_key, const RingPedersenSecret* verifier_aux) {
  if (verifier_key != nullptr && !(verifier_key->public_key() == stmt.N0)) {
    return invalid_argument("Πaff-g: the verifier key does not belong to the statement's N0");
  }
  if (verifier_aux != nullptr && !(verifier_aux->params() == stmt.aux)) {
    return invalid_argument("Πaff-g: the verifier secret does not belong to the statement's aux");
  }
  const PaillierPublicKey& N0 = stmt.N0;
  const PaillierPublicKey& N1 = stmt.N1;
  const RingPedersenParams& aux = stmt.aux;

  // Memberships (Fig 15) before any exponentiation. Points held in a Point are valid
  // curve points (decode validates); X may be O, Bx may not.
  if (!N0.is_ciphertext(stmt.C)) return out_of_range("Πaff-g: C is not a unit mod N0²");
  if (!N0.is_ciphertext(stmt.D)) return out_of_range("Πaff-g: D is not a unit mod N0²");
  if (!N0.is_ciphertext(proof.A)) return out_of_range("Πaff-g: A is not a unit mod N0²");
  if (!N1.is_ciphertext(stmt.Y)) return out_of_range("Πaff-g: Y is not a unit mod N1²");
  if (!N1.is_ciphertext(proof.By)) return out_of_range("Πaff-g: By is not a unit mod N1²");
  if (!aux.is_unit(proof.E)) return out_of_range("Πaff-g: E is not a unit mod N̂");
  if (!aux.is_unit(proof.S)) return out_of_range("Πaff-g: S is not a unit mod N̂");
  if (!aux.is_unit(proof.F)) return out_of_range("Πaff-g: F is not a unit mod N̂");
  if (!aux.is_unit(proof.T)) return out_of_range("Πaff-g: T is not a unit mod N̂");
  if (!N0.is_unit(proof.w)) return out_of_range("Πaff-g: w is not a unit mod N0");
  if (!N1.is_unit(proof.wy)) return out_of_range("Πaff-g: wy is not a unit mod N1");
  if (proof.Bx.is_identity()) return out_of_range("Πaff-g: Bx is the identity");
  // The two range checks are what the proof is for (x ∈ I_ε, y ∈ J_ε).
  if (!proof.z1.in_symmetric_range(pow2(kEll + kEpsilon))) return verify_failed("Πaff-g: z1 outside ±2^(ℓ+ε)");
  if (!proof.z2.in_symmetric_range(pow2(kEllPrime + kEpsilon))) {
    return verify_failed("Πaff-g: z2 outside ±2^(ℓ'+ε)");
  }
  // Not in the paper: z3, z4 bounded by their honest maximum (no huge exponentiation).
  const unsigned z34 = z34_max_bits(aux.n().bit_length());
  if (proof.z3.bit_length() > z34) return out_of_range("Πaff-g: z3 is too large");
  if (proof.z4.bit_length() > z34) return out_of_range("Πaff-g: z4 is too large");

  BigInt e = challenge(ctx, stmt, proof);

  // (z1 ⊙ C) ⊕ enc_N0(z2; w) = A ⊕ (e ⊙ D) mod N0². The verifier owns N0 in presign: CRT.
  BigInt lhs0, rhs0;
  if (verifier_key) {
    lhs0 = N0.add(secops::public_result(verifier_key->pow_mod_n2(stmt.C, proof.z1)),
                  secops::public_result(verifier_key->encrypt(proof.z2, proof.w)));
    rhs0 = N0.add(proof.A, secops::public_result(verifier_key->pow_mod_n2(stmt.D, e)));
  } else {
    lhs0 = N0.add(N0.scale(stmt.C, proof.z1), N0.encrypt(proof.z2, proof.w));
    rhs0 = N0.add(proof.A, N0.scale(stmt.D, e));
  }
  if (lhs0 != rhs0) return verify_failed("Πaff-g: (z1 ⊙ C) ⊕ enc_N0(z2; w) ≠ A ⊕ (e ⊙ D)");

  Point lhs_g = Point::base_mul(Scalar::from_bigint(proof.z1));
  if (!(lhs_g == proof.Bx + stmt.X.mul_vartime(Scalar::from_bigint(e)))) {
    return verify_failed("Πaff-g: z1·G ≠ Bx + e·X");
  }

  // enc_N1(z2; wy) = By ⊕ (e ⊙ Y) ⟺ enc_N1(z2; wy) ⊖ (e ⊙ Y) = By (Y is a unit): one simultaneous exponentiation.
  if (N1.enc_minus_scaled(proof.z2, proof.wy, stmt.Y, e) != proof.By) {
    return verify_failed("Πaff-g: enc_N1(z2; wy) ≠ By ⊕ (e ⊙ Y)");
  }

  auto commit = [&](const BigInt& a, const BigInt& b) {
    return verifier_aux ? secops::public_result(verifier_aux->commit_crt(a, b)) : aux.commit_public(a, b);
  };
  auto power = [&](const BigInt& a, const BigInt& x) {
    return verifier_aux ? secops::public_result(verifier_aux->pow_crt(a, x)) : aux.pow(a, x);
  };
  if (commit(proof.z1, proof.z3) != aux.mul(proof.E, power(proof.S, e))) {
    return verify_failed("Πaff-g: s^z1·t^z3 ≠ E·S^e mod N̂");
  }
  if (commit(proof.z2, proof.z4) != aux.mul(proof.F, power(proof.T, e))) {
    return verify_failed("Πaff-g: s^z2·t^z4 ≠ F·T^e mod N̂");
  }
  return ok_status();
}

Status aff_g_check_witness(const AffGStatement& stmt, const AffGWitness& wit) {
  const PaillierPublicKey& N0 = stmt.N0;
  const PaillierPublicKey& N1 = stmt.N1;
  if (!wit.x.in_symmetric_range(pow2(kEll))) return invalid_argument("Πaff-g witness: x outside ±2^ℓ");
  if (!wit.y.in_symmetric_range(pow2(kEllPrime))) return invalid_argument("Πaff-g witness: y outside ±2^ℓ'");
  if (!N0.is_unit(wit.rho)) return invalid_argument("Πaff-g witness: ρ is not a unit mod N0");
  if (!N1.is_unit(wit.rho_y)) return invalid_argument("Πaff-g witness: ρy is not a unit mod N1");
  if (!N0.is_ciphertext(stmt.C)) return invalid_argument("Πaff-g statement: C is not a unit mod N0²");
  BigInt d = N0.add(secops::scale_secret(N0, nullptr, stmt.C, wit.x),
                    secops::encrypt_secret(N0, nullptr, wit.y, wit.rho));
  if (d != stmt.D) return invalid_argument("Πaff-g witness: D ≠ (x ⊙ C) ⊕ enc_N0(y; ρ)");
  if (secops::encrypt_secret(N1, nullptr, wit.y, wit.rho_y) != stmt.Y) {
    return invalid_argument("Πaff-g witness: Y ≠ enc_N1(y; ρy) (β sign mismatch between D and F?)");
  }
  if (!(Point::base_mul(Scalar::from_bigint(wit.x)) == stmt.X)) return invalid_argument("Πaff-g witness: X ≠ x·G");
  return ok_status();
}

std::vector<uint8_t> encode(const AffGProof& p) {
  Writer w;
  w.integer(p.A).point(p.Bx).integer(p.By).integer(p.E).integer(p.S).integer(p.F).integer(p.T);
  w.integer(p.z1).integer(p.z2).integer(p.z3).integer(p.z4).integer(p.w).integer(p.wy);
  return w.take();
}

Result<AffGProof> decode_aff_g_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πaff-g proof");
  AffGProof p;
  ASSIGN_OR_RETURN(p.A, r.residue(2 * kPaillierBits, "A"));
  ASSIGN_OR_RETURN(p.Bx, r.point());  // rejects O
  ASSIGN_OR_RETURN(p.By, r.residue(2 * kPaillierBits, "By"));
  ASSIGN_OR_RETURN(p.E, r.residue(kPaillierBits, "E"));
  ASSIGN_OR_RETURN(p.S, r.residue(kPaillierBits, "S"));
  ASSIGN_OR_RETURN(p.F, r.residue(kPaillierBits, "F"));
  ASSIGN_OR_RETURN(p.T, r.residue(kPaillierBits, "T"));
  ASSIGN_OR_RETURN(p.z1, r.integer(kZ1Bits));
  ASSIGN_OR_RETURN(p.z2, r.integer(kZ2Bits));
  ASSIGN_OR_RETURN(p.z3, r.integer(z34_max_bits(kPaillierBits)));
  ASSIGN_OR_RETURN(p.z4, r.integer(z34_max_bits(kPaillierBits)));
  ASSIGN_OR_RETURN(p.w, r.residue(kPaillierBits, "w"));
  ASSIGN_OR_RETURN(p.wy, r.residue(kPaillierBits, "wy"));
  RETURN_IF_ERROR(r.finish());
  return p;
}

}  // namespace custos::zk
