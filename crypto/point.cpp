#include "crypto/point.h"

#include <secp256k1_ecdh.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "crypto/ct.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "crypto/secret.h"

namespace custos {

const secp256k1_context* secp_context() {
  static secp256k1_context* ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    std::array<uint8_t, 32> seed;
    OsRng().fill(seed);
    // Blinding for ecmult_gen (side-channel hardening).
    if (!secp256k1_context_randomize(c, seed.data())) std::abort();
    secure_wipe(seed.data(), seed.size());
    return c;
  }();
  return ctx;
}

Point Point::from_raw(const secp256k1_pubkey& pk) {
  Point p;
  p.infinity_ = false;
  p.pk_ = pk;
  return p;
}

const Point& Point::generator() {
  static const Point g = base_mul(Scalar::from_u64(1));
  return g;
}

// Whether the scalar is zero and whether libsecp256k1 accepted it are public (ct::pub): both are decided
// before anything is published, and a zero or invalid secret is a bug of its own.
Point Point::base_mul(const Scalar& x) {
  if (ct::pub(x.is_zero())) return Point();
  auto b = x.to_bytes();
  secp256k1_pubkey pk;
  int ok = secp256k1_ec_pubkey_create(secp_context(), &pk, b.data());
  secure_wipe(b.data(), b.size());
  if (!ct::pub(ok)) std::abort();
  return from_raw(pk);
}

namespace {
// ECDH "hash" that returns the shared point itself as 04 || x || y.
int copy_point(unsigned char* out, const unsigned char* x32, const unsigned char* y32, void*) {
  out[0] = 0x04;
  std::memcpy(out + 1, x32, 32);
  std::memcpy(out + 33, y32, 32);
  return 1;
}
}  // namespace

Point Point::mul(const Scalar& k) const {
  if (infinity_ || ct::pub(k.is_zero())) return Point();
  auto b = k.to_bytes();
  std::array<uint8_t, 65> xy{};
  int ok = secp256k1_ecdh(secp_context(), xy.data(), &pk_, b.data(), copy_point, nullptr);
  secure_wipe(b.data(), b.size());
  if (!ct::pub(ok)) std::abort();
  // The product is published in every use (Δ_i = k_i·Γ, S_i = χ_i·Γ, …): parsing it may branch.
  ct::declassify(xy.data(), xy.size());
  secp256k1_pubkey pk;
  if (!secp256k1_ec_pubkey_parse(secp_context(), &pk, xy.data(), xy.size())) std::abort();
  secure_wipe(xy.data(), xy.size());
  return from_raw(pk);
}

Point Point::mul_vartime(const Scalar& k) const {
  if (infinity_ || k.is_zero()) return Point();
  auto b = k.to_bytes();
  secp256k1_pubkey pk = pk_;
  if (!secp256k1_ec_pubkey_tweak_mul(secp_context(), &pk, b.data())) std::abort();
  return from_raw(pk);
}

Point Point::sum(std::span<const Point> points) {
  std::vector<const secp256k1_pubkey*> ptrs;
  ptrs.reserve(points.size());
  for (const Point& p : points) {
    if (!p.infinity_) ptrs.push_back(&p.pk_);
  }
  if (ptrs.empty()) return Point();
  secp256k1_pubkey out;
  // combine fails only when the sum is the point at infinity.
  if (!secp256k1_ec_pubkey_combine(secp_context(), &out, ptrs.data(), ptrs.size())) return Point();
  return from_raw(out);
}

Point operator+(const Point& a, const Point& b) {
  Point pts[2] = {a, b};
  return Point::sum(pts);
}

Point operator-(const Point& a) {
  if (a.infinity_) return a;
  Point r = a;
  if (!secp256k1_ec_pubkey_negate(secp_context(), &r.pk_)) std::abort();
  return r;
}

bool operator==(const Point& a, const Point& b) {
  if (a.infinity_ || b.infinity_) return a.infinity_ == b.infinity_;
  return secp256k1_ec_pubkey_cmp(secp_context(), &a.pk_, &b.pk_) == 0;
}

std::array<uint8_t, 33> Point::encode() const {
  std::array<uint8_t, 33> out{};
  if (infinity_) return out;
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(secp_context(), out.data(), &len, &pk_, SECP256K1_EC_COMPRESSED);
  return out;
}

std::array<uint8_t, 65> Point::encode_uncompressed() const {
  if (infinity_) std::abort();
  std::array<uint8_t, 65> out{};
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(secp_context(), out.data(), &len, &pk_, SECP256K1_EC_UNCOMPRESSED);
  return out;
}

Result<Point> Point::decode(std::span<const uint8_t> in) {
  if (in.size() != kCompressedBytes) {
    return malformed("point must be 33 bytes (compressed SEC1), got " + std::to_string(in.size()));
  }
  if (in[0] != 0x02 && in[0] != 0x03) {
    bool all_zero = true;
    for (uint8_t b : in) all_zero &= (b == 0);
    if (all_zero) return out_of_range("point is the identity (point at infinity)");
    return malformed("point has an invalid prefix byte");
  }
  secp256k1_pubkey pk;
  // Rejects x >= p and x with no matching y (off the curve).
  if (!secp256k1_ec_pubkey_parse(secp_context(), &pk, in.data(), in.size())) {
    return out_of_range("point is not on secp256k1 (or x is not below p)");
  }
  return from_raw(pk);
}

Result<Point> Point::decode_allow_identity(std::span<const uint8_t> in) {
  if (in.size() == kCompressedBytes) {
    bool all_zero = true;
    for (uint8_t b : in) all_zero &= (b == 0);
    if (all_zero) return Point();
  }
  return decode(in);
}

Result<Point> Point::decode_sec1(std::span<const uint8_t> in) {
  if (in.size() == 33) return decode(in);
  if (in.size() != 65 || in[0] != 0x04) return malformed("public key must be 33 or 65 bytes of SEC1");
  secp256k1_pubkey pk;
  if (!secp256k1_ec_pubkey_parse(secp_context(), &pk, in.data(), in.size())) {
    return out_of_range("public key is not on secp256k1");
  }
  return from_raw(pk);
}

Scalar Point::x_mod_q() const {
  auto u = encode_uncompressed();
  return Scalar::from_bytes_reduced(std::span<const uint8_t>(u.data() + 1, 32));
}

bool Point::y_is_odd() const {
  auto c = encode();
  if (infinity_) std::abort();
  return c[0] == 0x03;
}

}  // namespace custos
