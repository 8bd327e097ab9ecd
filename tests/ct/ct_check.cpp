// Constant-time check of the secret arithmetic, run under valgrind memcheck (DESIGN §10, after
// libsecp256k1's ctime tests).
//
// Each case marks its secrets as undefined memory. Memcheck then reports every conditional jump and
// every memory address that depends on them. What the code deliberately makes public (ct::declassify,
// crypto/ct.h) stops being tracked; the length leaks that OpenSSL and GMP have by design are listed,
// with the reason each is acceptable, in ct.supp. A case fails if memcheck reports anything else.
//
// Run: valgrind --suppressions=tests/ct/ct.supp ./ct_check (ctest does this). The verdict is the exit code.
#include <valgrind/memcheck.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "crypto/bigint.h"
#include "crypto/fixed_base.h"
#include "crypto/paillier.h"
#include "crypto/point.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "crypto/vss.h"
#include "crypto/zk/sec_ops.h"

using namespace custos;

namespace {

// Secret: the value's bytes become undefined. A BigInt's limb count stays public (the documented
// length leak of every bignum library); its limbs are secret.
void secret(const void* p, size_t n) { (void)VALGRIND_MAKE_MEM_UNDEFINED(p, n); }
void secret(const BigInt& x) {
  secret(x.get()->_mp_d, sizeof(mp_limb_t) * mpz_size(x.get()));
}
template <class T>
void secret(const T& v) {
  secret(&v, sizeof v);
}

// Public again: for outputs the test itself inspects, so that only the code under test is judged.
void reveal(const void* p, size_t n) { (void)VALGRIND_MAKE_MEM_DEFINED(p, n); }
void reveal(const BigInt& x) {
  reveal(x.get(), sizeof(*x.get()));
  reveal(x.get()->_mp_d, sizeof(mp_limb_t) * mpz_size(x.get()));
}
template <class T>
void reveal(const T& v) {
  reveal(&v, sizeof v);
}

int failures = 0;
unsigned canary_reports = 0;

// How many errors memcheck reports while `body` runs.
unsigned reports_during(const std::function<void()>& body) {
  const unsigned before = VALGRIND_COUNT_ERRORS;
  body();
  return VALGRIND_COUNT_ERRORS - before;
}

void check(const char* name, const std::function<void()>& body) {
  const unsigned found = reports_during(body);
  std::printf("%-58s %s (%u reports)\n", name, found == 0 ? "constant time" : "LEAKS", found);
  if (found != 0) ++failures;
}

// The canaries: code that does branch on a secret must be reported, or the check itself is broken
// (memcheck not instrumenting, secrets not marked, a suppression too wide).
void expect_leak(const char* name, const std::function<void()>& body) {
  const unsigned found = reports_during(body);
  std::printf("%-58s %s (%u reports)\n", name, found != 0 ? "leaks, as it must" : "NOT DETECTED", found);
  if (found == 0) ++failures;
  canary_reports += found;
}

BigInt odd_modulus(Rng& rng, unsigned bits) {
  BigInt m = BigInt::random_bits(rng, bits - 1) + BigInt::power_of_two(bits - 1);
  return m.is_odd() ? m : m + BigInt(1);
}

}  // namespace

int main() {
  if (!RUNNING_ON_VALGRIND) {
    std::fprintf(stderr, "ct_check only means something under valgrind: valgrind --suppressions=ct.supp ct_check\n");
    return 2;
  }
  DeterministicRng rng(20261121, "custos/ct-check");

  check("scalar: a + b, a - b, a * b, -a", [&] {
    Scalar a = Scalar::random(rng), b = Scalar::random(rng);
    secret(a);
    secret(b);
    Scalar r[4] = {a + b, a - b, a * b, -a};
    reveal(r);
  });
  check("scalar: inverse", [&] {
    Scalar a = Scalar::random_nonzero(rng);
    secret(a);
    auto inv = a.inverse();
    reveal(inv);
  });
  check("scalar: ==, is_zero, to_bytes", [&] {
    Scalar a = Scalar::random(rng), b = Scalar::random(rng);
    secret(a);
    secret(b);
    bool eq = a == b, zero = a.is_zero();
    auto bytes = a.to_bytes();
    reveal(eq);
    reveal(zero);
    reveal(bytes);
  });
  check("scalar: from_bigint of a signed 768-bit secret", [&] {
    BigInt x = -BigInt::random_bits(rng, 768);
    secret(x);
    Scalar s = Scalar::from_bigint(x);
    reveal(s);
  });
  check("shamir: a share f(j) of a secret polynomial", [&] {
    Polynomial f = Polynomial::random(rng, 3, Scalar::random(rng));
    for (size_t k = 0; k <= f.degree(); ++k) secret(f.coefficient(k));
    Scalar share = f.evaluate(Scalar::from_u64(5));
    reveal(share);
  });
  check("point: x·G and k·P (product published)", [&] {
    Scalar x = Scalar::random_nonzero(rng), k = Scalar::random_nonzero(rng);
    Point p = Point::base_mul(Scalar::random_nonzero(rng));
    secret(x);
    secret(k);
    Point a = Point::base_mul(x), b = p.mul(k);
    reveal(a);
    reveal(b);
  });

  const BigInt m = odd_modulus(rng, 2048);
  const BigInt base = BigInt::random_unit(rng, m);
  const FixedBaseExp comb(base, m, 1024, /*allow_signed=*/true);
  const FixedBaseExp comb2(BigInt::random_unit(rng, m), m, 1024, true);
  check("comb: base^e, e secret, 1000 bits", [&] {
    BigInt e = BigInt::random_bits(rng, 1000);
    secret(e);
    BigInt r = comb.pow(e, 1024);
    reveal(r);
  });
  check("comb: base^e, e secret and negative", [&] {
    BigInt e = -BigInt::random_bits(rng, 1000);
    secret(e);
    BigInt r = comb.pow_signed(e, 1024);
    reveal(r);
  });
  check("comb: a^x · b^y, x and y secret and signed", [&] {
    BigInt x = BigInt::random_bits(rng, 1000), y = -BigInt::random_bits(rng, 900);
    secret(x);
    secret(y);
    BigInt r = FixedBaseExp::pow2_signed(comb, x, 1024, comb2, y, 1024);
    reveal(r);
  });
  check("modexp::pow_sec: public base, secret exponent", [&] {
    BigInt e = BigInt::random_bits(rng, 1024);
    secret(e);
    BigInt r = modexp::pow_sec(base, e, m);
    reveal(r);
  });
  check("modexp::pow_sec: secret base below m, public exponent", [&] {
    BigInt b = BigInt::random_below(rng, m);
    secret(b);
    BigInt r = modexp::pow_sec(b, m, m);
    reveal(r);
  });

  const BigInt nhat = odd_modulus(rng, 2048);
  auto rp = RingPedersenParams::create(nhat, BigInt::random_unit(rng, nhat), BigInt::random_unit(rng, nhat));
  if (!rp.ok()) return 3;
  (void)rp->commit(BigInt(1), BigInt(1));  // builds the comb tables (public bases)
  check("ring-Pedersen: s^x · t^y, x and y secret and signed", [&] {
    BigInt x = -BigInt::random_bits(rng, 768), y = BigInt::random_bits(rng, 2800);
    secret(x);
    secret(y);
    BigInt r = rp->commit(x, y);
    reveal(r);
  });

  const auto pk = PaillierPublicKey::from_modulus(odd_modulus(rng, 2048));
  if (!pk.ok()) return 3;
  const BigInt ciphertext = BigInt::random_unit(rng, pk->n2());
  check("paillier: k ⊙ C under a peer's key, k secret and signed", [&] {
    BigInt k = -BigInt::random_bits(rng, 768);
    secret(k);
    BigInt r = zk::secops::scale_secret(*pk, nullptr, ciphertext, k);
    reveal(r);
  });
  check("paillier: enc(m; ρ) under a peer's key, m and ρ secret", [&] {
    BigInt msg = -BigInt::random_bits(rng, 1800), rho = BigInt::random_below(rng, pk->n());
    secret(msg);
    secret(rho);
    BigInt r = zk::secops::encrypt_secret(*pk, nullptr, msg, rho);
    reveal(r);
  });

  for (const bool negative : {false, true}) {
    check(negative ? "proof response w = r·ρ^e mod N, e < 0 (blinded inverse)"
                   : "proof response w = r·ρ^e mod N, e > 0",
          [&] {
            BigInt r = BigInt::random_unit(rng, pk->n()), rho = BigInt::random_unit(rng, pk->n());
            BigInt e = BigInt::random_bits(rng, 256);
            if (negative) e = -e;
            secret(r);
            secret(rho);
            BigInt w = zk::secops::mask_nonce(r, rho, e, *pk, nullptr, rng);
            reveal(w);
          });
  }
  check("presign MtA: D = (γ ⊙ K_j) ⊕ enc(−β; s) under the peer's key", [&] {
    BigInt gamma = BigInt::random_bits(rng, 256), beta = -BigInt::random_bits(rng, 1800);
    BigInt s = BigInt::random_below(rng, pk->n());
    secret(gamma);
    secret(beta);
    secret(s);
    BigInt d = pk->add_secret(modexp::pow_sec(ciphertext, gamma, pk->n2()), pk->encrypt(beta, s));
    reveal(d);
  });

  // Canaries last: their reports are expected, so the verdict is this program's exit code, not
  // valgrind's --error-exitcode.
  expect_leak("canary: a branch on a secret byte", [&] {
    volatile unsigned char byte = 0x5a;
    secret(const_cast<unsigned char*>(&byte), 1);
    volatile int sink = 0;
    if (byte & 1) sink = sink + 1;
    (void)sink;
  });
  expect_leak("canary: OpenSSL's variable-time exponentiation (pow_public)", [&] {
    BigInt e = BigInt::random_bits(rng, 1024);
    secret(e);
    BigInt r = modexp::pow_public(base, e, m);
    reveal(r);
  });
  expect_leak("canary: GMP's mpz multiplication and division", [&] {
    BigInt a = BigInt::random_bits(rng, 2000);
    secret(a);
    BigInt r = (a * a).mod(m);
    reveal(r);
  });

  if (VALGRIND_COUNT_ERRORS != canary_reports) {
    std::printf("memcheck reported %u errors outside the cases above\n", VALGRIND_COUNT_ERRORS - canary_reports);
    ++failures;
  }
  std::printf("%s\n", failures == 0 ? "all cases constant time; every canary detected" : "FAILED: see above");
  return failures == 0 ? 0 : 1;
}
