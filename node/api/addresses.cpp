#include "node/api/addresses.h"

#include <array>
#include <vector>

#include "crypto/bip32.h"
#include "crypto/hash.h"
#include "node/api/keccak.h"

namespace custos::node {
namespace {

constexpr std::string_view kBech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

// BIP-173 checksum: the BCH code's remainder over GF(32).
uint32_t bech32_polymod(std::span<const uint8_t> values) {
  constexpr std::array<uint32_t, 5> kGen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (size_t i = 0; i < kGen.size(); ++i) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

// Regroups 8-bit bytes into 5-bit values, zero-padding the last group (BIP-173 convertbits, pad=true).
std::vector<uint8_t> bytes_to_5bit(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0) out.push_back(static_cast<uint8_t>((acc << (5 - bits)) & 31));
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::array<uint8_t, 20> key_hash(const Point& pubkey) {
  auto compressed = pubkey.encode();
  return hash160(compressed);
}

}  // namespace

Result<std::string> bech32_encode(std::string_view hrp, std::span<const uint8_t> data5) {
  if (hrp.empty() || hrp.size() > 83) return invalid_argument("bech32: hrp must have 1..83 characters");
  for (char c : hrp) {
    // Upper case is refused rather than folded: BIP-173 forbids mixed case and
    // addresses are conventionally lower case.
    if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) return invalid_argument("bech32: bad hrp character");
  }
  if (hrp.size() + 1 + data5.size() + 6 > 90) return invalid_argument("bech32: longer than 90 characters");
  for (uint8_t v : data5) {
    if (v >= 32) return invalid_argument("bech32: data value >= 32");
  }
  // Checksum input: hrp high bits, 0, hrp low bits, data, six zero placeholders.
  std::vector<uint8_t> values;
  for (char c : hrp) values.push_back(static_cast<uint8_t>(c) >> 5);
  values.push_back(0);
  for (char c : hrp) values.push_back(static_cast<uint8_t>(c) & 31);
  values.insert(values.end(), data5.begin(), data5.end());
  values.insert(values.end(), 6, 0);
  uint32_t mod = bech32_polymod(values) ^ 1;

  std::string out(hrp);
  out += '1';
  for (uint8_t v : data5) out += kBech32Charset[v];
  for (int i = 0; i < 6; ++i) out += kBech32Charset[(mod >> (5 * (5 - i))) & 31];
  return out;
}

std::string bitcoin_p2wpkh_address(const Point& pubkey, bool mainnet) {
  if (pubkey.is_identity()) return {};
  auto program = key_hash(pubkey);
  std::vector<uint8_t> data5{0};  // witness version 0
  auto groups = bytes_to_5bit(program);
  data5.insert(data5.end(), groups.begin(), groups.end());
  // 2 + 1 + 33 + 6 = 42 characters with a valid hrp: encoding cannot fail.
  auto s = bech32_encode(mainnet ? "bc" : "tb", data5);
  return s.ok() ? std::move(s).value() : std::string();
}

std::string bitcoin_p2pkh_address(const Point& pubkey, bool mainnet) {
  if (pubkey.is_identity()) return {};
  auto h = key_hash(pubkey);
  std::array<uint8_t, 21> payload{};
  payload[0] = mainnet ? 0x00 : 0x6f;
  for (size_t i = 0; i < h.size(); ++i) payload[i + 1] = h[i];
  return base58check_encode(payload);
}

Result<std::string> eip55_checksum(std::string_view hex40) {
  if (hex40.size() != 40) return invalid_argument("eip55: expected 40 hex digits");
  std::string lower(hex40);
  for (char& c : lower) {
    if (hex_value(c) < 0) return invalid_argument("eip55: not a hex digit");
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  // The hash is over the lower-case ASCII text, not the 20 address bytes.
  auto h = keccak256(as_bytes(lower));
  std::string out = lower;
  for (size_t i = 0; i < out.size(); ++i) {
    uint8_t nibble = (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 0x0f);
    if (out[i] >= 'a' && nibble >= 8) out[i] = static_cast<char>(out[i] - 'a' + 'A');
  }
  return out;
}

std::string ethereum_address(const Point& pubkey) {
  if (pubkey.is_identity()) return {};
  auto sec1 = pubkey.encode_uncompressed();  // 0x04 || x || y
  auto h = keccak256(std::span<const uint8_t>(sec1).subspan(1));
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  for (size_t i = 12; i < h.size(); ++i) {
    hex += kHex[h[i] >> 4];
    hex += kHex[h[i] & 0x0f];
  }
  auto checked = eip55_checksum(hex);  // 40 lower-case hex digits: cannot fail
  return checked.ok() ? "0x" + checked.value() : std::string();
}

}  // namespace custos::node
