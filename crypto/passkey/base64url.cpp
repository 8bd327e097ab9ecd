#include "crypto/passkey/base64url.h"

#include <array>

namespace custos::passkey {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Value of one character, or -1. `lenient` also maps the standard alphabet's + and /.
int sextet(char c, bool lenient) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  if (lenient && c == '+') return 62;
  if (lenient && c == '/') return 63;
  return -1;
}

std::optional<std::vector<uint8_t>> decode(std::string_view text, bool lenient) {
  // A single leftover character carries only 6 bits: never a valid encoding.
  if (text.size() % 4 == 1) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = sextet(c, lenient);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  // RFC 4648 §3.5: the unused low bits of the last character must be zero, so that each byte
  // string has exactly one encoding (otherwise a challenge could be spelt several ways).
  if (acc != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string base64url_encode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t v = uint32_t{bytes[i]} << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text) { return decode(text, false); }

std::optional<std::vector<uint8_t>> base64_any_decode(std::string_view text) {
  // Padding, if present, must make the length a multiple of 4 and be at most two '='.
  size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad > 2) return std::nullopt;
  if (pad > 0 && text.size() % 4 != 0) return std::nullopt;
  return decode(text.substr(0, text.size() - pad), true);
}

}  // namespace custos::passkey
