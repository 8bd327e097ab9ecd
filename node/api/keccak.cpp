// Keccak-f[1600] and the 256-bit sponge (see keccak.h). Follows the FIPS 202
// description; the step mappings are commented by their Greek names there.
#include "node/api/keccak.h"

namespace custos::node {
namespace {

// ι step: round constants RC[i] (FIPS 202 §3.2.5, precomputed).
constexpr std::array<uint64_t, 24> kRoundConstants = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

// ρ and π combined: walking the lanes in π order starting from lane 1, each
// lane moves to kPiLane[i] and is rotated by kRhoOffset[i]. Lane index = x + 5y.
constexpr std::array<int, 24> kRhoOffset = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                            27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
constexpr std::array<int, 24> kPiLane = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                         15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

constexpr size_t kRateBytes = 136;  // 1600 − 2·256 bits of capacity, in bytes

using State = std::array<uint64_t, 25>;

// Callers only pass 1..63 (the ρ offsets and θ's 1), so neither shift is by 64.
constexpr uint64_t rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

void keccak_f1600(State& a) {
  for (uint64_t rc : kRoundConstants) {
    // θ: xor every lane with the parities of the two neighbouring columns.
    std::array<uint64_t, 5> c{};
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    // ρ (rotate each lane) and π (permute lane positions) in one cycle.
    uint64_t carried = a[1];
    for (size_t i = 0; i < 24; ++i) {
      uint64_t next = a[kPiLane[i]];
      a[kPiLane[i]] = rotl(carried, kRhoOffset[i]);
      carried = next;
    }
    // χ: the only non-linear step, row by row.
    for (int y = 0; y < 25; y += 5) {
      std::array<uint64_t, 5> row{a[y], a[y + 1], a[y + 2], a[y + 3], a[y + 4]};
      for (int x = 0; x < 5; ++x) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    // ι: break the symmetry between rounds.
    a[0] ^= rc;
  }
}

// XORs one rate-sized block into the state (lanes are little-endian) and permutes.
void absorb_block(State& a, std::span<const uint8_t, kRateBytes> block) {
  for (size_t i = 0; i < kRateBytes; ++i) a[i / 8] ^= uint64_t{block[i]} << (8 * (i % 8));
  keccak_f1600(a);
}

std::array<uint8_t, 32> sponge256(std::span<const uint8_t> data, uint8_t domain) {
  State a{};
  while (data.size() >= kRateBytes) {
    absorb_block(a, data.first<kRateBytes>());
    data = data.subspan(kRateBytes);
  }
  // Last (possibly empty) partial block: domain bits right after the message,
  // then the final 1 bit of pad10*1 in the block's last byte (they may coincide
  // when the message leaves exactly one free byte, hence xor, not assignment).
  std::array<uint8_t, kRateBytes> last{};
  for (size_t i = 0; i < data.size(); ++i) last[i] = data[i];
  last[data.size()] ^= domain;
  last[kRateBytes - 1] ^= 0x80;
  absorb_block(a, last);
  // 32 output bytes fit in the first rate block: one squeeze, no extra permutation.
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(a[i / 8] >> (8 * (i % 8)));
  return out;
}

}  // namespace

std::array<uint8_t, 32> keccak256(std::span<const uint8_t> data) { return sponge256(data, 0x01); }
std::array<uint8_t, 32> sha3_256(std::span<const uint8_t> data) { return sponge256(data, 0x06); }

}  // namespace custos::node
