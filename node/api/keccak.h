// Keccak-256 as Ethereum uses it (issue 4, client API addresses).
//
// Ethereum fixed its hash before FIPS 202 changed the padding, so its
// "Keccak-256" is NOT SHA3-256: both use Keccak-f[1600] with rate 1088 bits
// (136 bytes), but Keccak pads with the domain byte 0x01 where SHA-3 uses 0x06.
// OpenSSL 3.0 exposes only the SHA-3 variant, hence this small implementation.
// Everything here works on public data (addresses), so nothing is constant time.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace custos::node {

// Keccak-256 with the original Keccak padding (pad10*1 after a 0x01 byte).
std::array<uint8_t, 32> keccak256(std::span<const uint8_t> data);

// FIPS 202 SHA3-256: the same sponge with the domain byte 0x06. Exists so the
// tests can cross-check the permutation and the absorbing against OpenSSL.
std::array<uint8_t, 32> sha3_256(std::span<const uint8_t> data);

}  // namespace custos::node
