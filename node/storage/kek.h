// The key-encryption key (KEK) that seals a node's secrets at rest (DESIGN §7).
// Two sources:
//   * a key file holding exactly 32 random bytes, which must not be accessible
//     by group or others (mode 0600 or 0400), or
//   * a passphrase stretched with scrypt (OpenSSL EVP_KDF "SCRYPT"); the salt
//     and cost parameters live in the database next to the data they protect.
// A key-check value (an AES-GCM seal of a fixed label, bound to the KEK
// parameters) lets opening a database with the wrong key file or passphrase
// fail at once with "wrong key-encryption key for <db path>", instead of
// failing later on every record.
//
// This file knows nothing about SQLite: NodeStore stores the KekRecord.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace custos::node {

inline constexpr size_t kKekBytes = 32;
inline constexpr size_t kScryptSaltBytes = 16;

struct ScryptParams {
  uint8_t log2_n = 15;  // N = 2^15: about 32 MiB and ~0.1 s per unlock
  uint32_t r = 8;
  uint32_t p = 1;
};

// Accepted ranges (also applied to parameters read back from a database, which
// are untrusted): log2_n 10..22, r 1..32, p 1..16, 128·r·N at most 1 GiB.
Status validate_scrypt_params(const ScryptParams& params);

enum class KekKind : uint8_t { kKeyFile = 1, kPassphrase = 2 };

const char* kek_kind_name(KekKind kind);

// What the operator supplies when opening a store.
struct KekSource {
  KekKind kind = KekKind::kKeyFile;
  std::string key_file;   // kKeyFile
  SecretBytes passphrase; // kPassphrase (UTF-8 bytes, non-empty)
  ScryptParams scrypt;    // used only when a new database is set up

  static KekSource from_key_file(std::string path);
  static KekSource from_passphrase(SecretBytes passphrase, ScryptParams params = {});
};

// Reads a 32-byte key file. Refuses a file that group or others can access
// (naming its mode and the chmod that fixes it), a non-regular file, and a
// file of any other length.
Result<SecretBytes> read_key_file(const std::string& path);

// Creates `path` (which must not exist) with mode 0600 and 32 bytes from the OS RNG.
Status create_key_file(const std::string& path);

// scrypt(passphrase, salt) -> 32 bytes.
Result<SecretBytes> derive_kek_scrypt(const SecretBytes& passphrase, std::span<const uint8_t> salt,
                                      const ScryptParams& params);

// What a database stores about its KEK: the kind, the scrypt salt and
// parameters (passphrase only) and the key-check value.
struct KekRecord {
  KekKind kind = KekKind::kKeyFile;
  ScryptParams scrypt;
  std::vector<uint8_t> salt;   // kScryptSaltBytes for a passphrase, empty for a key file
  std::vector<uint8_t> check;  // sealed key-check label

  std::vector<uint8_t> encode() const;
  // Validates everything (kind, parameter ranges, salt length): the bytes come from disk.
  static Result<KekRecord> decode(std::span<const uint8_t> bytes);
};

// A KEK for a new database: derives the key from `source` (fresh random salt
// for a passphrase) and makes the record with its key-check value.
struct NewKek {
  SecretBytes kek;
  KekRecord record;
};
Result<NewKek> setup_kek(const KekSource& source);

// The KEK for an existing database: derives it from `source` with the stored
// parameters and verifies the key-check value. A mismatch of kind or of the
// check gives an error naming `db_path`.
Result<SecretBytes> unlock_kek(const KekSource& source, const KekRecord& record, const std::string& db_path);

}  // namespace custos::node
