// Node identity key files: created 0600 and never overwritten; loading derives
// the same public keys that were returned at generation.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "config/identity.h"
#include "config/validate.h"
#include "tests/config/config_test_util.h"

namespace custos::config {
namespace {

using testing::TempDir;

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

TEST_CASE("identity: generate writes 0600 files and load derives the same public keys", "[config][identity]") {
  TempDir dir;
  const IdentityFiles files{(dir.path() / "curve.key").string(), (dir.path() / "ed25519.key").string()};
  auto pub = generate_node_identity(files);
  REQUIRE(pub.ok());
  CHECK(mode_of(files.curve_secret_key_file) == 0600);
  CHECK(mode_of(files.ed25519_secret_key_file) == 0600);
  CHECK(std::filesystem::file_size(files.curve_secret_key_file) == 32);
  CHECK(std::filesystem::file_size(files.ed25519_secret_key_file) == 32);
  // The public keys are valid by the config's own rules.
  CHECK(std::holds_alternative<Key32>(parse_curve_public_key(curve_key_to_z85(pub->curve_public_key))));
  CHECK(std::holds_alternative<Key32>(parse_ed25519_public_key(hex32(pub->ed25519_public_key))));

  auto loaded = load_node_identity(files);
  REQUIRE(loaded.ok());
  CHECK(loaded->public_keys.curve_public_key == pub->curve_public_key);
  CHECK(loaded->public_keys.ed25519_public_key == pub->ed25519_public_key);
  CHECK(loaded->curve_secret_key.size() == 32);

  // A second identity is different (keys come from an RNG).
  TempDir dir2;
  auto pub2 = generate_node_identity({(dir2.path() / "c").string(), (dir2.path() / "e").string()});
  REQUIRE(pub2.ok());
  CHECK(pub2->curve_public_key != pub->curve_public_key);
  CHECK(pub2->ed25519_public_key != pub->ed25519_public_key);
}

TEST_CASE("identity: existing files are never overwritten", "[config][identity]") {
  TempDir dir;
  const IdentityFiles files{(dir.path() / "curve.key").string(), (dir.path() / "ed25519.key").string()};
  REQUIRE(generate_node_identity(files).ok());
  const std::string before = testing::read_text(files.curve_secret_key_file);
  auto again = generate_node_identity(files);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().message().find("refusing to overwrite") != std::string::npos);
  CHECK(testing::read_text(files.curve_secret_key_file) == before);

  // If only the second file exists, the first one written is removed again so a retry can succeed.
  TempDir dir2;
  const IdentityFiles half{(dir2.path() / "curve.key").string(), (dir2.path() / "ed25519.key").string()};
  testing::write_text(half.ed25519_secret_key_file, "x");
  REQUIRE_FALSE(generate_node_identity(half).ok());
  CHECK_FALSE(std::filesystem::exists(half.curve_secret_key_file));
}

TEST_CASE("identity: key files readable by others or of the wrong size are refused", "[config][identity]") {
  TempDir dir;
  const IdentityFiles files{(dir.path() / "curve.key").string(), (dir.path() / "ed25519.key").string()};
  REQUIRE(generate_node_identity(files).ok());
  REQUIRE(::chmod(files.ed25519_secret_key_file.c_str(), 0644) == 0);
  auto r = load_node_identity(files);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("mode 0644") != std::string::npos);
  CHECK(r.status().message().find("chmod 600") != std::string::npos);

  const std::string short_key = (dir.path() / "short.key").string();
  REQUIRE(write_secret_file(short_key, std::vector<uint8_t>(31, 7)).ok());
  auto s = read_secret_key_file(short_key);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("31 bytes") != std::string::npos);
  CHECK(read_secret_key_file((dir.path() / "absent.key").string()).status().code() == Code::kNotFound);
}

}  // namespace
}  // namespace custos::config
