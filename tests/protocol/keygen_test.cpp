#include <catch2/catch.hpp>

#include "crypto/vss.h"
#include "sim/harness.h"
#include "tests/test_support.h"

using namespace custos;

TEST_CASE("keygen: every party agrees and t shares reconstruct the key", "[keygen]") {
  auto [t, n] = GENERATE(table<uint32_t, uint32_t>({{1, 1}, {2, 2}, {2, 3}, {3, 5}, {4, 7}}));
  uint64_t seed = testing::test_seed(100 + t * 10 + n);
  INFO("t=" << t << " n=" << n << " seed=" << seed);
  auto res = sim::run_keygen(t, n, seed);
  REQUIRE(res.aborts.empty());
  REQUIRE(res.outputs.size() == n);
  const auto& first = res.outputs.begin()->second;
  for (auto& [p, s] : res.outputs) {
    CHECK(s.public_key == first.public_key);
    CHECK(s.rid == first.rid);
    CHECK(s.chain_code == first.chain_code);
    CHECK(Point::base_mul(s.secret_share) == s.public_share(p));
  }
  // Interpolating any t shares gives the secret key.
  std::vector<Scalar> idx;
  for (uint32_t i = 1; i <= t; ++i) idx.push_back(Scalar::from_u64(i));
  Scalar x;
  for (uint32_t i = 1; i <= t; ++i) x += *lagrange_at_zero(idx, Scalar::from_u64(i)) * res.outputs.at(i).secret_share;
  CHECK(Point::base_mul(x) == first.public_key);
}
