// Shared by the node storage tests: a temporary directory removed at the end,
// real CGGMP21 key material made once per process with the checked-in test
// Paillier keys, and helpers to open stores and poke at their SQLite files.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "crypto/hash.h"
#include "crypto/ring_pedersen.h"
#include "node/storage/node_store.h"
#include "node/storage/sqlite_db.h"
#include "sim/harness.h"
#include "sim/key_pool.h"
#include "tests/test_support.h"

namespace custos::testing {

using protocol::PartyIndex;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "custos-store-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Key material of party 1 of a (2, 3) key, made fast enough to rebuild in
// every test process (ctest runs each TEST_CASE in its own process): the
// shares come from the test-only trusted dealer and the aux info from the
// checked-in test Paillier keys with fresh ring-Pedersen parameters, skipping
// keygen and aux-info proofs (they are not what these tests are about). The
// presignature is built to pass the format's consistency check (Γ·k = Δ_self);
// real_presignature() runs the actual presigning protocol for the tests that
// want a protocol output.
struct Material {
  std::map<PartyIndex, sim::PartyKey> keys;
  cggmp21::Presignature presig;  // party 1's, signers {1, 2}
  const cggmp21::KeyShare& share() const { return *keys.at(1).share; }
  const cggmp21::AuxInfo& aux() const { return *keys.at(1).aux; }
  const Digest32& key_id() const { return keys.at(1).share->key_id; }
};

inline const Material& material() {
  static const Material m = [] {
    Material out;
    DeterministicRng rng(4242, "custos/test/node-store");
    std::array<uint8_t, 32> chain{};
    rng.fill(chain);
    auto shares = sim::deal_key_shares(Scalar::random_nonzero(rng), chain, 2, 3, rng);
    const auto& paillier = sim::test_paillier_keys();
    if (paillier.size() < 3) std::abort();
    std::map<PartyIndex, cggmp21::PartyAux> publics;
    std::map<PartyIndex, std::shared_ptr<const RingPedersenSecret>> rps;
    for (PartyIndex j = 1; j <= 3; ++j) {
      auto rp = std::make_shared<const RingPedersenSecret>(RingPedersenSecret::generate(rng, *paillier[j - 1]));
      publics.emplace(j, cggmp21::PartyAux{paillier[j - 1]->public_key(), rp->params()});
      rps.emplace(j, rp);
    }
    Digest32 aux_epoch = sha256(as_bytes("custos/test/aux-epoch"));
    for (PartyIndex j = 1; j <= 3; ++j) {
      cggmp21::AuxInfo aux;
      aux.epoch = aux_epoch;
      aux.self = j;
      aux.paillier = paillier[j - 1];
      aux.ring_pedersen = rps.at(j);
      aux.parties = publics;
      out.keys[j] = sim::PartyKey{std::make_shared<const cggmp21::KeyShare>(shares.at(j)),
                                  std::make_shared<const cggmp21::AuxInfo>(std::move(aux))};
    }
    cggmp21::Presignature& p = out.presig;
    p.id = sha256(as_bytes("custos/test/presig/base"));
    p.key_id = shares.at(1).key_id;
    p.key_epoch = shares.at(1).epoch;
    p.aux_epoch = aux_epoch;
    p.signers = {1, 2};
    p.self = 1;
    p.k = Scalar::random_nonzero(rng);
    p.chi = Scalar::random_nonzero(rng);
    p.gamma = Point::base_mul(Scalar::random_nonzero(rng));
    p.R = Point::base_mul(Scalar::random_nonzero(rng));
    p.deltas[1] = p.gamma.mul(p.k);
    p.deltas[2] = Point::base_mul(Scalar::random_nonzero(rng));
    p.s[1] = Point::base_mul(Scalar::random_nonzero(rng));
    p.s[2] = Point::base_mul(Scalar::random_nonzero(rng));
    return out;
  }();
  return m;
}

// Every signer's output of a real presigning run of {1, 2} over material()'s keys.
inline std::map<PartyIndex, cggmp21::Presignature> real_presignatures() {
  auto pre = sim::run_presign(material().keys, {1, 2}, 4242);
  REQUIRE(pre.outputs.size() == 2);
  return pre.outputs;
}

// The real presignature under another id (storage treats ids as opaque; the
// presignature format checks only its internal consistency).
inline cggmp21::Presignature presig_with_id(uint64_t n) {
  cggmp21::Presignature p = material().presig;
  std::string label = "custos/test/presig/" + std::to_string(n);
  p.id = sha256(as_bytes(label));
  return p;
}

inline Digest32 digest_of(const std::string& s) { return sha256(as_bytes(s)); }

// Fast scrypt for tests that are not about the cost (N = 2^10).
inline node::ScryptParams fast_scrypt() { return node::ScryptParams{10, 8, 1}; }

inline node::KekSource passphrase_kek(const std::string& pass, node::ScryptParams p = fast_scrypt()) {
  return node::KekSource::from_passphrase(SecretBytes(as_bytes(pass)), p);
}

// A fresh 0600 key file in `dir`.
inline std::string make_key_file(const TempDir& dir, const std::string& name = "kek.key") {
  std::string path = dir.file(name);
  Status s = node::create_key_file(path);
  if (!s.ok()) std::abort();
  return path;
}

inline node::NodeStoreOptions create_opts() {
  node::NodeStoreOptions o;
  o.create = true;
  return o;
}

// Opens (creating) a store protected by `key_file`; fails the test otherwise.
inline std::unique_ptr<node::NodeStore> open_store(const std::string& db, const std::string& key_file) {
  auto s = node::NodeStore::open(db, node::KekSource::from_key_file(key_file), create_opts());
  INFO(s.status());
  REQUIRE(s.ok());
  return std::move(s).value();
}

// A store holding the material's key share and aux info, ready for presignatures.
inline std::unique_ptr<node::NodeStore> open_store_with_key(const std::string& db, const std::string& key_file) {
  auto st = open_store(db, key_file);
  if (!st->get_key_share(material().key_id()).ok()) {
    REQUIRE(st->put_key_share(material().share(), 1000).ok());
    REQUIRE(st->put_aux_info(material().key_id(), material().aux(), 1000).ok());
  }
  return st;
}

// A raw SQLite connection for tampering and inspection.
inline std::unique_ptr<node::SqliteDb> raw_db(const std::string& path) {
  node::SqliteOpenOptions o;
  o.create = false;
  auto db = node::SqliteDb::open(path, o);
  REQUIRE(db.ok());
  return std::move(db).value();
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace custos::testing
