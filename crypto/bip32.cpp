#include "crypto/bip32.h"

#include <openssl/evp.h>
#include <openssl/provider.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "crypto/hash.h"

namespace custos {
namespace {

constexpr char kBase58Alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
// Bounds the quadratic base conversion on untrusted input (an xpub is 111 characters).
constexpr size_t kMaxBase58Chars = 1024;
constexpr size_t kXpubPayloadBytes = 78;

// RIPEMD-160 is in OpenSSL 3's default provider since 3.0.7; older 3.0.x keep
// it in the legacy provider only, which we then load into a private library
// context so the process-wide provider configuration is left alone.
const EVP_MD* ripemd160_md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "RIPEMD160", nullptr);
    if (m) return static_cast<const EVP_MD*>(m);
    OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
    if (ctx && OSSL_PROVIDER_load(ctx, "legacy")) m = EVP_MD_fetch(ctx, "RIPEMD160", nullptr);
    if (!m) std::abort();  // no RIPEMD-160 anywhere: BIP-32 fingerprints cannot be computed
    return static_cast<const EVP_MD*>(m);
  }();
  return md;
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t get_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

Digest32 sha256d(std::span<const uint8_t> data) {
  Digest32 h = sha256(data);
  return sha256(h);
}

}  // namespace

std::array<uint8_t, 20> hash160(std::span<const uint8_t> data) {
  Digest32 h = sha256(data);
  std::array<uint8_t, 20> out{};
  unsigned int len = 0;
  if (EVP_Digest(h.data(), h.size(), out.data(), &len, ripemd160_md(), nullptr) != 1 || len != 20) std::abort();
  return out;
}

uint32_t key_fingerprint(const Point& p) {
  if (p.is_identity()) std::abort();
  auto enc = p.encode();
  auto id = hash160(enc);
  return get_u32(id.data());
}

Result<std::pair<ExtendedPublicKey, Scalar>> derive_child(const ExtendedPublicKey& parent, uint32_t index) {
  if (index & kBip32HardenedBit) {
    return invalid_argument("BIP-32: index " + std::to_string(index & ~kBip32HardenedBit) +
                            "' is hardened; hardened children cannot be derived from a public key");
  }
  if (parent.key.is_identity()) return invalid_argument("BIP-32: parent key is the point at infinity");
  if (parent.depth == 255) return invalid_argument("BIP-32: depth 255 reached; a child would overflow the depth byte");

  std::vector<uint8_t> data;
  data.reserve(Point::kCompressedBytes + 4);
  auto ser = parent.key.encode();
  data.insert(data.end(), ser.begin(), ser.end());
  put_u32(data, index);
  Digest64 i = hmac_sha512(parent.chain_code, data);

  auto tweak = Scalar::from_bytes(std::span<const uint8_t>(i.data(), 32));
  if (!tweak.ok()) {
    return out_of_range("BIP-32: index " + std::to_string(index) +
                        " is invalid (I_L >= q); proceed with the next index");
  }
  Point child_key = parent.key + Point::base_mul(*tweak);
  if (child_key.is_identity()) {
    return out_of_range("BIP-32: index " + std::to_string(index) +
                        " is invalid (child key is the point at infinity); proceed with the next index");
  }
  ExtendedPublicKey child;
  child.key = child_key;
  std::memcpy(child.chain_code.data(), i.data() + 32, 32);
  child.depth = static_cast<uint8_t>(parent.depth + 1);
  child.parent_fingerprint = key_fingerprint(parent.key);
  child.child_number = index;
  return std::make_pair(std::move(child), std::move(tweak).value());
}

Result<DerivedKey> derive_path(const ExtendedPublicKey& root, std::span<const uint32_t> path) {
  DerivedKey out{root, Scalar()};
  for (size_t k = 0; k < path.size(); ++k) {
    auto step = derive_child(out.xpub, path[k]);
    if (!step.ok()) return step.status().with_context("BIP-32 path component " + std::to_string(k));
    out.xpub = std::move(step->first);
    out.tweak += step->second;
  }
  return out;
}

Result<std::vector<uint32_t>> parse_path(std::string_view path) {
  if (path.empty() || path[0] != 'm') return malformed("BIP-32 path must start with \"m\"");
  std::vector<uint32_t> out;
  size_t pos = 1;
  if (pos == path.size()) return out;  // "m": the root itself
  while (pos < path.size()) {
    if (path[pos] != '/') return malformed("BIP-32 path: expected '/' at position " + std::to_string(pos));
    ++pos;
    size_t start = pos;
    uint64_t v = 0;
    while (pos < path.size() && path[pos] >= '0' && path[pos] <= '9') {
      v = v * 10 + static_cast<uint64_t>(path[pos] - '0');
      if (v >= kBip32HardenedBit) {
        return invalid_argument("BIP-32 path component " + std::to_string(out.size()) +
                                " is >= 2^31 (a hardened index); only non-hardened derivation is supported");
      }
      ++pos;
    }
    if (pos == start) {
      return malformed("BIP-32 path: empty or non-numeric component at position " + std::to_string(start));
    }
    if (pos < path.size() && (path[pos] == '\'' || path[pos] == 'h' || path[pos] == 'H')) {
      return invalid_argument("BIP-32 path component " + std::to_string(out.size()) + " (\"" +
                              std::string(path.substr(start, pos - start + 1)) +
                              "\") is hardened; hardened derivation needs the private key and is not supported");
    }
    if (pos < path.size() && path[pos] != '/') {
      return malformed("BIP-32 path: unexpected character at position " + std::to_string(pos));
    }
    out.push_back(static_cast<uint32_t>(v));
  }
  return out;
}

std::string base58_encode(std::span<const uint8_t> data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // log(256)/log(58) < 1.366
  std::vector<uint8_t> digits((data.size() - zeros) * 138 / 100 + 1, 0);
  size_t used = 0;  // number of significant digits (little-endian in `digits`)
  for (size_t k = zeros; k < data.size(); ++k) {
    uint32_t carry = data[k];
    size_t j = 0;
    for (; j < used || carry != 0; ++j) {
      carry += 256u * digits[j];
      digits[j] = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    used = j;
  }
  std::string out(zeros, '1');
  for (size_t j = used; j-- > 0;) out.push_back(kBase58Alphabet[digits[j]]);
  return out;
}

Result<std::vector<uint8_t>> base58_decode(std::string_view s) {
  if (s.size() > kMaxBase58Chars) return malformed("Base58 string is too long");
  size_t ones = 0;
  while (ones < s.size() && s[ones] == '1') ++ones;
  // log(58)/log(256) < 0.733
  std::vector<uint8_t> bytes((s.size() - ones) * 733 / 1000 + 1, 0);
  size_t used = 0;
  for (size_t k = ones; k < s.size(); ++k) {
    const char* hit = std::strchr(kBase58Alphabet, s[k]);
    if (s[k] == '\0' || hit == nullptr) {
      return malformed("invalid Base58 character at position " + std::to_string(k));
    }
    uint32_t carry = static_cast<uint32_t>(hit - kBase58Alphabet);
    size_t j = 0;
    for (; j < used || carry != 0; ++j) {
      carry += 58u * bytes[j];
      bytes[j] = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    used = j;
  }
  std::vector<uint8_t> out(ones, 0);
  for (size_t j = used; j-- > 0;) out.push_back(bytes[j]);
  return out;
}

std::string base58check_encode(std::span<const uint8_t> payload) {
  std::vector<uint8_t> buf(payload.begin(), payload.end());
  Digest32 check = sha256d(payload);
  buf.insert(buf.end(), check.begin(), check.begin() + 4);
  return base58_encode(buf);
}

Result<std::vector<uint8_t>> base58check_decode(std::string_view s) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> raw, base58_decode(s));
  if (raw.size() < 4) return malformed("Base58Check string is shorter than its checksum");
  std::span<const uint8_t> payload(raw.data(), raw.size() - 4);
  Digest32 check = sha256d(payload);
  if (!std::equal(check.begin(), check.begin() + 4, raw.end() - 4)) return malformed("Base58Check checksum mismatch");
  return std::vector<uint8_t>(payload.begin(), payload.end());
}

std::string to_xpub(const ExtendedPublicKey& xpub) {
  std::vector<uint8_t> payload;
  payload.reserve(kXpubPayloadBytes);
  put_u32(payload, kXpubVersion);
  payload.push_back(xpub.depth);
  put_u32(payload, xpub.parent_fingerprint);
  put_u32(payload, xpub.child_number);
  payload.insert(payload.end(), xpub.chain_code.begin(), xpub.chain_code.end());
  auto key = xpub.key.encode();
  payload.insert(payload.end(), key.begin(), key.end());
  return base58check_encode(payload);
}

Result<ExtendedPublicKey> from_xpub(std::string_view s) {
  auto decoded = base58check_decode(s);
  if (!decoded.ok()) return decoded.status().with_context("xpub");
  const std::vector<uint8_t>& p = *decoded;
  if (p.size() != kXpubPayloadBytes) {
    return malformed("xpub payload must be 78 bytes, got " + std::to_string(p.size()));
  }
  uint32_t version = get_u32(p.data());
  if (version == kXprvVersion) return invalid_argument("xpub: this is an extended private key (xprv); refusing it");
  if (version != kXpubVersion) return malformed("xpub: unsupported version bytes (only mainnet xpub 0488B21E)");
  ExtendedPublicKey x;
  x.depth = p[4];
  x.parent_fingerprint = get_u32(p.data() + 5);
  x.child_number = get_u32(p.data() + 9);
  std::memcpy(x.chain_code.data(), p.data() + 13, 32);
  auto key = Point::decode(std::span<const uint8_t>(p.data() + 45, Point::kCompressedBytes));
  if (!key.ok()) return malformed("xpub public key: " + key.status().message());
  x.key = *key;
  if (x.depth == 0 && x.parent_fingerprint != 0) return malformed("xpub: depth 0 with a non-zero parent fingerprint");
  if (x.depth == 0 && x.child_number != 0) return malformed("xpub: depth 0 with a non-zero child number");
  return x;
}

}  // namespace custos
