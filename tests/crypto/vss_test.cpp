// Shamir / Feldman / Lagrange: exhaustive subset checks for small (t, n).
#include <functional>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/point.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "crypto/vss.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

// Calls f on every k-subset of {0..n-1} (as index vectors).
void for_each_subset(size_t n, size_t k, const std::function<void(const std::vector<size_t>&)>& f) {
  std::vector<size_t> idx(k);
  std::function<void(size_t, size_t)> rec = [&](size_t start, size_t depth) {
    if (depth == k) {
      f(idx);
      return;
    }
    for (size_t i = start; i + (k - depth) <= n; ++i) {
      idx[depth] = i;
      rec(i + 1, depth + 1);
    }
  };
  rec(0, 0);
}

Scalar interpolate_at_zero(const std::vector<Scalar>& xs, const std::vector<Scalar>& ys) {
  Scalar acc;
  for (size_t i = 0; i < xs.size(); ++i) {
    auto l = lagrange_at_zero(xs, xs[i]);
    REQUIRE(l.ok());
    acc += *l * ys[i];
  }
  return acc;
}

}  // namespace

TEST_CASE("vss: every (t+1)-subset interpolates the secret, every t-subset does not", "[vss]") {
  CUSTOS_SEEDED_RNG(rng, 1801);
  for (size_t t = 1; t <= 5; ++t) {
    for (size_t n = t + 1; n <= 7; ++n) {
      for (bool random_indices : {false, true}) {
        INFO("t = " << t << ", n = " << n << ", random indices " << random_indices);
        Scalar secret = Scalar::random(rng);
        Polynomial f = Polynomial::random(rng, t, secret);
        REQUIRE(f.degree() == t);
        CHECK(f.coefficient(0) == secret);
        CHECK(f.evaluate(Scalar()) == secret);
        std::vector<Scalar> xs(n), ys(n);
        for (size_t i = 0; i < n; ++i) {
          xs[i] = random_indices ? Scalar::random_nonzero(rng) : Scalar::from_u64(i + 1);
          ys[i] = f.evaluate(xs[i]);
        }
        REQUIRE(check_indices(xs).ok());
        size_t checked = 0;
        for (size_t k = t + 1; k <= n; ++k) {
          for_each_subset(n, k, [&](const std::vector<size_t>& sub) {
            std::vector<Scalar> sx, sy;
            for (size_t i : sub) {
              sx.push_back(xs[i]);
              sy.push_back(ys[i]);
            }
            CHECK(interpolate_at_zero(sx, sy) == secret);
            // The Lagrange coefficients at 0 sum to 1 (used by TA-style tweaking, notes §4).
            Scalar lsum;
            for (const Scalar& x : sx) lsum += *lagrange_at_zero(sx, x);
            CHECK(lsum == Scalar::from_u64(1));
            ++checked;
          });
        }
        CHECK(checked > 0);
        for_each_subset(n, t, [&](const std::vector<size_t>& sub) {
          std::vector<Scalar> sx, sy;
          for (size_t i : sub) {
            sx.push_back(xs[i]);
            sy.push_back(ys[i]);
          }
          // t points of a degree-t polynomial say nothing about f(0): a different value w.o.p.
          CHECK_FALSE(interpolate_at_zero(sx, sy) == secret);
        });
      }
    }
  }
}

TEST_CASE("vss: Feldman verification", "[vss]") {
  CUSTOS_SEEDED_RNG(rng, 1802);
  for (size_t t = 1; t <= 5; ++t) {
    Scalar secret = Scalar::random(rng);
    Polynomial f = Polynomial::random(rng, t, secret);
    std::vector<Point> comms = f.commitments();
    REQUIRE(comms.size() == t + 1);
    CHECK(comms[0] == Point::base_mul(secret));
    for (size_t k = 0; k <= t; ++k) CHECK(comms[k] == Point::base_mul(f.coefficient(k)));
    for (uint64_t i = 1; i <= 7; ++i) {
      Scalar x = Scalar::from_u64(i);
      Scalar share = f.evaluate(x);
      INFO("t = " << t << ", i = " << i);
      CHECK(feldman_verify(comms, x, share));
      CHECK(feldman_evaluate(comms, x) == Point::base_mul(share));
      CHECK_FALSE(feldman_verify(comms, x, share + Scalar::from_u64(1)));
      CHECK_FALSE(feldman_verify(comms, x, -share));
      CHECK_FALSE(feldman_verify(comms, x + Scalar::from_u64(1), share));  // share for another index
      // A tampered commitment vector rejects honest shares.
      std::vector<Point> bad = comms;
      bad[t] = bad[t] + Point::generator();
      CHECK_FALSE(feldman_verify(bad, x, share));
    }
    // Evaluation at 0 is the public key.
    CHECK(feldman_evaluate(comms, Scalar()) == Point::base_mul(secret));
  }
}

TEST_CASE("vss: polynomial evaluation against the naive sum", "[vss]") {
  CUSTOS_SEEDED_RNG(rng, 1803);
  Polynomial f = Polynomial::random(rng, 4, Scalar::from_u64(9));
  for (int i = 0; i < 10; ++i) {
    Scalar x = Scalar::random(rng);
    Scalar expect, xp = Scalar::from_u64(1);
    for (size_t k = 0; k <= f.degree(); ++k) {
      expect += f.coefficient(k) * xp;
      xp *= x;
    }
    CHECK(f.evaluate(x) == expect);
  }
  Polynomial c = Polynomial::random(rng, 0, Scalar::from_u64(5));
  CHECK(c.degree() == 0);
  CHECK(c.evaluate(Scalar::random(rng)) == Scalar::from_u64(5));
}

TEST_CASE("vss: check_indices and lagrange_at_zero rejections", "[vss]") {
  std::vector<Scalar> good = {Scalar::from_u64(1), Scalar::from_u64(2), Scalar::from_u64(3)};
  CHECK(check_indices(good).ok());
  CHECK(check_indices({}).ok());
  std::vector<Scalar> with_zero = {Scalar::from_u64(1), Scalar(), Scalar::from_u64(3)};
  CHECK(check_indices(with_zero).code() == Code::kInvalidArgument);
  std::vector<Scalar> dup = {Scalar::from_u64(1), Scalar::from_u64(2), Scalar::from_u64(1)};
  CHECK(check_indices(dup).code() == Code::kInvalidArgument);
  // Equal mod q: 1 and q + 1 as integers are the same index.
  std::vector<Scalar> dup_mod_q = {Scalar::from_u64(1), Scalar::from_bigint(Scalar::order() + BigInt(1))};
  CHECK_FALSE(check_indices(dup_mod_q).ok());
  std::vector<Scalar> zero_mod_q = {Scalar::from_bigint(Scalar::order())};
  CHECK_FALSE(check_indices(zero_mod_q).ok());

  CHECK(lagrange_at_zero(good, Scalar::from_u64(2)).ok());
  CHECK_FALSE(lagrange_at_zero(good, Scalar::from_u64(4)).ok());  // not in the set
  CHECK_FALSE(lagrange_at_zero(with_zero, Scalar::from_u64(1)).ok());
  CHECK_FALSE(lagrange_at_zero(dup, Scalar::from_u64(2)).ok());
  // Known values for S = {1, 2, 3}: λ1 = 3, λ2 = -3, λ3 = 1.
  CHECK(*lagrange_at_zero(good, Scalar::from_u64(1)) == Scalar::from_u64(3));
  CHECK(*lagrange_at_zero(good, Scalar::from_u64(2)) == -Scalar::from_u64(3));
  CHECK(*lagrange_at_zero(good, Scalar::from_u64(3)) == Scalar::from_u64(1));
  // A singleton set has λ = 1.
  std::vector<Scalar> one = {Scalar::from_u64(7)};
  CHECK(*lagrange_at_zero(one, Scalar::from_u64(7)) == Scalar::from_u64(1));
}
