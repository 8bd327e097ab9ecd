// Addresses of a (derived) public key, for the client API (issue 4): the
// address a client funds must be computed by the node from the group key, so
// the encodings live here, next to the API, and are pinned by published vectors.
//
// All inputs are public. A Point is already a validated curve point; the only
// invalid key is the identity O, for which every *_address function returns the
// empty string (there is no address of O, and the API never derives one: BIP-32
// rejects O children).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/point.h"
#include "crypto/status.h"

namespace custos::node {

// BIP-173 native segwit v0 pay-to-witness-pubkey-hash: bech32 of
// [0, hash160(compressed key) as 5-bit groups] with hrp "bc" (mainnet) or "tb" (testnet).
std::string bitcoin_p2wpkh_address(const Point& pubkey, bool mainnet = true);

// Legacy pay-to-pubkey-hash: base58check(version || hash160(compressed key)),
// version 0x00 (mainnet, "1...") or 0x6f (testnet, "m..."/"n...").
std::string bitcoin_p2pkh_address(const Point& pubkey, bool mainnet = true);

// "0x" + EIP-55 mixed-case hex of the last 20 bytes of Keccak-256(x || y),
// x and y the 32-byte big-endian affine coordinates.
std::string ethereum_address(const Point& pubkey);

// EIP-55: given 40 hex digits (either case, no "0x"), returns them with each
// letter upper-cased iff the matching nibble of Keccak-256(lowercase hex as
// ASCII) is >= 8. kInvalidArgument for a wrong length or a non-hex character.
Result<std::string> eip55_checksum(std::string_view hex40);

// BIP-173 bech32 of `hrp` (1..83 printable ASCII, no upper case) and `data5`
// (values < 32), checksum appended; the total may not exceed 90 characters.
// kInvalidArgument otherwise. Exposed for the BIP-173 checksum vectors.
Result<std::string> bech32_encode(std::string_view hrp, std::span<const uint8_t> data5);

}  // namespace custos::node
