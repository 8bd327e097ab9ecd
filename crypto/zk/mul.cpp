// Πmul, CGGMP21 (2021) Fig 29 (notes §2). Prover:
//   α ← ±2^(ℓ+ε) (erratum: the figure's "α ← Z*_N" leaks e·x through z; TA PR #12), r, s ← Z*_N
//   A = (α ⊙ Y) ⊕ enc_N(0; r) = Y^α·r^N,  B = enc_N(α; s);  e ← ±q (Fiat–Shamir)
//   z = α + e·x,  u = r·ρ^e mod N,  v = s·ρx^e mod N.
// Verifier: X, Y, C, A, B ∈ Z*_{N²}; u, v ∈ Z*_N; z ∈ ±2^(ℓ+ε) (not in the paper, see below); then
//   (z ⊙ Y) ⊕ enc_N(0; u) = A ⊕ (e ⊙ C)   and   enc_N(z; v) = B ⊕ (e ⊙ X).
#include "crypto/zk/mul.h"

#include <tuple>

#include "crypto/codec.h"
#include "crypto/sec_int.h"
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"

namespace custos::zk {
namespace {

constexpr unsigned kZBits = kEll + kEpsilon + 1;  // 2^(ℓ+ε) itself has ℓ+ε+1 bits

BigInt challenge(const ProofContext& ctx, const MulStatement& st, const MulProof& p) {
  Transcript t = ctx.transcript("cggmp21/mul");
  t.append_int("N", st.N.n()).append_int("X", st.X).append_int("Y", st.Y).append_int("C", st.C);
  t.append_int("A", p.A).append_int("B", p.B);
  return t.stream("challenge").signed_below_q();
}

}  // namespace

MulProof mul_prove(const ProofContext& ctx, const MulStatement& stmt, const MulWitness& wit, Rng& rng,
                   const PaillierSecretKey* prover_key) {
  if (prover_key != nullptr && !(prover_key->public_key() == stmt.N)) prover_key = nullptr;
  const PaillierPublicKey& N = stmt.N;

  BigInt alpha = BigInt::random_symmetric(rng, pow2(kEll + kEpsilon));
  // r, s uniform in Z*_N; with our own key each is sampled together with its N-th power.
  BigInt r, s, r_n;
  MulProof p;
  if (prover_key) {
    std::tie(r, r_n) = prover_key->random_rho_and_power(rng);
    p.A = N.add_secret(secops::scale_secret(N, prover_key, stmt.Y, alpha), r_n);
    p.B = prover_key->encrypt_fresh(alpha, rng, &s);
  } else {
    r = BigInt::random_unit(rng, N.n());
    s = BigInt::random_unit(rng, N.n());
    r_n = modexp::pow_sec(r, N.n(), N.n2());
    p.A = N.add_secret(secops::scale_secret(N, nullptr, stmt.Y, alpha), r_n);
    p.B = secops::encrypt_secret(N, nullptr, alpha, s);
  }

  secops::publish(p.A, p.B);
  BigInt e = challenge(ctx, stmt, p);
  p.z = secint::response(alpha, e, wit.x);
  p.u = secops::mask_nonce(r, wit.rho, e, N, prover_key, rng);
  p.v = secops::mask_nonce(s, wit.rho_x, e, N, prover_key, rng);
  return p;
}

Status mul_verify(const ProofContext& ctx, const MulStatement& stmt, const MulProof& proof) {
  const PaillierPublicKey& N = stmt.N;
  if (!N.is_ciphertext(stmt.X)) return out_of_range("Πmul: X is not a unit mod N²");
  if (!N.is_ciphertext(stmt.Y)) return out_of_range("Πmul: Y is not a unit mod N²");
  if (!N.is_ciphertext(stmt.C)) return out_of_range("Πmul: C is not a unit mod N²");
  if (!N.is_ciphertext(proof.A)) return out_of_range("Πmul: A is not a unit mod N²");
  if (!N.is_ciphertext(proof.B)) return out_of_range("Πmul: B is not a unit mod N²");
  if (!N.is_unit(proof.u)) return out_of_range("Πmul: u is not a unit mod N");
  if (!N.is_unit(proof.v)) return out_of_range("Πmul: v is not a unit mod N");
  // Not in Fig 29 (soundness holds mod N without it): an honest z is in ±2^(ℓ+ε) except with
  // probability ≈ 2^-256, so rejecting anything larger costs nothing and bounds the work.
  if (!proof.z.in_symmetric_range(pow2(kEll + kEpsilon))) return verify_failed("Πmul: z outside ±2^(ℓ+ε)");

  BigInt e = challenge(ctx, stmt, proof);

  BigInt lhs = N.add(N.scale(stmt.Y, proof.z), N.rho_pow_n(proof.u));
  if (lhs != N.add(proof.A, N.scale(stmt.C, e))) return verify_failed("Πmul: (z ⊙ Y) ⊕ enc(0; u) ≠ A ⊕ (e ⊙ C)");
  if (N.encrypt(proof.z, proof.v) != N.add(proof.B, N.scale(stmt.X, e))) {
    return verify_failed("Πmul: enc(z; v) ≠ B ⊕ (e ⊙ X)");
  }
  return ok_status();
}

Status mul_check_witness(const MulStatement& stmt, const MulWitness& wit) {
  const PaillierPublicKey& N = stmt.N;
  if (!wit.x.in_symmetric_range(pow2(kEll))) return invalid_argument("Πmul witness: x outside ±2^ℓ");
  if (!N.is_unit(wit.rho) || !N.is_unit(wit.rho_x)) return invalid_argument("Πmul witness: a nonce is not a unit");
  if (!N.is_ciphertext(stmt.Y)) return invalid_argument("Πmul statement: Y is not a unit mod N²");
  if (secops::encrypt_secret(N, nullptr, wit.x, wit.rho_x) != stmt.X) {
    return invalid_argument("Πmul witness: X ≠ enc(x; ρx)");
  }
  BigInt c = N.add(secops::scale_secret(N, nullptr, stmt.Y, wit.x), BigInt::powm_sec(wit.rho, N.n(), N.n2()));
  if (c != stmt.C) return invalid_argument("Πmul witness: C ≠ (x ⊙ Y) ⊕ enc(0; ρ)");
  return ok_status();
}

std::vector<uint8_t> encode(const MulProof& p) {
  Writer w;
  w.integer(p.A).integer(p.B).integer(p.z).integer(p.u).integer(p.v);
  return w.take();
}

Result<MulProof> decode_mul_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πmul proof");
  MulProof p;
  ASSIGN_OR_RETURN(p.A, r.residue(2 * kPaillierBits, "A"));
  ASSIGN_OR_RETURN(p.B, r.residue(2 * kPaillierBits, "B"));
  ASSIGN_OR_RETURN(p.z, r.integer(kZBits));
  ASSIGN_OR_RETURN(p.u, r.residue(kPaillierBits, "u"));
  ASSIGN_OR_RETURN(p.v, r.residue(kPaillierBits, "v"));
  RETURN_IF_ERROR(r.finish());
  return p;
}

}  // namespace custos::zk
