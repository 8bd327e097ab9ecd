// Πdec, CGGMP21 (2021) Fig 30 (notes §2), with the y range as a parameter B_y = y_bits. Prover:
//   α ← ±2^(B_y+σ) (σ = kDecSlack), μ ← ±2^ℓ·N̂, ν ← ±2^(ℓ+ε)·N̂, r ← Z*_N0
//   S = s^y·t^μ, T = s^α·t^ν (mod N̂), A = enc_N0(α; r), γ = α mod q;  e ← ±q (Fiat–Shamir)
//   z1 = α + e·y, z2 = ν + e·μ, w = r·ρ^e mod N0.
// Verifier: C, A ∈ Z*_{N0²}; S, T ∈ Z*_N̂; w ∈ Z*_N0; z1 ∈ ±2^(B_y+σ); then
//   enc_N0(z1; w) = A ⊕ (e ⊙ C),   z1 ≡ γ + e·x (mod q),   s^z1·t^z2 = T·S^e (mod N̂).
//
// Why the z1 check (absent from Fig 30, and from TA and synedrion) is needed: without it a
// prover can use y' = y + k·N0 with k chosen so that y' ≡ x' for ANY x' (C is also an
// encryption of y'), and every equation holds. Ring-Pedersen binding fixes the committed y'
// and gives z1(e) = c + e·y'; if y' is not the centred decryption then |y'| ≥ N0/2, and
// |z1| ≤ 2^B holds for at most 2^(B+1)/|y'| of the 2q+1 challenges: probability
// ≤ 2^(B − |N0| − 253). μ and ν keep the paper's sizes: they only need to exceed the order
// of t, not to drown y.
#include "crypto/zk/dec.h"

#include "crypto/codec.h"
#include "crypto/sec_int.h"
#include "crypto/zk/sec_ops.h"

namespace custos::zk {
namespace {

constexpr unsigned kZ1MaxBits = dec_max_y_bits(kPaillierBits) + kDecSlack + 1;
// |z2| ≤ 2^(ℓ+ε)·N̂ + q·2^ℓ·N̂ < 2^(ℓ+ε+1)·N̂.
unsigned z2_max_bits(unsigned nhat_bits) { return kEll + kEpsilon + 1 + nhat_bits; }

BigInt challenge(const ProofContext& ctx, const DecStatement& st, const DecProof& p) {
  Transcript t = ctx.transcript("cggmp21/dec");
  t.append_int("aux.N", st.aux.n()).append_int("aux.s", st.aux.s()).append_int("aux.t", st.aux.t());
  t.append_int("N0", st.N0.n()).append_int("C", st.C).append_scalar("x", st.x).append_u64("y_bits", st.y_bits);
  t.append_int("S", p.S).append_int("T", p.T).append_int("A", p.A).append_scalar("gamma", p.gamma);
  return t.stream("challenge").signed_below_q();
}

Status check_y_bits(const DecStatement& st) {
  if (st.y_bits == 0 || st.y_bits > dec_max_y_bits(st.N0.n().bit_length())) {
    return invalid_argument("Πdec: y_bits = " + std::to_string(st.y_bits) + " is outside [1, " +
                            std::to_string(dec_max_y_bits(st.N0.n().bit_length())) + "] for this N0");
  }
  return ok_status();
}

}  // namespace

unsigned dec_y_bits_for_parties(size_t n) {
  unsigned log_n = 0;
  while ((size_t{1} << log_n) < n) ++log_n;
  return kEllPrime + kEpsilon + 1 + log_n;
}

DecProof dec_prove(const ProofContext& ctx, const DecStatement& stmt, const DecWitness& wit, Rng& rng,
                   const PaillierSecretKey* prover_key) {
  if (prover_key != nullptr && !(prover_key->public_key() == stmt.N0)) prover_key = nullptr;
  const BigInt& nhat = stmt.aux.n();
  const PaillierPublicKey& N0 = stmt.N0;

  BigInt alpha = BigInt::random_symmetric(rng, pow2(stmt.y_bits + kDecSlack));
  BigInt mu = BigInt::random_symmetric(rng, pow2(kEll) * nhat);
  BigInt nu = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon) * nhat);

  DecProof p;
  p.S = stmt.aux.commit(wit.y, mu);
  p.T = stmt.aux.commit(alpha, nu);
  BigInt r;  // uniform in Z*_N0; with our own key sampled together with r^N0
  if (prover_key) {
    p.A = prover_key->encrypt_fresh(alpha, rng, &r);
  } else {
    r = BigInt::random_unit(rng, N0.n());
    p.A = secops::encrypt_secret(N0, nullptr, alpha, r);
  }
  p.gamma = Scalar::from_bigint(alpha);  // reveals α mod q only; α has B_y+σ > 256 bits of entropy

  secops::publish(p.S, p.T, p.A, p.gamma);
  BigInt e = challenge(ctx, stmt, p);
  p.z1 = secint::response(alpha, e, wit.y);
  p.z2 = secint::response(nu, e, mu);
  p.w = secops::mask_nonce(r, wit.rho, e, N0, prover_key, rng);
  return p;
}

Status dec_verify(const ProofContext& ctx, const DecStatement& stmt, const DecProof& proof,
                  const RingPedersenSecret* verifier_aux) {
  if (verifier_aux != nullptr && !(verifier_aux->params() == stmt.aux)) {
    return invalid_argument("Πdec: the verifier secret does not belong to the statement's aux");
  }
  RETURN_IF_ERROR(check_y_bits(stmt));
  const PaillierPublicKey& N0 = stmt.N0;
  const RingPedersenParams& aux = stmt.aux;

  if (!N0.is_ciphertext(stmt.C)) return out_of_range("Πdec: C is not a unit mod N0²");
  if (!N0.is_ciphertext(proof.A)) return out_of_range("Πdec: A is not a unit mod N0²");
  if (!aux.is_unit(proof.S)) return out_of_range("Πdec: S is not a unit mod N̂");
  if (!aux.is_unit(proof.T)) return out_of_range("Πdec: T is not a unit mod N̂");
  if (!N0.is_unit(proof.w)) return out_of_range("Πdec: w is not a unit mod N0");
  if (!proof.z1.in_symmetric_range(pow2(stmt.y_bits + kDecSlack))) {
    return verify_failed("Πdec: z1 outside ±2^(y_bits+σ)");
  }
  if (proof.z2.bit_length() > z2_max_bits(aux.n().bit_length())) return out_of_range("Πdec: z2 is too large");

  BigInt e = challenge(ctx, stmt, proof);

  if (N0.encrypt(proof.z1, proof.w) != N0.add(proof.A, N0.scale(stmt.C, e))) {
    return verify_failed("Πdec: enc_N0(z1; w) ≠ A ⊕ (e ⊙ C)");
  }
  if (!(Scalar::from_bigint(proof.z1) == proof.gamma + Scalar::from_bigint(e) * stmt.x)) {
    return verify_failed("Πdec: z1 ≢ γ + e·x (mod q)");
  }
  BigInt lhs = verifier_aux ? secops::public_result(verifier_aux->commit_crt(proof.z1, proof.z2))
                            : aux.commit_public(proof.z1, proof.z2);
  BigInt s_e = verifier_aux ? secops::public_result(verifier_aux->pow_crt(proof.S, e)) : aux.pow(proof.S, e);
  if (lhs != aux.mul(proof.T, s_e)) return verify_failed("Πdec: s^z1·t^z2 ≠ T·S^e mod N̂");
  return ok_status();
}

Status dec_check_witness(const DecStatement& stmt, const DecWitness& wit) {
  RETURN_IF_ERROR(check_y_bits(stmt));
  if (!wit.y.in_symmetric_range(pow2(stmt.y_bits))) return invalid_argument("Πdec witness: y outside ±2^y_bits");
  if (!stmt.N0.is_unit(wit.rho)) return invalid_argument("Πdec witness: ρ is not a unit mod N0");
  if (!(Scalar::from_bigint(wit.y) == stmt.x)) return invalid_argument("Πdec witness: y ≢ x (mod q)");
  if (secops::encrypt_secret(stmt.N0, nullptr, wit.y, wit.rho) != stmt.C) {
    return invalid_argument("Πdec witness: C ≠ enc_N0(y; ρ)");
  }
  return ok_status();
}

std::vector<uint8_t> encode(const DecProof& p) {
  Writer w;
  w.integer(p.S).integer(p.T).integer(p.A).scalar(p.gamma).integer(p.z1).integer(p.z2).integer(p.w);
  return w.take();
}

Result<DecProof> decode_dec_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πdec proof");
  DecProof p;
  ASSIGN_OR_RETURN(p.S, r.residue(kPaillierBits, "S"));
  ASSIGN_OR_RETURN(p.T, r.residue(kPaillierBits, "T"));
  ASSIGN_OR_RETURN(p.A, r.residue(2 * kPaillierBits, "A"));
  ASSIGN_OR_RETURN(p.gamma, r.scalar());
  ASSIGN_OR_RETURN(p.z1, r.integer(kZ1MaxBits));
  ASSIGN_OR_RETURN(p.z2, r.integer(z2_max_bits(kPaillierBits)));
  ASSIGN_OR_RETURN(p.w, r.residue(kPaillierBits, "w"));
  RETURN_IF_ERROR(r.finish());
  return p;
}

}  // namespace custos::zk
