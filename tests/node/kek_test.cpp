#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include "node/storage/kek.h"
#include "tests/node/store_fixture.h"

using namespace custos;
using namespace custos::node;
using testing::contains;

TEST_CASE("key file: created 0600 with 32 bytes, group/other access refused and explained", "[storage][kek]") {
  testing::TempDir dir;
  std::string path = testing::make_key_file(dir);
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size == 32);
  auto k = read_key_file(path);
  REQUIRE(k.ok());
  CHECK(k->size() == 32);
  // Creating over an existing file is refused (never overwrite a KEK).
  CHECK_FALSE(create_key_file(path).ok());

  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  auto r = read_key_file(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kFailedPrecondition);
  CHECK(contains(r.status().message(), "accessible by group or others"));
  CHECK(contains(r.status().message(), "mode 0644"));
  CHECK(contains(r.status().message(), "chmod 600"));
  // Opening a store with it is refused the same way.
  auto s = NodeStore::open(dir.file("a.db"), KekSource::from_key_file(path), testing::create_opts());
  REQUIRE_FALSE(s.ok());
  CHECK(contains(s.status().message(), "mode 0644"));

  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  CHECK_FALSE(read_key_file(path).ok());
  REQUIRE(::chmod(path.c_str(), 0400) == 0);
  CHECK(read_key_file(path).ok());
}

TEST_CASE("key file: wrong length, missing file and directories are refused", "[storage][kek]") {
  testing::TempDir dir;
  std::string path = dir.file("short.key");
  {
    std::ofstream f(path, std::ios::binary);
    f << "0123456789abcdef0123456789abcdef\n";  // 33 bytes: hex text is not a raw key
  }
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  auto r = read_key_file(path);
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.status().message(), "exactly 32 bytes"));
  CHECK(contains(r.status().message(), "33"));
  CHECK(read_key_file(dir.file("missing.key")).status().code() == Code::kNotFound);
  std::string sub = dir.file("subdir");
  REQUIRE(::mkdir(sub.c_str(), 0700) == 0);
  CHECK_FALSE(read_key_file(sub).ok());
}

TEST_CASE("KEK record: encode/decode round trip and validation of stored parameters", "[storage][kek]") {
  auto fresh = setup_kek(testing::passphrase_kek("correct horse"));
  REQUIRE(fresh.ok());
  CHECK(fresh->record.kind == KekKind::kPassphrase);
  CHECK(fresh->record.salt.size() == kScryptSaltBytes);
  auto bytes = fresh->record.encode();
  auto back = KekRecord::decode(bytes);
  REQUIRE(back.ok());
  CHECK(back->salt == fresh->record.salt);
  CHECK(back->check == fresh->record.check);
  CHECK(back->scrypt.log2_n == 10);
  auto kek = unlock_kek(testing::passphrase_kek("correct horse"), *back, "x.db");
  REQUIRE(kek.ok());
  CHECK(std::equal(kek->expose().begin(), kek->expose().end(), fresh->kek.expose().begin()));

  // Parameters read from disk are untrusted: out-of-range costs are refused.
  KekRecord bad = *back;
  bad.scrypt.log2_n = 40;
  CHECK(KekRecord::decode(bad.encode()).status().code() == Code::kOutOfRange);
  bad = *back;
  bad.scrypt.r = 0;
  CHECK_FALSE(KekRecord::decode(bad.encode()).ok());
  bad = *back;
  bad.salt.resize(8);
  CHECK_FALSE(KekRecord::decode(bad.encode()).ok());
  // Truncated or extended encodings are refused.
  CHECK_FALSE(KekRecord::decode(std::span<const uint8_t>(bytes.data(), bytes.size() - 1)).ok());
  auto longer = bytes;
  longer.push_back(0);
  CHECK_FALSE(KekRecord::decode(longer).ok());
  // Altered parameters make the key check fail as a wrong key, not as garbage.
  bad = *back;
  bad.scrypt.log2_n = 11;
  auto w = unlock_kek(testing::passphrase_kek("correct horse"), bad, "x.db");
  REQUIRE_FALSE(w.ok());
  CHECK(w.status().message() == "wrong key-encryption key for x.db");
}

TEST_CASE("scrypt: default parameters (N=2^15, r=8, p=1) derive deterministically", "[storage][kek]") {
  ScryptParams def;
  CHECK(def.log2_n == 15);
  CHECK(def.r == 8);
  CHECK(def.p == 1);
  std::vector<uint8_t> salt(16, 7);
  SecretBytes pass(as_bytes("passphrase"));
  auto t0 = std::chrono::steady_clock::now();
  auto a = derive_kek_scrypt(pass, salt, def);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  auto b = derive_kek_scrypt(pass, salt, def);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  WARN("scrypt N=2^15 r=8 p=1 took " << ms << " ms");
  CHECK(std::equal(a->expose().begin(), a->expose().end(), b->expose().begin()));
  std::vector<uint8_t> salt2(16, 8);
  auto c = derive_kek_scrypt(pass, salt2, def);
  REQUIRE(c.ok());
  CHECK_FALSE(std::equal(a->expose().begin(), a->expose().end(), c->expose().begin()));
  CHECK(derive_kek_scrypt(SecretBytes(), salt, def).status().code() == Code::kInvalidArgument);
  CHECK_FALSE(derive_kek_scrypt(pass, std::vector<uint8_t>(15), def).ok());
}

TEST_CASE("store: wrong key file or passphrase gives the clear error", "[storage][kek]") {
  testing::TempDir dir;
  std::string key1 = testing::make_key_file(dir, "one.key");
  std::string key2 = testing::make_key_file(dir, "two.key");
  std::string db_file = dir.file("file.db");
  {
    auto s = testing::open_store(db_file, key1);
    REQUIRE(s->put_key_share(testing::material().share(), 1).ok());
  }
  auto wrong = NodeStore::open(db_file, KekSource::from_key_file(key2));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == Code::kVerifyFailed);
  CHECK(wrong.status().message() == "wrong key-encryption key for " + db_file);
  // The right key still opens it and reads the share.
  auto right = NodeStore::open(db_file, KekSource::from_key_file(key1));
  REQUIRE(right.ok());
  CHECK((*right)->get_key_share(testing::material().key_id()).ok());
  // A passphrase for a key-file database is refused by kind.
  auto kind = NodeStore::open(db_file, testing::passphrase_kek("x"));
  REQUIRE_FALSE(kind.ok());
  CHECK(contains(kind.status().message(), "protected by a key file key-encryption key, but a passphrase was given"));

  std::string db_pass = dir.file("pass.db");
  {
    auto s = NodeStore::open(db_pass, testing::passphrase_kek("open sesame"), testing::create_opts());
    REQUIRE(s.ok());
    REQUIRE((*s)->put_key_share(testing::material().share(), 1).ok());
  }
  auto wp = NodeStore::open(db_pass, testing::passphrase_kek("open sesame!"));
  REQUIRE_FALSE(wp.ok());
  CHECK(wp.status().message() == "wrong key-encryption key for " + db_pass);
  // The stored parameters are used, not the ones passed for a new database.
  auto rp = NodeStore::open(db_pass, testing::passphrase_kek("open sesame", ScryptParams{12, 8, 1}));
  REQUIRE(rp.ok());
  auto share = (*rp)->get_key_share(testing::material().key_id());
  REQUIRE(share.ok());
  CHECK(share->secret_share == testing::material().share().secret_share);
}
