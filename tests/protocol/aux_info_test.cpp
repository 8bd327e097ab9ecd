#include <catch2/catch.hpp>

#include "crypto/vss.h"
#include "sim/harness.h"
#include "tests/test_support.h"

using namespace custos;

TEST_CASE("aux-info: every party learns everyone's validated parameters", "[aux]") {
  std::vector<protocol::PartyIndex> parties{1, 2, 3};
  auto& keys = sim::test_paillier_keys();
  auto res = sim::run_aux_info(parties, keys, testing::test_seed(7));
  for (auto& [p, a] : res.aborts) FAIL("party " << p << ": " << a.to_string());
  REQUIRE(res.outputs.size() == 3);
  for (auto& [p, out] : res.outputs) {
    CHECK(out.aux.parties.size() == 3);
    CHECK(out.aux.epoch == res.outputs.at(1).aux.epoch);
    for (size_t k = 0; k < parties.size(); ++k) CHECK(out.aux.parties.at(parties[k]).paillier.n() == keys[k]->n());
  }
}

TEST_CASE("refresh: new shares, same public key, old and new shares do not mix", "[refresh]") {
  auto kg = sim::run_keygen(2, 3, testing::test_seed(8));
  REQUIRE(kg.outputs.size() == 3);
  std::vector<protocol::PartyIndex> parties{1, 2, 3};
  sim::PaillierKeys keys(sim::test_paillier_keys().begin() + 3, sim::test_paillier_keys().begin() + 6);
  auto res = sim::run_aux_info(parties, keys, testing::test_seed(9), &kg.outputs);
  for (auto& [p, a] : res.aborts) FAIL("party " << p << ": " << a.to_string());
  REQUIRE(res.outputs.size() == 3);
  std::vector<Scalar> idx{Scalar::from_u64(1), Scalar::from_u64(2)};
  auto l1 = *lagrange_at_zero(idx, idx[0]);
  auto l2 = *lagrange_at_zero(idx, idx[1]);
  const auto& n1 = *res.outputs.at(1).share;
  const auto& n2 = *res.outputs.at(2).share;
  CHECK(n1.public_key == kg.outputs.at(1).public_key);
  CHECK(!(n1.secret_share == kg.outputs.at(1).secret_share));
  CHECK(Point::base_mul(l1 * n1.secret_share + l2 * n2.secret_share) == n1.public_key);
  // Mixing an old share with a new one no longer gives the key.
  CHECK(!(Point::base_mul(l1 * kg.outputs.at(1).secret_share + l2 * n2.secret_share) == n1.public_key));
  CHECK(!(n1.epoch == kg.outputs.at(1).epoch));
}
