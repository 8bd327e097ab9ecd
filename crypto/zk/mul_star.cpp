// Πmul*, CGGMP21 (2021) Fig 31 (notes §2). Prover:
//   α ← ±2^(ℓ+ε), μ ← ±2^ℓ·N̂, r ← Z*_N0, γ ← ±2^(ℓ+ε)·N̂
//   A = (α ⊙ C) ⊕ enc_N0(0; r) = C^α·r^N0, Bx = α·G, E = s^α·t^γ, S = s^x·t^μ;  e ← ±q
//   z1 = α + e·x, z2 = γ + e·μ, w = r·ρ^e mod N0.
// Verifier: C, D, A ∈ Z*_{N0²}; E, S ∈ Z*_N̂; w ∈ Z*_N0; Bx ≠ O; z1 ∈ ±2^(ℓ+ε); then
//   (z1 ⊙ C) ⊕ enc_N0(0; w) = A ⊕ (e ⊙ D),   (z1 mod q)·G = Bx + (e mod q)·X,   s^z1·t^z2 = E·S^e.
#include "crypto/zk/mul_star.h"

#include <tuple>

#include "crypto/codec.h"
#include "crypto/scalar.h"
#include "crypto/sec_int.h"
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"

namespace custos::zk {
namespace {

constexpr unsigned kZ1Bits = kEll + kEpsilon + 1;  // 2^(ℓ+ε) itself has ℓ+ε+1 bits
// |z2| ≤ 2^(ℓ+ε)·N̂ + q·2^ℓ·N̂ < 2^(ℓ+ε+1)·N̂.
unsigned z2_max_bits(unsigned nhat_bits) { return kEll + kEpsilon + 1 + nhat_bits; }

BigInt challenge(const ProofContext& ctx, const MulStarStatement& st, const MulStarProof& p) {
  Transcript t = ctx.transcript("cggmp21/mul*");
  t.append_int("aux.N", st.aux.n()).append_int("aux.s", st.aux.s()).append_int("aux.t", st.aux.t());
  t.append_int("N0", st.N0.n()).append_int("C", st.C).append_int("D", st.D).append_point("X", st.X);
  t.append_int("A", p.A).append_point("Bx", p.Bx).append_int("E", p.E).append_int("S", p.S);
  return t.stream("challenge").signed_below_q();
}

BigInt n0_power_of(const PaillierPublicKey& pk, const PaillierSecretKey* sk, const BigInt& r) {
  return sk ? sk->rho_pow_n(r) : modexp::pow_sec(r, pk.n(), pk.n2());
}

}  // namespace

MulStarProof mul_star_prove(const ProofContext& ctx, const MulStarStatement& stmt, const MulStarWitness& wit,
                            Rng& rng, const PaillierSecretKey* n0_key) {
  if (n0_key != nullptr && !(n0_key->public_key() == stmt.N0)) n0_key = nullptr;
  const BigInt& nhat = stmt.aux.n();
  const PaillierPublicKey& N0 = stmt.N0;

  // Bx = α·G is O only if α ≡ 0 mod q (probability ≈ 2^-256), which we ignore.
  BigInt alpha = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon));
  BigInt mu = BigInt::random_symmetric(rng, pow2(kEll) * nhat);
  BigInt gamma = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon) * nhat);

  MulStarProof p;
  BigInt r, r_n;  // r uniform in Z*_N0; with our own key sampled together with r^N0
  if (n0_key) {
    std::tie(r, r_n) = n0_key->random_rho_and_power(rng);
  } else {
    r = BigInt::random_unit(rng, N0.n());
    r_n = n0_power_of(N0, nullptr, r);
  }
  p.A = N0.add_secret(secops::scale_secret(N0, n0_key, stmt.C, alpha), r_n);
  p.Bx = Point::base_mul(Scalar::from_bigint(alpha));
  p.E = stmt.aux.commit(alpha, gamma);
  p.S = stmt.aux.commit(wit.x, mu);

  secops::publish(p.A, p.Bx, p.E, p.S);
  BigInt e = challenge(ctx, stmt, p);
  p.z1 = secint::response(alpha, e, wit.x);
  p.z2 = secint::response(gamma, e, mu);
  p.w = secops::mask_nonce(r, wit.rho, e, N0, n0_key, rng);
  return p;
}

Status mul_star_verify(const ProofContext& ctx, const MulStarStatement& stmt, const MulStarProof& proof,
                       const PaillierSecretKey* verifier_key, const RingPedersenSecret* verifier_aux) {
  if (verifier_key != nullptr && !(verifier_key->public_key() == stmt.N0)) {
    return invalid_argument("Πmul*: the verifier key does not belong to the statement's N0");
  }
  if (verifier_aux != nullptr && !(verifier_aux->params() == stmt.aux)) {
    return invalid_argument("Πmul*: the verifier secret does not belong to the statement's aux");
  }
  const PaillierPublicKey& N0 = stmt.N0;
  const RingPedersenParams& aux = stmt.aux;

  if (!N0.is_ciphertext(stmt.C)) return out_of_range("Πmul*: C is not a unit mod N0²");
  if (!N0.is_ciphertext(stmt.D)) return out_of_range("Πmul*: D is not a unit mod N0²");
  if (!N0.is_ciphertext(proof.A)) return out_of_range("Πmul*: A is not a unit mod N0²");
  if (!aux.is_unit(proof.E)) return out_of_range("Πmul*: E is not a unit mod N̂");
  if (!aux.is_unit(proof.S)) return out_of_range("Πmul*: S is not a unit mod N̂");
  if (!N0.is_unit(proof.w)) return out_of_range("Πmul*: w is not a unit mod N0");
  if (proof.Bx.is_identity()) return out_of_range("Πmul*: Bx is the identity");
  if (!proof.z1.in_symmetric_range(pow2(kEll + kEpsilon))) return verify_failed("Πmul*: z1 outside ±2^(ℓ+ε)");
  if (proof.z2.bit_length() > z2_max_bits(aux.n().bit_length())) return out_of_range("Πmul*: z2 is too large");

  BigInt e = challenge(ctx, stmt, proof);

  BigInt lhs, rhs;
  if (verifier_key) {
    lhs = N0.add(secops::public_result(verifier_key->pow_mod_n2(stmt.C, proof.z1)),
                 secops::public_result(verifier_key->rho_pow_n(proof.w)));
    rhs = N0.add(proof.A, secops::public_result(verifier_key->pow_mod_n2(stmt.D, e)));
  } else {
    lhs = N0.add(N0.scale(stmt.C, proof.z1), N0.rho_pow_n(proof.w));
    rhs = N0.add(proof.A, N0.scale(stmt.D, e));
  }
  if (lhs != rhs) return verify_failed("Πmul*: (z1 ⊙ C) ⊕ enc_N0(0; w) ≠ A ⊕ (e ⊙ D)");

  if (!(Point::base_mul(Scalar::from_bigint(proof.z1)) == proof.Bx + stmt.X.mul_vartime(Scalar::from_bigint(e)))) {
    return verify_failed("Πmul*: z1·G ≠ Bx + e·X");
  }

  BigInt ped = verifier_aux ? secops::public_result(verifier_aux->commit_crt(proof.z1, proof.z2))
                            : aux.commit_public(proof.z1, proof.z2);
  BigInt s_e = verifier_aux ? secops::public_result(verifier_aux->pow_crt(proof.S, e)) : aux.pow(proof.S, e);
  if (ped != aux.mul(proof.E, s_e)) return verify_failed("Πmul*: s^z1·t^z2 ≠ E·S^e mod N̂");
  return ok_status();
}

Status mul_star_check_witness(const MulStarStatement& stmt, const MulStarWitness& wit) {
  const PaillierPublicKey& N0 = stmt.N0;
  if (!wit.x.in_symmetric_range(pow2(kEll))) return invalid_argument("Πmul* witness: x outside ±2^ℓ");
  if (!N0.is_unit(wit.rho)) return invalid_argument("Πmul* witness: ρ is not a unit mod N0");
  if (!N0.is_ciphertext(stmt.C)) return invalid_argument("Πmul* statement: C is not a unit mod N0²");
  BigInt d = N0.add(secops::scale_secret(N0, nullptr, stmt.C, wit.x), n0_power_of(N0, nullptr, wit.rho));
  if (d != stmt.D) return invalid_argument("Πmul* witness: D ≠ (x ⊙ C) ⊕ enc_N0(0; ρ)");
  if (!(Point::base_mul(Scalar::from_bigint(wit.x)) == stmt.X)) return invalid_argument("Πmul* witness: X ≠ x·G");
  return ok_status();
}

std::vector<uint8_t> encode(const MulStarProof& p) {
  Writer w;
  w.integer(p.A).point(p.Bx).integer(p.E).integer(p.S).integer(p.z1).integer(p.z2).integer(p.w);
  return w.take();
}

Result<MulStarProof> decode_mul_star_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πmul* proof");
  MulStarProof p;
  ASSIGN_OR_RETURN(p.A, r.residue(2 * kPaillierBits, "A"));
  ASSIGN_OR_RETURN(p.Bx, r.point());  // rejects O
  ASSIGN_OR_RETURN(p.E, r.residue(kPaillierBits, "E"));
  ASSIGN_OR_RETURN(p.S, r.residue(kPaillierBits, "S"));
  ASSIGN_OR_RETURN(p.z1, r.integer(kZ1Bits));
  ASSIGN_OR_RETURN(p.z2, r.integer(z2_max_bits(kPaillierBits)));
  ASSIGN_OR_RETURN(p.w, r.residue(kPaillierBits, "w"));
  RETURN_IF_ERROR(r.finish());
  return p;
}

}  // namespace custos::zk
