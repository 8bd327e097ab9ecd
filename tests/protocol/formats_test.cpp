// Versioned key-share, aux-info and presignature formats: exact round trips,
// and every malformed blob refused with an error (never a crash).
#include <catch2/catch.hpp>

#include "protocol/cggmp21/key_share.h"
#include "protocol/cggmp21/presign.h"
#include "sim/harness.h"
#include "tests/test_support.h"

using namespace custos;

namespace {
std::vector<uint8_t> bytes_of(const SecretBytes& s) { return {s.expose().begin(), s.expose().end()}; }

template <class Decode>
void check_rejects_damage(const std::vector<uint8_t>& good, Decode decode) {
  CHECK_FALSE(decode(std::vector<uint8_t>{}).ok());
  for (size_t cut : {size_t{1}, size_t{10}, good.size() / 2, good.size() - 1}) {
    std::vector<uint8_t> t(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK_FALSE(decode(t).ok());
  }
  auto trailing = good;
  trailing.push_back(0);
  CHECK_FALSE(decode(trailing).ok());
  auto bad_magic = good;
  bad_magic[5] ^= 1;
  CHECK_FALSE(decode(bad_magic).ok());
}
}  // namespace

TEST_CASE("key share, aux info and presignature formats round-trip and reject damage", "[formats]") {
  uint64_t seed = testing::test_seed(41);
  auto keys = sim::setup_keys(2, 3, sim::test_paillier_keys(), seed);
  const cggmp21::KeyShare& ks = *keys.at(2).share;

  auto ks_bytes = bytes_of(cggmp21::serialize_key_share(ks));
  auto ks2 = cggmp21::deserialize_key_share(ks_bytes);
  REQUIRE(ks2.ok());
  CHECK(ks2->secret_share == ks.secret_share);
  CHECK(ks2->public_key == ks.public_key);
  CHECK(ks2->parties == ks.parties);
  CHECK(ks2->epoch == ks.epoch);
  CHECK(bytes_of(cggmp21::serialize_key_share(*ks2)) == ks_bytes);
  check_rejects_damage(ks_bytes, [](const std::vector<uint8_t>& b) { return cggmp21::deserialize_key_share(b); });
  // A secret share that does not match its public share is refused.
  cggmp21::KeyShare wrong = ks;
  wrong.secret_share += Scalar::from_u64(1);
  CHECK_FALSE(cggmp21::deserialize_key_share(bytes_of(cggmp21::serialize_key_share(wrong))).ok());

  const cggmp21::AuxInfo& aux = *keys.at(2).aux;
  auto aux_bytes = bytes_of(cggmp21::serialize_aux_info(aux));
  auto aux2 = cggmp21::deserialize_aux_info(aux_bytes);
  REQUIRE(aux2.ok());
  CHECK(aux2->paillier->n() == aux.paillier->n());
  CHECK(aux2->ring_pedersen->params() == aux.ring_pedersen->params());
  CHECK(aux2->parties.size() == aux.parties.size());
  CHECK(bytes_of(cggmp21::serialize_aux_info(*aux2)) == aux_bytes);
  check_rejects_damage(aux_bytes, [](const std::vector<uint8_t>& b) { return cggmp21::deserialize_aux_info(b); });

  auto pre = sim::run_presign(keys, {1, 2}, seed);
  REQUIRE(pre.outputs.size() == 2);
  const cggmp21::Presignature& ps = pre.outputs.at(2);
  auto ps_bytes = bytes_of(cggmp21::serialize_presignature(ps));
  auto ps2 = cggmp21::deserialize_presignature(ps_bytes);
  REQUIRE(ps2.ok());
  CHECK(ps2->R == ps.R);
  CHECK(ps2->k == ps.k);
  CHECK(ps2->chi == ps.chi);
  CHECK(ps2->id == ps.id);
  CHECK(bytes_of(cggmp21::serialize_presignature(*ps2)) == ps_bytes);
  check_rejects_damage(ps_bytes, [](const std::vector<uint8_t>& b) { return cggmp21::deserialize_presignature(b); });
}

TEST_CASE("secrets print as <redacted>", "[formats]") {
  SecretBytes s(std::vector<uint8_t>{1, 2, 3});
  std::ostringstream os;
  os << s;
  CHECK(os.str() == "<redacted>");
}
