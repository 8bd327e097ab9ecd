// Shamir secret sharing, Feldman commitments and Lagrange coefficients over
// Z_q (CGGMP21 threshold keygen; notes §3.1, §4). Party indices are the
// evaluation points: non-zero and pairwise distinct mod q.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/point.h"
#include "crypto/scalar.h"
#include "crypto/status.h"

namespace custos {

class Rng;

// f(X) = a_0 + a_1 X + ... + a_deg X^deg. Coefficients are secret.
class Polynomial {
 public:
  // Random polynomial of degree `degree` with the given constant term.
  static Polynomial random(Rng& rng, size_t degree, const Scalar& constant);
  Scalar evaluate(const Scalar& x) const;
  // Feldman commitment vector (a_k·G)_{k=0..deg}.
  std::vector<Point> commitments() const;
  size_t degree() const { return coeffs_.size() - 1; }
  const Scalar& coefficient(size_t k) const { return coeffs_[k]; }

 private:
  std::vector<Scalar> coeffs_;
};

// Σ_k x^k·F_k, the public image f(x)·G.
Point feldman_evaluate(std::span<const Point> commitments, const Scalar& x);
// share·G == Σ_k x^k·F_k.
bool feldman_verify(std::span<const Point> commitments, const Scalar& x, const Scalar& share);

// λ_i = Π_{j∈S, j≠i} x_j / (x_j − x_i) mod q: interpolation at 0.
// Fails if `i` is not in S, an index is zero, or two indices are equal.
Result<Scalar> lagrange_at_zero(std::span<const Scalar> set, const Scalar& i);

// Checks that indices are non-zero and pairwise distinct (mod q, since they are Scalars).
Status check_indices(std::span<const Scalar> set);

}  // namespace custos
