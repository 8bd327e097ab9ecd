// Πsch, CGGMP21 (2021) Fig 22: A = α·G, e = H(sid, i, rid, X, A), z = α + e·x mod q;
// the verifier checks z·G = A + e·X.
#include "crypto/zk/sch.h"

#include "crypto/codec.h"
#include "crypto/zk/sec_ops.h"

namespace custos::zk {

// The extra bytes (e.g. rid) are length-framed by the transcript, so they cannot bleed into X or A.
Scalar sch_challenge(const ProofContext& ctx, const Point& X, const Point& A, std::span<const uint8_t> extra) {
  Transcript t = ctx.transcript("cggmp21/sch");
  t.append("extra", extra);
  t.append_point("X", X);
  t.append_point("A", A);
  return t.stream("challenge").scalar();
}

SchCommitment sch_commit(Rng& rng) {
  SchCommitment c;
  // α ≠ 0 so that A ≠ O (the verifier rejects A = O); the bias is 1/q.
  c.alpha = Scalar::random_nonzero(rng);
  c.A = Point::base_mul(c.alpha);
  return c;
}

SchProof sch_prove(const ProofContext& ctx, const Point& X, const SchCommitment& commitment, const Scalar& x,
                   std::span<const uint8_t> extra) {
  Scalar e = sch_challenge(ctx, X, commitment.A, extra);
  SchProof proof{commitment.A, commitment.alpha + e * x};
  secops::publish(proof.z);  // the response: sent to the verifiers (crypto/ct.h)
  return proof;
}

SchProof sch_prove_direct(const ProofContext& ctx, const Point& X, const Scalar& x, std::span<const uint8_t> extra,
                          Rng& rng) {
  SchCommitment c = sch_commit(rng);
  return sch_prove(ctx, X, c, x, extra);
}

Status sch_verify(const ProofContext& ctx, const Point& X, const SchProof& proof, std::span<const uint8_t> extra) {
  // Points held in a Point are on the curve (decode validates); O is the only invalid value left.
  if (X.is_identity()) return out_of_range("Πsch: X is the identity");
  if (proof.A.is_identity()) return out_of_range("Πsch: A is the identity");
  // z < q holds by construction of Scalar (decode rejects z ≥ q). z = 0 is rejected
  // as TA does: an honest z is 0 with probability 1/q.
  if (proof.z.is_zero()) return out_of_range("Πsch: z is zero");
  Scalar e = sch_challenge(ctx, X, proof.A, extra);
  if (!(Point::base_mul(proof.z) == proof.A + X.mul_vartime(e))) return verify_failed("Πsch: z·G ≠ A + e·X");
  return ok_status();
}

std::vector<uint8_t> encode(const SchProof& proof) {
  Writer w;
  w.point(proof.A).scalar(proof.z);
  return w.take();
}

Result<SchProof> decode_sch_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πsch proof");
  SchProof p;
  ASSIGN_OR_RETURN(p.A, r.point());   // rejects O, off-curve, x ≥ p
  ASSIGN_OR_RETURN(p.z, r.scalar());  // rejects z ≥ q
  RETURN_IF_ERROR(r.finish());
  return p;
}

}  // namespace custos::zk
