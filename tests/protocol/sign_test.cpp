#include <catch2/catch.hpp>

#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "sim/harness.h"
#include "tests/test_support.h"

using namespace custos;

TEST_CASE("presign + sign (2,3): signature verifies with libsecp256k1 and OpenSSL", "[sign]") {
  uint64_t seed = testing::test_seed(21);
  INFO("seed=" << seed);
  auto keys = sim::setup_keys(2, 3, sim::test_paillier_keys(), seed);
  auto pre = sim::run_presign(keys, {1, 3}, seed);
  for (auto& [p, a] : pre.aborts) FAIL("presign abort at " << p << ": " << a.to_string());
  REQUIRE(pre.outputs.size() == 2);
  CHECK(pre.outputs.at(1).R == pre.outputs.at(3).R);
  Digest32 digest = sha256(as_bytes("hello custos"));
  auto sig = sim::run_sign(keys, pre.outputs, digest, Scalar(), seed);
  for (auto& [p, a] : sig.aborts) FAIL("sign abort at " << p << ": " << a.to_string());
  REQUIRE(sig.outputs.size() == 2);
  const auto& out = sig.outputs.at(1);
  CHECK(out.public_key == keys.at(1).share->public_key);
  CHECK(ecdsa_verify(out.public_key, digest, out.signature));
  CHECK(ecdsa_verify_openssl(out.public_key, digest, out.signature));
  CHECK(!out.signature.s.is_high());
}
