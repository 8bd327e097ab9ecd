// End-to-end threshold signing over the (t, n) grid of the issue: keygen,
// aux-info, presign with random t-subsets, sign random messages, and verify
// every signature with libsecp256k1 and with OpenSSL.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "protocol/cggmp21/derivation.h"
#include "sim/harness.h"
#include "tests/test_support.h"

using namespace custos;
using protocol::PartyIndex;

namespace {
std::vector<PartyIndex> random_subset(uint32_t n, uint32_t t, std::mt19937_64& g) {
  std::vector<PartyIndex> all;
  for (uint32_t i = 1; i <= n; ++i) all.push_back(i);
  std::shuffle(all.begin(), all.end(), g);
  all.resize(t);
  std::sort(all.begin(), all.end());
  return all;
}

void sign_and_check(const std::map<PartyIndex, sim::PartyKey>& keys, const std::vector<PartyIndex>& signers,
                    uint64_t seed, const Scalar& tweak, const Point& expected_key) {
  auto pre = sim::run_presign(keys, signers, seed, sim::SchedulerOptions{seed, true, 0.1});
  for (auto& [p, a] : pre.aborts) FAIL("presign abort at " << p << ": " << a.to_string());
  REQUIRE(pre.outputs.size() == signers.size());
  DeterministicRng msg_rng(seed, "message");
  Digest32 digest;
  msg_rng.fill(digest);
  auto sig = sim::run_sign(keys, pre.outputs, digest, tweak, seed, sim::SchedulerOptions{seed, true, 0.1});
  for (auto& [p, a] : sig.aborts) FAIL("sign abort at " << p << ": " << a.to_string());
  REQUIRE(sig.outputs.size() == signers.size());
  for (auto& [p, out] : sig.outputs) {
    CHECK(out.public_key == expected_key);
    CHECK(out.signature.compact() == sig.outputs.begin()->second.signature.compact());
  }
  const auto& s = sig.outputs.begin()->second.signature;
  CHECK_FALSE(s.s.is_high());
  CHECK(ecdsa_verify(expected_key, digest, s));
  CHECK(ecdsa_verify_openssl(expected_key, digest, s));
}
}  // namespace

TEST_CASE("threshold grid: any t-subset signs, t-1 cannot", "[grid][slow]") {
  auto [t, n] = GENERATE(table<uint32_t, uint32_t>({{1, 1}, {2, 2}, {2, 3}, {3, 5}, {4, 7}}));
  uint64_t seed = testing::test_seed(1000 + 10 * t + n);
  INFO("t=" << t << " n=" << n << " seed=" << seed << " (replay with CUSTOS_TEST_SEED)");
  auto keys = sim::setup_keys(t, n, sim::test_paillier_keys(), seed);
  const Point& X = keys.at(1).share->public_key;
  std::mt19937_64 g(seed);
  for (uint64_t round = 0; round < 2; ++round) {
    auto signers = random_subset(n, t, g);
    sign_and_check(keys, signers, seed * 31 + round, Scalar(), X);
  }
  if (t > 1) {
    // t-1 signers: the presign configuration is refused outright.
    auto signers = random_subset(n, t - 1, g);
    cggmp21::PresignConfig cfg{Digest32{}, keys.at(signers[0]).share, keys.at(signers[0]).aux, signers};
    CHECK_FALSE(cggmp21::check_presign_config(cfg).ok());
  }
}

TEST_CASE("signing under a BIP-32 child verifies under the derived key", "[grid][bip32]") {
  uint64_t seed = testing::test_seed(77);
  auto keys = sim::setup_keys(2, 3, sim::test_paillier_keys(), seed);
  cggmp21::DerivationCache cache;
  std::vector<uint32_t> path{0, 7, 42};
  auto d = cache.derive(*keys.at(1).share, path);
  REQUIRE(d.ok());
  CHECK(cache.size() == 3);  // m/0/7/42 and its parents m/0/7 and m/0
  CHECK(cache.derive(*keys.at(2).share, path)->xpub.key == d->xpub.key);  // cached, same key id
  CHECK(cache.size() == 3);
  CHECK(keys.at(1).share->public_key + Point::base_mul(d->tweak) == d->xpub.key);
  sign_and_check(keys, {1, 3}, seed, d->tweak, d->xpub.key);
}

TEST_CASE("threshold signing matches the BIP-32 test vector 1 public derivation", "[bip32]") {
  // BIP-32 test vector 1, chain m/0H: its private key and chain code, shared by a
  // test-only dealer among 3 parties (t = 2); signing under m/0H/1 must verify
  // under the xpub the BIP lists for m/0H/1.
  auto sk = Scalar::from_bytes(BigInt::from_hex("edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea")
                                   .to_bytes_padded(32));
  REQUIRE(sk.ok());
  std::array<uint8_t, 32> chain{};
  auto cc = BigInt::from_hex("47fdacbd0f1097043b78c63c20c34ef4ed9a111d980047ad16282c7ae6236141").to_bytes_padded(32);
  std::copy(cc.begin(), cc.end(), chain.begin());
  DeterministicRng rng(5);
  auto shares = sim::deal_key_shares(*sk, chain, 2, 3, rng);
  ExtendedPublicKey root = cggmp21::root_xpub(shares.at(1));
  root.depth = 1;
  root.parent_fingerprint = 0x3442193e;
  root.child_number = 0x80000000;
  REQUIRE(to_xpub(root) ==
          "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw");
  auto expected = from_xpub(
      "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ");
  REQUIRE(expected.ok());
  cggmp21::DerivationCache cache;
  std::vector<uint32_t> path{1};
  auto d = cache.derive(shares.at(1), path);
  REQUIRE(d.ok());
  CHECK(d->xpub.key == expected->key);
  CHECK(d->xpub.chain_code == expected->chain_code);

  std::vector<protocol::PartyIndex> parties{1, 2, 3};
  auto aux = sim::run_aux_info(parties, sim::test_paillier_keys(), 6);
  REQUIRE(aux.outputs.size() == 3);
  std::map<PartyIndex, sim::PartyKey> keys;
  for (PartyIndex p : parties) {
    keys[p] = sim::PartyKey{std::make_shared<const cggmp21::KeyShare>(shares.at(p)),
                            std::make_shared<const cggmp21::AuxInfo>(aux.outputs.at(p).aux)};
  }
  sign_and_check(keys, {2, 3}, 9, d->tweak, expected->key);
}

TEST_CASE("derivation rejects hardened indices", "[bip32]") {
  auto kg = sim::run_keygen(1, 1, 3);
  REQUIRE(kg.outputs.size() == 1);
  cggmp21::DerivationCache cache;
  std::vector<uint32_t> hardened{0x80000000u};
  CHECK_FALSE(cache.derive(kg.outputs.at(1), hardened).ok());
}

TEST_CASE("the derivation cache derives through cached parents and agrees with derive_path", "[bip32]") {
  auto kg = sim::run_keygen(1, 1, 4);
  REQUIRE(kg.outputs.size() == 1);
  const cggmp21::KeyShare& share = kg.outputs.at(1);
  const ExtendedPublicKey root = cggmp21::root_xpub(share);
  // Capacity 8 for 16 paths (root to depth 4, two accounts): entries are evicted along the way, parents too.
  cggmp21::DerivationCache cache(8);
  std::vector<std::vector<uint32_t>> paths{{}, {0}};
  for (uint32_t account : {0u, 7u}) {
    for (uint32_t i = 0; i < 6; ++i) paths.push_back({account, i});
    paths.push_back({account, 1, 2, 3});
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& path : paths) {
      auto cached = cache.derive(share, path);
      auto direct = derive_path(root, path);
      REQUIRE(cached.ok());
      REQUIRE(direct.ok());
      CHECK(cached->xpub.key == direct->xpub.key);
      CHECK(cached->xpub.chain_code == direct->xpub.chain_code);
      CHECK(cached->xpub.depth == direct->xpub.depth);
      CHECK(cached->xpub.parent_fingerprint == direct->xpub.parent_fingerprint);
      CHECK(cached->xpub.child_number == direct->xpub.child_number);
      CHECK(cached->tweak == direct->tweak);
      CHECK(cached->xpub.key == share.public_key + Point::base_mul(cached->tweak));
    }
  }
  CHECK(cache.size() <= 8);
  // A hardened component deep in the path is named by its position, as derive_path names it.
  std::vector<uint32_t> bad{3, 0x80000001u};
  auto refused = cache.derive(share, bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() == derive_path(root, bad).status().message());
}
