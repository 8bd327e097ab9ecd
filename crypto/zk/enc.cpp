// Πenc, CGGMP21 (2021) Fig 14 (notes §2). Prover:
//   α ← ±2^(ℓ+ε), μ ← ±2^ℓ·N̂, r ← Z*_N0, γ ← ±2^(ℓ+ε)·N̂
//   S = s^k·t^μ, A = enc_N0(α; r), C = s^α·t^γ;  e ← ±q (Fiat–Shamir)
//   z1 = α + e·k, z2 = r·ρ^e mod N0, z3 = γ + e·μ.
// Verifier: memberships and z1 ∈ ±2^(ℓ+ε) first, then
//   enc_N0(z1; z2) = A·K^e mod N0²  and  s^z1·t^z3 = C·S^e mod N̂.
#include "crypto/zk/enc.h"

#include "crypto/codec.h"
#include "crypto/sec_int.h"
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"

namespace custos::zk {
namespace {

constexpr unsigned kZ1Bits = kEll + kEpsilon + 1;  // 2^(ℓ+ε) itself has ℓ+ε+1 bits
// |z3| ≤ 2^(ℓ+ε)·N̂ + q·2^ℓ·N̂ < 2^(ℓ+ε+1)·N̂.
unsigned z3_max_bits(unsigned nhat_bits) { return kEll + kEpsilon + 1 + nhat_bits; }

}  // namespace

BigInt enc_challenge(const ProofContext& ctx, const EncStatement& st, const BigInt& S, const BigInt& A,
                     const BigInt& C) {
  Transcript t = ctx.transcript("cggmp21/enc");
  t.append_int("aux.N", st.aux.n()).append_int("aux.s", st.aux.s()).append_int("aux.t", st.aux.t());
  t.append_int("N0", st.N0.n()).append_int("K", st.K);
  t.append_int("S", S).append_int("A", A).append_int("C", C);
  return t.stream("challenge").signed_below_q();
}

EncProof enc_prove(const ProofContext& ctx, const EncStatement& stmt, const EncWitness& wit, Rng& rng,
                   const PaillierSecretKey* prover_key) {
  if (prover_key != nullptr && !(prover_key->public_key() == stmt.N0)) prover_key = nullptr;
  const BigInt& nhat = stmt.aux.n();
  const BigInt& n0 = stmt.N0.n();

  BigInt alpha = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon));
  BigInt mu = BigInt::random_symmetric(rng, pow2(kEll) * nhat);
  BigInt gamma = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon) * nhat);

  EncProof p;
  p.S = stmt.aux.commit(wit.k, mu);  // constant time in the secret exponents
  BigInt r;  // uniform in Z*_N0 either way; with our own key sampled together with r^N0
  if (prover_key) {
    p.A = prover_key->encrypt_fresh(alpha, rng, &r);
  } else {
    r = BigInt::random_unit(rng, n0);
    p.A = stmt.N0.encrypt(alpha, r);
  }
  p.C = stmt.aux.commit(alpha, gamma);

  secops::publish(p.S, p.A, p.C);
  BigInt e = enc_challenge(ctx, stmt, p.S, p.A, p.C);
  p.z1 = secint::response(alpha, e, wit.k);
  p.z2 = secops::mask_nonce(r, wit.rho, e, stmt.N0, prover_key, rng);  // r·ρ^e mod N0
  p.z3 = secint::response(gamma, e, mu);
  return p;
}

Status enc_verify(const ProofContext& ctx, const EncStatement& stmt, const EncProof& proof,
                  const RingPedersenSecret* verifier_aux) {
  if (verifier_aux != nullptr && !(verifier_aux->params() == stmt.aux)) {
    return invalid_argument("Πenc: the verifier secret does not belong to the statement's aux");
  }
  const PaillierPublicKey& N0 = stmt.N0;
  const RingPedersenParams& aux = stmt.aux;

  // Memberships (Fig 14) before any exponentiation.
  if (!N0.is_ciphertext(stmt.K)) return out_of_range("Πenc: K is not a unit mod N0²");
  if (!N0.is_ciphertext(proof.A)) return out_of_range("Πenc: A is not a unit mod N0²");
  if (!aux.is_unit(proof.S)) return out_of_range("Πenc: S is not a unit mod N̂");
  if (!aux.is_unit(proof.C)) return out_of_range("Πenc: C is not a unit mod N̂");
  if (!N0.is_unit(proof.z2)) return out_of_range("Πenc: z2 is not a unit mod N0");
  // The range check is what the proof is for: ±2^(ℓ+ε), NOT ±2^(ℓ'+ε) (TA's 2021 bug).
  if (!proof.z1.in_symmetric_range(pow2(kEll + kEpsilon))) return verify_failed("Πenc: z1 outside ±2^(ℓ+ε)");
  // Not in the paper: bound z3 by its honest maximum so a huge z3 cannot cost us an exponentiation.
  if (proof.z3.bit_length() > z3_max_bits(aux.n().bit_length())) return out_of_range("Πenc: z3 is too large");

  BigInt e = enc_challenge(ctx, stmt, proof.S, proof.A, proof.C);

  // enc_N0(z1; z2) = A ⊕ (e ⊙ K), checked as enc_N0(z1; z2) ⊖ (e ⊙ K) = A (K is a unit): one
  // simultaneous exponentiation z2^N0 · K^(−e).
  if (N0.enc_minus_scaled(proof.z1, proof.z2, stmt.K, e) != proof.A) {
    return verify_failed("Πenc: enc_N0(z1; z2) ≠ A ⊕ (e ⊙ K)");
  }

  BigInt ped_lhs = verifier_aux ? secops::public_result(verifier_aux->commit_crt(proof.z1, proof.z3))
                                : aux.commit_public(proof.z1, proof.z3);
  BigInt s_e = verifier_aux ? secops::public_result(verifier_aux->pow_crt(proof.S, e)) : aux.pow(proof.S, e);
  if (ped_lhs != aux.mul(proof.C, s_e)) return verify_failed("Πenc: s^z1·t^z3 ≠ C·S^e mod N̂");
  return ok_status();
}

std::vector<uint8_t> encode(const EncProof& p) {
  Writer w;
  w.integer(p.S).integer(p.A).integer(p.C).integer(p.z1).integer(p.z2).integer(p.z3);
  return w.take();
}

Result<EncProof> decode_enc_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πenc proof");
  EncProof p;
  ASSIGN_OR_RETURN(p.S, r.residue(kPaillierBits, "S"));
  ASSIGN_OR_RETURN(p.A, r.residue(2 * kPaillierBits, "A"));
  ASSIGN_OR_RETURN(p.C, r.residue(kPaillierBits, "C"));
  ASSIGN_OR_RETURN(p.z1, r.integer(kZ1Bits));
  ASSIGN_OR_RETURN(p.z2, r.residue(kPaillierBits, "z2"));
  ASSIGN_OR_RETURN(p.z3, r.integer(z3_max_bits(kPaillierBits)));
  RETURN_IF_ERROR(r.finish());
  return p;
}

}  // namespace custos::zk
