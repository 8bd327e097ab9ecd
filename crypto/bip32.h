// BIP-32 non-hardened public derivation for a threshold key (notes §4).
//
// The group key X has no single owner, so only public (CKDpub) derivation is
// possible: every child is X' = X + tweak·G with tweak = parse256(I_L) and
// I = HMAC-SHA512(c, ser_P(X) || ser32(i)). Over a path the tweaks add up, so a
// signer set applies the SUM of tweaks once (see notes §4 for who adds it).
//
// Hardened indices (>= 2^31) need the private key and are always rejected.
//
// Invalid children. BIP-32 says that when parse256(I_L) >= q or the child is
// the point at infinity, the index is invalid and "one should proceed with the
// next value for i". derive_child() reports this case — and only this case —
// with Code::kOutOfRange (test with is_bip32_invalid_child()), so a caller
// that picks indices can skip to i+1. derive_path() does NOT skip silently
// (that would change which key a path names): it returns the same
// kOutOfRange error, with the failing index in the message. No other function
// here returns kOutOfRange. Other failures: kInvalidArgument for a hardened
// index (derive_*, parse_path), a depth overflow, an identity parent, or an
// xprv given to from_xpub; kMalformed for bad path syntax and bad xpub
// encodings. The invalid-child case has probability about 2^-127 per index,
// so it is never expected in practice (no known test vector reaches it).
// A tweak of zero is a valid BIP-32 child (child = parent) and is accepted.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/point.h"
#include "crypto/scalar.h"
#include "crypto/status.h"

namespace custos {

inline constexpr uint32_t kBip32HardenedBit = 0x80000000u;
// Mainnet public version bytes ("xpub").
inline constexpr uint32_t kXpubVersion = 0x0488B21Eu;
// Mainnet private version bytes ("xprv"), recognised only to reject them clearly.
inline constexpr uint32_t kXprvVersion = 0x0488ADE4u;

struct ExtendedPublicKey {
  Point key;                                // must not be O
  std::array<uint8_t, 32> chain_code{};
  uint8_t depth = 0;
  uint32_t parent_fingerprint = 0;
  uint32_t child_number = 0;

  friend bool operator==(const ExtendedPublicKey& a, const ExtendedPublicKey& b) {
    return a.key == b.key && a.chain_code == b.chain_code && a.depth == b.depth &&
           a.parent_fingerprint == b.parent_fingerprint && a.child_number == b.child_number;
  }
};

// A derived node and the total tweak from the root: root.key + tweak·G == xpub.key.
struct DerivedKey {
  ExtendedPublicKey xpub;
  Scalar tweak;
};

// RIPEMD160(SHA256(data)).
std::array<uint8_t, 20> hash160(std::span<const uint8_t> data);
// BIP-32 key fingerprint: the first 4 bytes (big-endian) of HASH160(ser_P(P)). P must not be O.
uint32_t key_fingerprint(const Point& p);

// True for the "invalid child, proceed with the next index" outcome of derive_child/derive_path.
inline bool is_bip32_invalid_child(const Status& s) { return s.code() == Code::kOutOfRange; }

// CKDpub: the child at a non-hardened `index` and its tweak parse256(I_L).
Result<std::pair<ExtendedPublicKey, Scalar>> derive_child(const ExtendedPublicKey& parent, uint32_t index);
// Derives along `path` (all non-hardened); the tweak is the sum of the per-step tweaks mod q.
Result<DerivedKey> derive_path(const ExtendedPublicKey& root, std::span<const uint32_t> path);
// Parses "m" or "m/0/1/2" (decimal components < 2^31). Hardened components
// ("0'", "0h", "0H") and anything else are rejected.
Result<std::vector<uint32_t>> parse_path(std::string_view path);

// Base58Check xpub serialization (BIP-32 "Serialization format", mainnet version).
std::string to_xpub(const ExtendedPublicKey& xpub);
// Strict parse: Base58 alphabet, checksum, 78-byte payload, xpub version, a valid
// compressed point, and depth 0 only with zero parent fingerprint and child number.
Result<ExtendedPublicKey> from_xpub(std::string_view s);

// Plain Base58 (Bitcoin alphabet) and Base58Check (payload || SHA256d(payload)[0..4]).
std::string base58_encode(std::span<const uint8_t> data);
Result<std::vector<uint8_t>> base58_decode(std::string_view s);
std::string base58check_encode(std::span<const uint8_t> payload);
Result<std::vector<uint8_t>> base58check_decode(std::string_view s);

}  // namespace custos
