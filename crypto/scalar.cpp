#include "crypto/scalar.h"

#include <cstring>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/ct.h"
#include "crypto/rng.h"
#include "crypto/secret.h"

static_assert(GMP_NUMB_BITS == 64, "Scalar assumes 64-bit GMP limbs");

namespace custos {
namespace {

// q = FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFE BAAEDCE6 AF48A03B BFD25E8C D0364141
constexpr std::array<mp_limb_t, 4> kQ = {0xBFD25E8CD0364141ULL, 0xBAAEDCE6AF48A03BULL, 0xFFFFFFFFFFFFFFFEULL,
                                         0xFFFFFFFFFFFFFFFFULL};

void load_be32(std::array<mp_limb_t, 4>& out, std::span<const uint8_t> be) {
  for (size_t i = 0; i < 4; ++i) {
    mp_limb_t v = 0;
    for (size_t j = 0; j < 8; ++j) v = (v << 8) | be[(3 - i) * 8 + j];
    out[i] = v;
  }
}

// Returns 1 if a < q else 0, constant time.
mp_limb_t lt_q(const std::array<mp_limb_t, 4>& a) {
  mp_limb_t tmp[4];
  return mpn_sub_n(tmp, a.data(), kQ.data(), 4);  // borrow == 1 iff a < q
}

// Reduces a value known to be < 2q into [0, q).
void reduce_once(std::array<mp_limb_t, 4>& a, mp_limb_t carry) {
  mp_limb_t tmp[4];
  mp_limb_t borrow = mpn_sub_n(tmp, a.data(), kQ.data(), 4);
  // Subtract if carry set or no borrow.
  mp_limb_t use = carry | (borrow ^ 1);
  mpn_cnd_swap(use, a.data(), tmp, 4);
  secure_wipe(tmp, sizeof(tmp));
}

// Reduces an arbitrary limb string mod q, constant time for a fixed length.
std::array<mp_limb_t, 4> reduce_limbs(const mp_limb_t* src, size_t n) {
  std::array<mp_limb_t, 4> out{};
  if (n <= 4) {
    std::memcpy(out.data(), src, n * sizeof(mp_limb_t));
    // value < 2^256 < 2q: one conditional subtraction suffices.
    reduce_once(out, 0);
    return out;
  }
  std::vector<mp_limb_t> np(src, src + n);
  std::vector<mp_limb_t> scratch(mpn_sec_div_r_itch(n, 4));
  mpn_sec_div_r(np.data(), n, kQ.data(), 4, scratch.data());
  std::memcpy(out.data(), np.data(), 4 * sizeof(mp_limb_t));
  secure_wipe(np.data(), np.size() * sizeof(mp_limb_t));
  secure_wipe(scratch.data(), scratch.size() * sizeof(mp_limb_t));
  return out;
}

}  // namespace

Scalar::~Scalar() { secure_wipe(limbs_.data(), sizeof(limbs_)); }

Scalar Scalar::from_u64(uint64_t v) {
  Scalar s;
  s.limbs_[0] = v;
  return s;
}

Result<Scalar> Scalar::from_bytes(std::span<const uint8_t> be32) {
  if (be32.size() != 32) return malformed("scalar must be 32 bytes, got " + std::to_string(be32.size()));
  Scalar s;
  load_be32(s.limbs_, be32);
  if (!lt_q(s.limbs_)) return out_of_range("scalar is not below the group order");
  return s;
}

Scalar Scalar::from_bytes_reduced(std::span<const uint8_t> be32) {
  if (be32.size() != 32) std::abort();
  Scalar s;
  load_be32(s.limbs_, be32);
  reduce_once(s.limbs_, 0);
  return s;
}

Scalar Scalar::from_bigint(const BigInt& x) {
  mpz_srcptr z = x.get();
  size_t n = mpz_size(z);
  Scalar s;
  if (n > 0) s.limbs_ = reduce_limbs(mpz_limbs_read(z), n);
  if (mpz_sgn(z) < 0) s = -s;
  return s;
}

const BigInt& Scalar::order() {
  static const BigInt q = BigInt::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
  return q;
}

Scalar Scalar::random(Rng& rng) {
  for (;;) {
    std::array<uint8_t, 32> b;
    rng.fill(b);
    Scalar s;
    load_be32(s.limbs_, b);
    secure_wipe(b.data(), b.size());
    if (lt_q(s.limbs_)) return s;
  }
}

Scalar Scalar::random_nonzero(Rng& rng) {
  for (;;) {
    Scalar s = random(rng);
    if (!ct::pub(s.is_zero())) return s;  // the verdict only tells about a draw that is thrown away
  }
}

std::array<uint8_t, 32> Scalar::to_bytes() const {
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < 4; ++i) {
    mp_limb_t v = limbs_[i];
    for (size_t j = 0; j < 8; ++j) {
      out[(3 - i) * 8 + (7 - j)] = static_cast<uint8_t>(v & 0xff);
      v >>= 8;
    }
  }
  return out;
}

// From the limbs, not through bytes and mpz_import: its normalisation branches on the value, and
// from_limbs trims with the documented, declared limb-count leak only (crypto/ct.h).
BigInt Scalar::to_bigint() const { return BigInt::from_limbs(limbs_); }

bool Scalar::is_zero() const {
  mp_limb_t acc = 0;
  for (mp_limb_t l : limbs_) acc |= l;
  return acc == 0;
}

bool operator==(const Scalar& a, const Scalar& b) {
  mp_limb_t acc = 0;
  for (size_t i = 0; i < 4; ++i) acc |= a.limbs_[i] ^ b.limbs_[i];
  return acc == 0;
}

bool Scalar::is_high() const {
  static const BigInt half = order() >> 1;
  return to_bigint() > half;
}

Scalar operator+(const Scalar& a, const Scalar& b) {
  Scalar r;
  mp_limb_t carry = mpn_add_n(r.limbs_.data(), a.limbs_.data(), b.limbs_.data(), 4);
  reduce_once(r.limbs_, carry);
  return r;
}

Scalar operator-(const Scalar& a) {
  Scalar r;
  mpn_sub_n(r.limbs_.data(), kQ.data(), a.limbs_.data(), 4);
  // q - 0 = q must become 0.
  reduce_once(r.limbs_, 0);
  return r;
}

Scalar operator-(const Scalar& a, const Scalar& b) { return a + (-b); }

Scalar operator*(const Scalar& a, const Scalar& b) {
  mp_limb_t prod[8];
  std::vector<mp_limb_t> scratch(mpn_sec_mul_itch(4, 4));
  mpn_sec_mul(prod, a.limbs_.data(), 4, b.limbs_.data(), 4, scratch.data());
  Scalar r;
  r.limbs_ = reduce_limbs(prod, 8);
  secure_wipe(prod, sizeof(prod));
  secure_wipe(scratch.data(), scratch.size() * sizeof(mp_limb_t));
  return r;
}

Result<Scalar> Scalar::inverse() const {
  if (ct::pub(is_zero())) return invalid_argument("zero has no inverse mod q");  // a zero secret is a bug anyway
  mp_limb_t src[4];
  std::memcpy(src, limbs_.data(), sizeof(src));
  Scalar r;
  std::vector<mp_limb_t> scratch(mpn_sec_invert_itch(4));
  // 2*256 bits is the bound on the number of iterations for 256-bit operands.
  int ok = mpn_sec_invert(r.limbs_.data(), src, kQ.data(), 4, 2 * 256, scratch.data());
  secure_wipe(src, sizeof(src));
  secure_wipe(scratch.data(), scratch.size() * sizeof(mp_limb_t));
  if (!ct::pub(ok)) return internal_error("scalar inversion failed");
  return r;
}

}  // namespace custos
