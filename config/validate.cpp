#include "config/validate.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <zmq.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace custos::config {
namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Decimal port without sign or leading zero, 1..65535.
std::optional<uint32_t> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5 || s[0] == '0') return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v < 1 || v > 65535) return std::nullopt;
  return v;
}

bool is_ipv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t j = i;
    while (j < s.size() && is_digit(s[j])) ++j;
    const size_t len = j - i;
    if (len == 0 || len > 3 || (len > 1 && s[i] == '0')) return false;
    if (std::stoi(std::string(s.substr(i, len))) > 255) return false;
    ++parts;
    if (j == s.size()) break;
    if (s[j] != '.' || parts == 4) return false;
    i = j + 1;
  }
  return parts == 4;
}

// DNS name of LDH labels. A name whose labels are all numeric must be an IPv4 literal instead
// (otherwise "300.1.1.1" would pass as a host name).
std::optional<std::string> check_dns_name(std::string_view s) {
  if (s.empty()) return "host is empty";
  if (s.size() > 253) return "host name is longer than 253 characters";
  bool all_numeric = true;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find('.', i);
    if (j == std::string_view::npos) j = s.size();
    std::string_view label = s.substr(i, j - i);
    if (label.empty()) return "host name has an empty label";
    if (label.size() > 63) return "host name label is longer than 63 characters";
    for (char c : label)
      if (!is_alnum(c) && c != '-') return "host name contains a character other than letters, digits, '-' and '.'";
    if (label.front() == '-' || label.back() == '-') return "host name label starts or ends with '-'";
    if (!std::all_of(label.begin(), label.end(), is_digit)) all_numeric = false;
    i = j + 1;
  }
  if (all_numeric && !is_ipv4(s)) return "host is not a valid IPv4 address";
  return std::nullopt;
}

// Host part of an endpoint: IPv4, [IPv6] or DNS name.
std::optional<std::string> check_host(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    if (host.back() != ']') return "IPv6 host is missing its closing ']'";
    std::string inner(host.substr(1, host.size() - 2));
    in6_addr addr;
    if (inet_pton(AF_INET6, inner.c_str(), &addr) != 1) return "host is not a valid IPv6 address";
    return std::nullopt;
  }
  if (is_ipv4(host)) return std::nullopt;
  return check_dns_name(host);
}

// Splits "host:port"; the host of an IPv6 address is bracketed.
std::optional<std::string> split_host_port(std::string_view s, std::string_view* host, std::string_view* port) {
  size_t colon;
  if (!s.empty() && s.front() == '[') {
    const size_t close = s.find(']');
    if (close == std::string_view::npos) return "IPv6 host is missing its closing ']'";
    colon = close + 1;
    if (colon >= s.size() || s[colon] != ':') return "has no ':port' after the host";
  } else {
    colon = s.rfind(':');
    if (colon == std::string_view::npos) return "has no ':port' after the host";
    if (s.substr(0, colon).find(':') != std::string_view::npos) return "IPv6 hosts must be written in brackets ([::1]:port)";
  }
  *host = s.substr(0, colon);
  *port = s.substr(colon + 1);
  return std::nullopt;
}

// --- Ed25519 point decoding (RFC 8032 §5.1.3) with BIGNUM -------------------
// Public keys are public, so variable-time arithmetic is fine here.

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct BnCtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

struct EdField {
  Bn p{BN_new()}, d{BN_new()};
  std::unique_ptr<BN_CTX, BnCtxFree> ctx{BN_CTX_new()};
  bool ok = false;

  EdField() {
    if (!p || !d || !ctx) return;
    // p = 2^255 - 19; d = -121665 / 121666 mod p.
    Bn t(BN_new()), inv(BN_new());
    if (!t || !inv) return;
    if (!BN_set_word(t.get(), 1) || !BN_lshift(p.get(), t.get(), 255) || !BN_sub_word(p.get(), 19)) return;
    if (!BN_set_word(t.get(), 121666) || !BN_mod_inverse(inv.get(), t.get(), p.get(), ctx.get())) return;
    if (!BN_set_word(t.get(), 121665) || !BN_sub(t.get(), p.get(), t.get())) return;
    if (!BN_mod_mul(d.get(), t.get(), inv.get(), p.get(), ctx.get())) return;
    ok = true;
  }
};

// Affine twisted Edwards addition (a = -1), complete for points on the curve:
// x3 = (x1 y2 + y1 x2) / (1 + d x1 x2 y1 y2), y3 = (y1 y2 + x1 x2) / (1 - d x1 x2 y1 y2).
bool ed_double(EdField& f, BIGNUM* x, BIGNUM* y) {
  BN_CTX* c = f.ctx.get();
  const BIGNUM* p = f.p.get();
  Bn xy(BN_new()), xx(BN_new()), yy(BN_new()), t(BN_new()), den1(BN_new()), den2(BN_new()), num(BN_new());
  if (!xy || !xx || !yy || !t || !den1 || !den2 || !num) return false;
  if (!BN_mod_mul(xy.get(), x, y, p, c) || !BN_mod_sqr(xx.get(), x, p, c) || !BN_mod_sqr(yy.get(), y, p, c)) return false;
  // t = d * (x y)^2
  if (!BN_mod_sqr(t.get(), xy.get(), p, c) || !BN_mod_mul(t.get(), t.get(), f.d.get(), p, c)) return false;
  if (!BN_one(den1.get()) || !BN_mod_add(den1.get(), den1.get(), t.get(), p, c)) return false;
  if (!BN_one(den2.get()) || !BN_mod_sub(den2.get(), den2.get(), t.get(), p, c)) return false;
  if (!BN_mod_inverse(den1.get(), den1.get(), p, c) || !BN_mod_inverse(den2.get(), den2.get(), p, c)) return false;
  // x3 = 2xy / den1, y3 = (y^2 + x^2) / den2
  if (!BN_mod_add(num.get(), xy.get(), xy.get(), p, c) || !BN_mod_mul(x, num.get(), den1.get(), p, c)) return false;
  if (!BN_mod_add(num.get(), yy.get(), xx.get(), p, c) || !BN_mod_mul(y, num.get(), den2.get(), p, c)) return false;
  return true;
}

// Returns a problem text, or nullopt when `key` decodes to a point of large order.
std::optional<std::string> check_ed25519_point(const Key32& key) {
  EdField f;
  if (!f.ok) return "cannot be checked (OpenSSL BIGNUM failure)";
  BN_CTX* c = f.ctx.get();
  const BIGNUM* p = f.p.get();
  uint8_t le[32];
  std::memcpy(le, key.data(), 32);
  const bool sign = (le[31] & 0x80) != 0;
  le[31] &= 0x7f;
  Bn y(BN_lebin2bn(le, 32, nullptr)), u(BN_new()), v(BN_new()), x2(BN_new()), x(BN_new());
  if (!y || !u || !v || !x2 || !x) return "cannot be checked (OpenSSL BIGNUM failure)";
  if (BN_cmp(y.get(), p) >= 0) return "is not a canonical Ed25519 point encoding (y >= 2^255-19)";
  // x^2 = (y^2 - 1) / (d y^2 + 1)
  if (!BN_mod_sqr(u.get(), y.get(), p, c) || !BN_mod_mul(v.get(), u.get(), f.d.get(), p, c) ||
      !BN_mod_add(v.get(), v.get(), BN_value_one(), p, c) || !BN_mod_sub(u.get(), u.get(), BN_value_one(), p, c) ||
      !BN_mod_inverse(v.get(), v.get(), p, c) || !BN_mod_mul(x2.get(), u.get(), v.get(), p, c))
    return "cannot be checked (OpenSSL BIGNUM failure)";
  if (BN_is_zero(x2.get())) {
    if (sign) return "is not a canonical Ed25519 point encoding (x = 0 with the sign bit set)";
    BN_zero(x.get());
  } else {
    ERR_set_mark();
    BIGNUM* root = BN_mod_sqrt(x.get(), x2.get(), p, c);
    ERR_pop_to_mark();  // a non-square leaves an error on OpenSSL's queue; it is our answer, not a failure
    if (root == nullptr) return "is not a point on the Ed25519 curve";
    if (static_cast<bool>(BN_is_odd(x.get())) != sign && !BN_sub(x.get(), p, x.get()))
      return "cannot be checked (OpenSSL BIGNUM failure)";
  }
  // Small order <=> 8P is the neutral element (0, 1). A key of small order lets anyone forge
  // signatures that verify under it, so it cannot identify a peer.
  for (int i = 0; i < 3; ++i)
    if (!ed_double(f, x.get(), y.get())) return "cannot be checked (OpenSSL BIGNUM failure)";
  if (BN_is_zero(x.get()) && BN_is_one(y.get())) return "is an Ed25519 point of small order (not a usable public key)";
  return std::nullopt;
}

}  // namespace

Checked<Key32> parse_hex32(std::string_view hex) {
  if (hex.size() != 64) return std::string("not 64 hex characters (has ") + std::to_string(hex.size()) + ")";
  Key32 out{};
  for (size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::string("not 64 hex characters (contains a non-hex character)");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string hex32(const Key32& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(64);
  for (uint8_t b : bytes) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

Checked<Key32> parse_curve_public_key(std::string_view z85) {
  if (z85.size() != 40) return std::string("not 40 Z85 characters (has ") + std::to_string(z85.size()) + ")";
  for (char c : z85)
    if (kZ85Alphabet.find(c) == std::string_view::npos)
      return std::string("not 40 Z85 characters (contains a character outside the Z85 alphabet)");
  const std::string text(z85);
  Key32 out{};
  // zmq_z85_decode also rejects a 5-character group whose value exceeds 2^32 - 1.
  if (zmq_z85_decode(out.data(), text.c_str()) == nullptr) return std::string("Z85 text does not decode to 32 bytes");
  if (std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }))
    return std::string("is the all-zero key (not a usable CURVE public key)");
  return out;
}

std::string curve_key_to_z85(const Key32& key) {
  char buf[41] = {};
  zmq_z85_encode(buf, key.data(), key.size());
  return std::string(buf, 40);
}

Checked<Key32> parse_ed25519_public_key(std::string_view hex) {
  auto bytes = parse_hex32(hex);
  if (auto* problem = std::get_if<std::string>(&bytes)) return *problem;
  const Key32 key = std::get<Key32>(bytes);
  if (auto problem = check_ed25519_point(key)) return *problem;
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size());
  if (pkey == nullptr) return std::string("is not accepted by OpenSSL as an Ed25519 public key");
  EVP_PKEY_free(pkey);
  return key;
}

std::optional<std::string> check_zmq_endpoint(std::string_view endpoint, bool allow_wildcard) {
  constexpr std::string_view kScheme = "tcp://";
  if (endpoint.substr(0, kScheme.size()) != kScheme) return "must start with tcp://";
  std::string_view host, port;
  if (auto problem = split_host_port(endpoint.substr(kScheme.size()), &host, &port)) return "endpoint " + *problem;
  if (!parse_port(port)) return "port must be a number 1..65535";
  if (host == "*") {
    if (!allow_wildcard) return "a peer endpoint needs a concrete host, not '*'";
    return std::nullopt;
  }
  if (auto problem = check_host(host)) return *problem;
  return std::nullopt;
}

std::optional<std::string> check_host_port(std::string_view host_port, bool* loopback) {
  std::string_view host, port;
  if (auto problem = split_host_port(host_port, &host, &port)) return *problem;
  if (!parse_port(port)) return "port must be a number 1..65535";
  if (auto problem = check_host(host)) return *problem;
  *loopback = host == "localhost" || host == "[::1]" || (is_ipv4(host) && host.substr(0, 4) == "127.");
  return std::nullopt;
}

std::optional<std::string> check_rp_id(std::string_view rp_id) {
  if (rp_id.empty()) return "must not be empty";
  if (rp_id.find("://") != std::string_view::npos) return "must be a domain, not an origin (no scheme)";
  if (rp_id.find(':') != std::string_view::npos) return "must be a domain without a port";
  if (rp_id.find('/') != std::string_view::npos) return "must be a domain without a path";
  if (rp_id.back() == '.') return "must not end with '.'";
  if (std::any_of(rp_id.begin(), rp_id.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return "must be lowercase (browsers hash the lowercase rpId)";
  if (is_ipv4(rp_id)) return std::nullopt;
  return check_dns_name(rp_id);
}

std::optional<std::string> check_origin(std::string_view origin, std::string_view rp_id) {
  std::string_view rest;
  bool https;
  if (origin.substr(0, 8) == "https://") {
    https = true;
    rest = origin.substr(8);
  } else if (origin.substr(0, 7) == "http://") {
    https = false;
    rest = origin.substr(7);
  } else {
    return "must start with https:// (or http:// for localhost)";
  }
  if (std::any_of(origin.begin(), origin.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return "must be lowercase (browsers serialize origins in lowercase)";
  const size_t slash = rest.find('/');
  if (slash != std::string_view::npos)
    return slash + 1 == rest.size() ? "must not end with a trailing slash" : "must not have a path";
  if (rest.find_first_of("?#") != std::string_view::npos) return "must not have a query or fragment";
  if (rest.find('@') != std::string_view::npos) return "must not have user information";
  std::string_view host = rest, port;
  const size_t bracket = rest.rfind(']');
  const size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    auto p = parse_port(port);
    if (!p) return "port must be a number 1..65535";
    if ((https && *p == 443) || (!https && *p == 80))
      return "must omit the default port " + std::to_string(*p) + " (browsers do)";
  }
  if (auto problem = check_host(host)) return *problem;
  if (!https && host != "localhost" && host != "127.0.0.1") return "http:// is allowed only for localhost and 127.0.0.1";
  if (!rp_id.empty()) {
    const bool same = host == rp_id;
    const bool sub = !is_ipv4(rp_id) && host.size() > rp_id.size() + 1 &&
                     host.substr(host.size() - rp_id.size()) == rp_id && host[host.size() - rp_id.size() - 1] == '.';
    if (!same && !sub)
      return "host " + std::string(host) + " is neither the rp_id " + std::string(rp_id) + " nor a subdomain of it";
  }
  return std::nullopt;
}

std::optional<std::string> check_approver_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return "must be 1..64 characters";
  if (!is_alnum(id[0])) return "must start with a letter or digit";
  for (char c : id)
    if (!is_alnum(c) && c != '.' && c != '_' && c != '@' && c != '-')
      return "may contain only letters, digits and . _ @ -";
  return std::nullopt;
}

std::optional<std::string> check_env_var_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return "must be an environment variable name of 1..128 characters";
  if (is_digit(name[0])) return "must be an environment variable name (cannot start with a digit)";
  for (char c : name)
    if (!is_alnum(c) && c != '_') return "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)";
  return std::nullopt;
}

std::optional<std::string> check_display_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return "must be 1..64 characters";
  for (char c : name)
    if (c < 0x20 || c > 0x7e) return "may contain only printable ASCII characters";
  return std::nullopt;
}

}  // namespace custos::config
