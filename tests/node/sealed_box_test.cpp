#include <catch2/catch.hpp>

#include "crypto/rng.h"
#include "node/storage/sealed_box.h"
#include "tests/node/store_fixture.h"

using namespace custos;
using namespace custos::node;

namespace {

SecretBytes key_from(uint64_t seed) {
  SecretBytes k(32);
  DeterministicRng(seed).fill(k.expose_mut());
  return k;
}

const Digest32 kKeyA = testing::digest_of("key A");
const Digest32 kKeyB = testing::digest_of("key B");
const Digest32 kRow1 = testing::digest_of("row 1");
const Digest32 kRow2 = testing::digest_of("row 2");

}  // namespace

TEST_CASE("sealed box: round trip, fresh nonce per seal", "[storage][sealed_box]") {
  SecretBytes key = key_from(1);
  const std::vector<uint8_t> msg = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  RecordBinding where{"key_shares", "key_share", kKeyA, kRow1, 1};
  auto a = seal(key, where, msg);
  auto b = seal(key, where, msg);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->size() == msg.size() + kSealedOverhead);
  CHECK((*a)[0] == kSealedBoxVersion);
  CHECK(*a != *b);  // random nonce: the same record never seals to the same bytes
  auto opened = open_sealed(key, where, *a);
  REQUIRE(opened.ok());
  CHECK(std::vector<uint8_t>(opened->expose().begin(), opened->expose().end()) == msg);
  // An empty record round-trips too.
  auto e = seal(key, where, {});
  REQUIRE(e.ok());
  auto eo = open_sealed(key, where, *e);
  REQUIRE(eo.ok());
  CHECK(eo->empty());
}

TEST_CASE("sealed box: every binding field and every byte is authenticated", "[storage][sealed_box]") {
  SecretBytes key = key_from(2);
  const std::vector<uint8_t> msg(100, 0x5a);
  RecordBinding where{"key_shares", "key_share", kKeyA, kRow1, 1};
  auto blob = seal(key, where, msg);
  REQUIRE(blob.ok());

  // Moving the ciphertext to another row, key, table, kind or format version fails.
  const RecordBinding others[] = {
      {"key_shares", "key_share", kKeyA, kRow2, 1},  {"key_shares", "key_share", kKeyB, kRow1, 1},
      {"aux_infos", "key_share", kKeyA, kRow1, 1},   {"key_shares", "aux_info", kKeyA, kRow1, 1},
      {"key_shares", "key_share", kKeyA, kRow1, 2},
  };
  for (const auto& other : others) {
    auto r = open_sealed(key, other, *blob);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kVerifyFailed);
    CHECK(testing::contains(r.status().message(), "does not authenticate"));
  }
  // Another key fails the same way.
  CHECK(open_sealed(key_from(3), where, *blob).status().code() == Code::kVerifyFailed);

  // Every single-bit flip after the version byte fails authentication.
  for (size_t i = 1; i < blob->size(); ++i) {
    auto bad = *blob;
    bad[i] ^= static_cast<uint8_t>(1u << (i % 8));
    auto r = open_sealed(key, where, bad);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.status().code() == Code::kVerifyFailed);
  }
  // An unknown version is named as such.
  auto v2 = *blob;
  v2[0] = 2;
  auto rv = open_sealed(key, where, v2);
  REQUIRE_FALSE(rv.ok());
  CHECK(rv.status().code() == Code::kMalformed);
  CHECK(testing::contains(rv.status().message(), "version 2"));
  // Truncation: below the minimum it is "truncated"; above it, authentication fails.
  for (size_t len : {size_t{0}, size_t{1}, kSealedOverhead - 1}) {
    auto r = open_sealed(key, where, std::span<const uint8_t>(blob->data(), len));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kMalformed);
    CHECK(testing::contains(r.status().message(), "truncated"));
  }
  auto r = open_sealed(key, where, std::span<const uint8_t>(blob->data(), blob->size() - 1));
  CHECK(r.status().code() == Code::kVerifyFailed);
  // Messages name the record but never contain its bytes.
  CHECK(testing::contains(r.status().message(), "key_shares key_share record"));
}

TEST_CASE("sealed box: refuses keys that are not 32 bytes", "[storage][sealed_box]") {
  SecretBytes short_key(16);
  RecordBinding where{"t", "k", {}, {}, 1};
  CHECK(seal(short_key, where, std::vector<uint8_t>{1}).status().code() == Code::kInvalidArgument);
  CHECK(open_sealed(short_key, where, std::vector<uint8_t>(40)).status().code() == Code::kInvalidArgument);
}
