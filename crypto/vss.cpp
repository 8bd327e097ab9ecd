#include "crypto/vss.h"

#include "crypto/rng.h"

namespace custos {

Polynomial Polynomial::random(Rng& rng, size_t degree, const Scalar& constant) {
  Polynomial p;
  p.coeffs_.push_back(constant);
  for (size_t k = 1; k <= degree; ++k) p.coeffs_.push_back(Scalar::random(rng));
  return p;
}

Scalar Polynomial::evaluate(const Scalar& x) const {
  Scalar acc;
  for (size_t k = coeffs_.size(); k-- > 0;) acc = acc * x + coeffs_[k];
  return acc;
}

std::vector<Point> Polynomial::commitments() const {
  std::vector<Point> out;
  out.reserve(coeffs_.size());
  for (const Scalar& c : coeffs_) out.push_back(Point::base_mul(c));
  return out;
}

Point feldman_evaluate(std::span<const Point> commitments, const Scalar& x) {
  // Horner over points: ((F_d·x + F_{d-1})·x + ...) + F_0.
  Point acc;
  for (size_t k = commitments.size(); k-- > 0;) acc = acc.mul_vartime(x) + commitments[k];  // public values
  return acc;
}

bool feldman_verify(std::span<const Point> commitments, const Scalar& x, const Scalar& share) {
  return Point::base_mul(share) == feldman_evaluate(commitments, x);
}

Status check_indices(std::span<const Scalar> set) {
  for (size_t a = 0; a < set.size(); ++a) {
    if (set[a].is_zero()) return invalid_argument("party index is zero mod q");
    for (size_t b = a + 1; b < set.size(); ++b) {
      if (set[a] == set[b]) return invalid_argument("two party indices are equal mod q");
    }
  }
  return ok_status();
}

Result<Scalar> lagrange_at_zero(std::span<const Scalar> set, const Scalar& i) {
  RETURN_IF_ERROR(check_indices(set));
  bool found = false;
  Scalar num = Scalar::from_u64(1), den = Scalar::from_u64(1);
  for (const Scalar& j : set) {
    if (j == i) {
      found = true;
      continue;
    }
    num *= j;
    den *= (j - i);
  }
  if (!found) return invalid_argument("index is not in the signer set");
  ASSIGN_OR_RETURN(Scalar inv, den.inverse());
  return num * inv;
}

}  // namespace custos
