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

TEST_CASE("sign: the session keeps no reference to the presignature, so k_i and χ_i die with the caller's copy",
          "[sign][wipe]") {
  uint64_t seed = testing::test_seed(23);
  INFO("seed=" << seed);
  auto keys = sim::setup_keys(2, 2, sim::test_paillier_keys(), seed);
  auto pre = sim::run_presign(keys, {1, 2}, seed);
  for (auto& [p, a] : pre.aborts) FAIL("presign abort at " << p << ": " << a.to_string());
  REQUIRE(pre.outputs.size() == 2);
  const Digest32 digest = sha256(as_bytes("wipe the presignature"));
  DeterministicRng rng(seed);
  std::map<protocol::PartyIndex, protocol::Session<cggmp21::SignOutput>> sessions;
  for (protocol::PartyIndex p : {1u, 2u}) {
    auto ps = std::make_shared<const cggmp21::Presignature>(pre.outputs.at(p));
    std::weak_ptr<const cggmp21::Presignature> watch = ps;
    cggmp21::SignConfig cfg{sim::session_id_for("sign", seed), keys.at(p).share, std::move(ps), digest, Scalar()};
    auto s = cggmp21::make_sign_session(cfg, rng);
    REQUIRE(s.ok());
    cfg.presignature.reset();
    CHECK(watch.expired());  // only the session could still hold it
    sessions.emplace(p, std::move(s).value());
  }
  // The session still signs and verifies with nothing but the public parts.
  for (auto& [p, s] : sessions) {
    for (const protocol::Message& m : s.take_outgoing()) REQUIRE(sessions.at(p == 1 ? 2 : 1).handle(m, rng).ok());
  }
  for (auto& [p, s] : sessions) {
    INFO("party " << p);
    REQUIRE(s.output().has_value());
    CHECK(ecdsa_verify(keys.at(1).share->public_key, digest, s.output()->signature));
  }
}
