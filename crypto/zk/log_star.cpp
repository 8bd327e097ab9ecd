// Πlog*, CGGMP21 (2021) Fig 25 (notes §2). Prover:
//   α ← ±2^(ℓ+ε), μ ← ±2^ℓ·N̂, r ← Z*_N0, γ ← ±2^(ℓ+ε)·N̂
//   S = s^x·t^μ, A = enc_N0(α; r), Y = α·B, D = s^α·t^γ;  e ← ±q (Fiat–Shamir, B hashed)
//   z1 = α + e·x, z2 = r·ρ^e mod N0, z3 = γ + e·μ.
// Verifier: memberships, B ≠ O, Y ≠ O and z1 ∈ ±2^(ℓ+ε) first, then
//   enc_N0(z1; z2) = A·C^e mod N0²,  (z1 mod q)·B = Y + (e mod q)·X,  s^z1·t^z3 = D·S^e mod N̂.
#include "crypto/zk/log_star.h"

#include "crypto/codec.h"
#include "crypto/scalar.h"
#include "crypto/sec_int.h"
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"

namespace custos::zk {
namespace {

constexpr unsigned kZ1Bits = kEll + kEpsilon + 1;  // 2^(ℓ+ε) itself has ℓ+ε+1 bits
// |z3| ≤ 2^(ℓ+ε)·N̂ + q·2^ℓ·N̂ < 2^(ℓ+ε+1)·N̂.
unsigned z3_max_bits(unsigned nhat_bits) { return kEll + kEpsilon + 1 + nhat_bits; }

}  // namespace

BigInt log_star_challenge(const ProofContext& ctx, const LogStarStatement& st, const LogStarProof& p) {
  Transcript t = ctx.transcript("cggmp21/log*");
  t.append_int("aux.N", st.aux.n()).append_int("aux.s", st.aux.s()).append_int("aux.t", st.aux.t());
  t.append_int("N0", st.N0.n()).append_int("C", st.C);
  t.append_point("X", st.X).append_point("B", st.B);  // B in the hash: a proof for G must not pass for Γ
  t.append_int("S", p.S).append_int("A", p.A).append_point("Y", p.Y).append_int("D", p.D);
  return t.stream("challenge").signed_below_q();
}

LogStarProof log_star_prove(const ProofContext& ctx, const LogStarStatement& stmt, const LogStarWitness& wit,
                            Rng& rng, const PaillierSecretKey* prover_key) {
  if (prover_key != nullptr && !(prover_key->public_key() == stmt.N0)) prover_key = nullptr;
  const BigInt& nhat = stmt.aux.n();
  const BigInt& n0 = stmt.N0.n();

  // Y = α·B is O only if α ≡ 0 mod q (probability ≈ 2^-256), which we ignore.
  BigInt alpha = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon));
  BigInt mu = BigInt::random_symmetric(rng, pow2(kEll) * nhat);
  BigInt gamma = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon) * nhat);

  LogStarProof p;
  p.S = stmt.aux.commit(wit.x, mu);
  BigInt r;  // uniform in Z*_N0 either way; with our own key sampled together with r^N0
  if (prover_key) {
    p.A = prover_key->encrypt_fresh(alpha, rng, &r);
  } else {
    r = BigInt::random_unit(rng, n0);
    p.A = stmt.N0.encrypt(alpha, r);
  }
  p.Y = stmt.B.mul(Scalar::from_bigint(alpha));  // constant time in α
  p.D = stmt.aux.commit(alpha, gamma);

  secops::publish(p.S, p.A, p.Y, p.D);
  BigInt e = log_star_challenge(ctx, stmt, p);
  p.z1 = secint::response(alpha, e, wit.x);
  p.z2 = secops::mask_nonce(r, wit.rho, e, stmt.N0, prover_key, rng);  // r·ρ^e mod N0
  p.z3 = secint::response(gamma, e, mu);
  return p;
}

Status log_star_verify(const ProofContext& ctx, const LogStarStatement& stmt, const LogStarProof& proof,
                       const RingPedersenSecret* verifier_aux) {
  if (verifier_aux != nullptr && !(verifier_aux->params() == stmt.aux)) {
    return invalid_argument("Πlog*: the verifier secret does not belong to the statement's aux");
  }
  const PaillierPublicKey& N0 = stmt.N0;
  const RingPedersenParams& aux = stmt.aux;

  // Memberships (Fig 25) before any exponentiation. Points held in a Point are
  // valid curve points (decode validates); X may be O (x ≡ 0 mod q), B and Y may not.
  if (stmt.B.is_identity()) return out_of_range("Πlog*: base B is the identity");
  if (proof.Y.is_identity()) return out_of_range("Πlog*: Y is the identity");
  if (!N0.is_ciphertext(stmt.C)) return out_of_range("Πlog*: C is not a unit mod N0²");
  if (!N0.is_ciphertext(proof.A)) return out_of_range("Πlog*: A is not a unit mod N0²");
  if (!aux.is_unit(proof.S)) return out_of_range("Πlog*: S is not a unit mod N̂");
  if (!aux.is_unit(proof.D)) return out_of_range("Πlog*: D is not a unit mod N̂");
  if (!N0.is_unit(proof.z2)) return out_of_range("Πlog*: z2 is not a unit mod N0");
  if (!proof.z1.in_symmetric_range(pow2(kEll + kEpsilon))) return verify_failed("Πlog*: z1 outside ±2^(ℓ+ε)");
  // Not in the paper: bound z3 by its honest maximum so a huge z3 cannot cost us an exponentiation.
  if (proof.z3.bit_length() > z3_max_bits(aux.n().bit_length())) return out_of_range("Πlog*: z3 is too large");

  BigInt e = log_star_challenge(ctx, stmt, proof);

  // enc_N0(z1; z2) = A ⊕ (e ⊙ C) ⟺ enc_N0(z1; z2) ⊖ (e ⊙ C) = A (C is a unit): one simultaneous exponentiation.
  if (N0.enc_minus_scaled(proof.z1, proof.z2, stmt.C, e) != proof.A) {
    return verify_failed("Πlog*: enc_N0(z1; z2) ≠ A ⊕ (e ⊙ C)");
  }
  if (!(stmt.B.mul_vartime(Scalar::from_bigint(proof.z1)) == proof.Y + stmt.X.mul_vartime(Scalar::from_bigint(e)))) {
    return verify_failed("Πlog*: z1·B ≠ Y + e·X");
  }
  BigInt ped_lhs = verifier_aux ? secops::public_result(verifier_aux->commit_crt(proof.z1, proof.z3))
                                : aux.commit_public(proof.z1, proof.z3);
  BigInt s_e = verifier_aux ? secops::public_result(verifier_aux->pow_crt(proof.S, e)) : aux.pow(proof.S, e);
  if (ped_lhs != aux.mul(proof.D, s_e)) return verify_failed("Πlog*: s^z1·t^z3 ≠ D·S^e mod N̂");
  return ok_status();
}

std::vector<uint8_t> encode(const LogStarProof& p) {
  Writer w;
  w.integer(p.S).integer(p.A).point(p.Y).integer(p.D).integer(p.z1).integer(p.z2).integer(p.z3);
  return w.take();
}

Result<LogStarProof> decode_log_star_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πlog* proof");
  LogStarProof p;
  ASSIGN_OR_RETURN(p.S, r.residue(kPaillierBits, "S"));
  ASSIGN_OR_RETURN(p.A, r.residue(2 * kPaillierBits, "A"));
  ASSIGN_OR_RETURN(p.Y, r.point());  // rejects O and invalid encodings
  ASSIGN_OR_RETURN(p.D, r.residue(kPaillierBits, "D"));
  ASSIGN_OR_RETURN(p.z1, r.integer(kZ1Bits));
  ASSIGN_OR_RETURN(p.z2, r.residue(kPaillierBits, "z2"));
  ASSIGN_OR_RETURN(p.z3, r.integer(z3_max_bits(kPaillierBits)));
  RETURN_IF_ERROR(r.finish());
  return p;
}

}  // namespace custos::zk
