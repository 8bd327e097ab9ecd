// AES-256-GCM sealing of records at rest (DESIGN §7). Blob layout:
//   version (1 byte, = 1) || nonce (12) || ciphertext || tag (16)
// The nonce is drawn from the OS RNG for every seal (never from an injected,
// possibly deterministic RNG: a repeated nonce under one key would reveal the
// XOR of two plaintexts and allow forgeries). The additional authenticated
// data binds the blob to its row — table, record kind, key id, the row's own
// identifier (epoch, presignature id) and the plaintext format version — so a
// ciphertext copied into another row, or relabelled as another kind, does not
// open.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace custos::node {

inline constexpr uint8_t kSealedBoxVersion = 1;
inline constexpr size_t kSealedKeyBytes = 32;
inline constexpr size_t kSealedNonceBytes = 12;
inline constexpr size_t kSealedTagBytes = 16;
inline constexpr size_t kSealedOverhead = 1 + kSealedNonceBytes + kSealedTagBytes;

// Where a sealed record lives. All fields go into the AAD.
struct RecordBinding {
  std::string_view table;        // e.g. "key_shares"
  std::string_view kind;         // e.g. "key_share"
  std::span<const uint8_t> key_id;
  std::span<const uint8_t> row;  // the row's own identifier (may be empty)
  uint32_t format_version = 1;   // version of the plaintext format

  // "key_shares row (key 0123abcd…)" for error messages; never includes secrets.
  std::string describe() const;
};

// Seals `plaintext` under the 32-byte `key`. Fails only if OpenSSL fails.
Result<std::vector<uint8_t>> seal(const SecretBytes& key, const RecordBinding& where,
                                  std::span<const uint8_t> plaintext);

// Opens a blob made by seal() for the same binding. Errors say what is wrong:
// truncated (kMalformed), unknown version (kMalformed), or failed
// authentication (kVerifyFailed: tampered, moved from another row, or sealed
// under another key).
Result<SecretBytes> open_sealed(const SecretBytes& key, const RecordBinding& where, std::span<const uint8_t> blob);

// First 8 bytes of an identifier in hex plus "…", for messages.
std::string short_hex(std::span<const uint8_t> id);

}  // namespace custos::node
