// Paillier property tests. Most run on a small (512-bit N) key built from
// hard-coded 256-bit safe primes, so they are fast; a subset repeats on the
// 2048-bit fixture keys (tests/paillier_fixtures.h). No test generates primes.
#include <vector>

#include "crypto/bigint.h"
#include "crypto/paillier.h"
#include "crypto/rng.h"
#include "tests/paillier_fixtures.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

// 256-bit safe primes with the top two bits set (openssl prime -generate -safe), so N has 512 bits.
const char* const kSmallP = "fd279ef47592e9494d40f71c1426395f53c9a71127d8c7d51b27978739aab873";
const char* const kSmallQ = "c2b18ebd275fc45d377b945e010393957890132906c1859b01d8c0e9736e1a5f";
// A 256-bit prime ≡ 1 mod 4 (top two bits set).
const char* const kPrime1Mod4 = "f50d6bc74522c61790abc40b037fb0a5584d5051cfadbe7d8eaa474ca03b7219";
// A 256-bit prime ≡ 3 mod 4 that is not a safe prime ((p-1)/2 is composite).
const char* const kNonSafePrime3Mod4 = "e1c55009efdeb3e8289828ae12e264863916ef29b6b0dd440a2cad14fc320583";
// Two 256-bit primes ≡ 3 mod 4 just above 2^255: their product has only 511 bits.
const char* const kLowPrimeA = "800000000000000000000000000000000000000000000000000000000000005f";
const char* const kLowPrimeB = "8000000000000000000000000000000000000000000000000000000000000113";

const PaillierSecretKey& small_key() {
  static const PaillierSecretKey sk = [] {
    auto r = PaillierSecretKey::from_primes(BigInt::from_hex(kSmallP), BigInt::from_hex(kSmallQ), 512, true);
    if (!r.ok()) std::abort();
    return std::move(r).value();
  }();
  return sk;
}

const PaillierSecretKey& fixture_key() {
  static const PaillierSecretKey sk = [] {
    auto primes = custos::testing::load_test_safe_primes();
    auto r = PaillierSecretKey::from_primes(primes.at(0).first, primes.at(0).second, 2048);
    if (!r.ok()) std::abort();
    return std::move(r).value();
  }();
  return sk;
}

// Uniform in the centred plaintext range [-(N-1)/2, (N-1)/2].
BigInt random_plaintext(Rng& rng, const BigInt& n) { return BigInt::random_symmetric(rng, n >> 1); }

void round_trip_properties(const PaillierSecretKey& sk, Rng& rng, int iterations) {
  const PaillierPublicKey& pk = sk.public_key();
  const BigInt& n = pk.n();
  const BigInt half = n >> 1;  // (N-1)/2
  for (int i = 0; i < iterations; ++i) {
    BigInt m1 = random_plaintext(rng, n);
    BigInt m2 = random_plaintext(rng, n);
    BigInt rho1 = BigInt::random_unit(rng, n), rho2 = BigInt::random_unit(rng, n);
    BigInt c1 = pk.encrypt(m1, rho1);
    BigInt c2 = sk.encrypt(m2, rho2);
    REQUIRE(pk.is_ciphertext(c1));
    REQUIRE(pk.is_ciphertext(c2));
    // CRT and public encryption agree for the same randomness.
    CHECK(sk.encrypt(m1, rho1) == c1);
    CHECK(pk.encrypt(m2, rho2) == c2);
    CHECK(sk.rho_pow_n(rho1) == pk.rho_pow_n(rho1));
    CHECK(sk.decrypt(c1) == m1);
    CHECK(sk.decrypt(c2) == m2);
    CHECK(sk.recover_rho(c1) == rho1);
    CHECK(sk.recover_rho(c2) == rho2);
    // Homomorphic addition, with the sum wrapped back into the centred range.
    BigInt sum = (m1 + m2).mod(n);
    if (sum > half) sum -= n;
    CHECK(sk.decrypt(pk.add(c1, c2)) == sum);
    // Scaling by a signed scalar (small enough not to wrap, and a wrapping one).
    BigInt k = BigInt::random_symmetric(rng, BigInt::power_of_two(64));
    BigInt small_m = BigInt::random_symmetric(rng, BigInt::power_of_two(128));
    BigInt cs = pk.encrypt(small_m, rho1);
    CHECK(sk.decrypt(pk.scale(cs, k)) == small_m * k);
    CHECK(sk.decrypt(pk.scale(cs, -k)) == -(small_m * k));
    BigInt big_k = BigInt::random_symmetric(rng, n);
    BigInt prod = (m1 * big_k).mod(n);
    if (prod > half) prod -= n;
    CHECK(sk.decrypt(pk.scale(c1, big_k)) == prod);
    // enc(a)·enc(b)^-1 decrypts to a - b.
    CHECK(sk.decrypt(pk.add(c1, pk.scale(cs, BigInt(-1)))) == [&] {
      BigInt d = (m1 - small_m).mod(n);
      if (d > half) d -= n;
      return d;
    }());
  }
}

}  // namespace

TEST_CASE("paillier: small key constants", "[paillier]") {
  const PaillierSecretKey& sk = small_key();
  CHECK(sk.n().bit_length() == 512);
  CHECK(sk.n() == sk.p() * sk.q());
  CHECK(sk.phi() == (sk.p() - BigInt(1)) * (sk.q() - BigInt(1)));
  CHECK(sk.public_key().n2() == sk.n() * sk.n());
}

TEST_CASE("paillier: the constant-time key set-up gives the textbook constants", "[paillier]") {
  // from_primes computes φ, p², N⁻¹ mod φ (CRT over 4 and φ/4), ((φ+4)/8)², the CRT inverses and h_p,
  // h_q without GMP's variable-time arithmetic; here each is recomputed with plain mpz formulas.
  std::vector<std::pair<BigInt, BigInt>> pairs = testing::load_test_safe_primes();
  pairs.resize(3);
  pairs.emplace_back(BigInt::from_hex(kSmallP), BigInt::from_hex(kSmallQ));
  pairs.emplace_back(BigInt::from_hex(kSmallQ), BigInt::from_hex(kSmallP));  // p > q as well as p < q
  for (const auto& [p, q] : pairs) {
    const unsigned bits = 2 * p.bit_length();
    auto key = PaillierSecretKey::from_primes(p, q, bits);
    REQUIRE(key.ok());
    const BigInt n = p * q, phi = (p - BigInt(1)) * (q - BigInt(1)), d = (phi + BigInt(4)) >> 3;
    auto inv = [](const BigInt& a, const BigInt& m) { return *BigInt::invert(a, m); };
    auto h = [&](const BigInt& r) {
      BigInt g = BigInt::powm_unit(n + BigInt(1), r - BigInt(1), r * r);
      return inv((g - BigInt(1)).div_floor(r), r);
    };
    // The order of PaillierSecretKey::secret_values().
    const std::vector<BigInt> expected = {
        p, q, phi, p * p, q * q, p * (p - BigInt(1)), q * (q - BigInt(1)), p - BigInt(1), q - BigInt(1),
        q.mod(p - BigInt(1)), p.mod(q - BigInt(1)), inv(p * p, q * q), inv(p, q), h(p), h(q), inv(n, phi), d * d};
    const std::vector<const BigInt*> got = key->secret_values();
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      INFO("N bits " << bits << ", secret value #" << i);
      CHECK(*got[i] == expected[i]);
    }
    CHECK((key->n_inv_mod_phi() * n).mod(phi) == BigInt(1));
  }
}

TEST_CASE("paillier: signed round trip incl. the ±(N-1)/2 boundaries", "[paillier]") {
  CUSTOS_SEEDED_RNG(rng, 1601);
  for (const PaillierSecretKey* sk : {&small_key(), &fixture_key()}) {
    const PaillierPublicKey& pk = sk->public_key();
    const BigInt& n = pk.n();
    const BigInt half = n >> 1;
    INFO("N bits " << n.bit_length());
    std::vector<BigInt> ms = {BigInt(0), BigInt(1), BigInt(-1), BigInt(2), BigInt(-2), half, -half,
                              half - BigInt(1), -half + BigInt(1)};
    for (const BigInt& m : ms) {
      BigInt rho = BigInt::random_unit(rng, n);
      BigInt c = pk.encrypt(m, rho);
      CHECK(sk->decrypt(c) == m);
      CHECK(sk->encrypt(m, rho) == c);
    }
    // Plaintexts are taken mod N: N - 5 and -5 are the same plaintext, decrypted as -5.
    BigInt rho = BigInt::random_unit(rng, n);
    CHECK(pk.encrypt(n - BigInt(5), rho) == pk.encrypt(BigInt(-5), rho));
    CHECK(sk->decrypt(pk.encrypt(n - BigInt(5), rho)) == BigInt(-5));
    // (N+1)/2 is just past the top of the centred range and wraps to -(N-1)/2.
    CHECK(sk->decrypt(pk.encrypt(half + BigInt(1), rho)) == -half);
    CHECK(sk->decrypt(pk.encrypt(-half - BigInt(1), rho)) == half);
    CHECK(sk->decrypt(pk.encrypt(n, rho)) == BigInt(0));
    // (1+N)^m = 1 + (m mod N)·N.
    CHECK(pk.one_plus_n_pow(BigInt(-1)) == ((n - BigInt(1)) * n + BigInt(1)));
    CHECK(pk.one_plus_n_pow(BigInt(0)) == BigInt(1));
  }
}

TEST_CASE("paillier: the constant-time encryption and ⊕ agree with the plain formulas", "[paillier]") {
  CUSTOS_SEEDED_RNG(rng, 1604);
  for (const PaillierSecretKey* sk : {&small_key(), &fixture_key()}) {
    const PaillierPublicKey& pk = sk->public_key();
    const BigInt& n = pk.n();
    const size_t limbs = (n.bit_length() + 63) / 64;
    INFO("N bits " << n.bit_length());
    // Plaintexts of fewer limbs than N, of either sign, go straight to the branch-free product; longer
    // ones (Πdec's mask is about 120 bits longer than N) are first reduced with the constant-time
    // division. Both must give enc(m; ρ) = (1 + (m mod N)·N)·ρ^N mod N², with or without the key.
    const BigInt longest = BigInt::power_of_two(static_cast<unsigned>(64 * (limbs - 1))) - BigInt(1);
    std::vector<BigInt> ms = {BigInt(0), BigInt(7), BigInt(-7), longest, -longest, longest + BigInt(1),
                              -(longest + BigInt(1)), n - BigInt(1), -(n - BigInt(1)), n, -n, n + BigInt(3)};
    for (int i = 0; i < 6; ++i) ms.push_back(BigInt::random_symmetric(rng, longest));
    for (int i = 0; i < 6; ++i) ms.push_back(BigInt::random_symmetric(rng, BigInt::power_of_two(n.bit_length() + 122)));
    for (const BigInt& m : ms) {
      INFO("m = " << m.to_hex());
      const BigInt rho = BigInt::random_unit(rng, n);
      const BigInt expected = ((m.mod(n) * n + BigInt(1)) * BigInt::powm_unit(rho, n, pk.n2())).mod(pk.n2());
      CHECK(pk.encrypt(m, rho) == expected);
      CHECK(sk->encrypt(m, rho) == expected);
      CHECK(sk->decrypt(pk.encrypt(m, rho)) == sk->decrypt(expected));
    }
    for (int i = 0; i < 6; ++i) {
      const BigInt c1 = pk.encrypt(BigInt::random_symmetric(rng, longest), BigInt::random_unit(rng, n));
      const BigInt c2 = pk.encrypt(BigInt::random_symmetric(rng, longest), BigInt::random_unit(rng, n));
      CHECK(pk.add_secret(c1, c2) == pk.add(c1, c2));
    }
    CHECK(pk.add_secret(BigInt(1), pk.n2() - BigInt(1)) == pk.n2() - BigInt(1));
  }
}

TEST_CASE("paillier: homomorphic properties, CRT encryption and recover_rho (512-bit N)", "[paillier]") {
  CUSTOS_SEEDED_RNG(rng, 1602);
  round_trip_properties(small_key(), rng, 60);
}

TEST_CASE("paillier: homomorphic properties, CRT encryption and recover_rho (2048-bit fixture)", "[paillier]") {
  CUSTOS_SEEDED_RNG(rng, 1603);
  round_trip_properties(fixture_key(), rng, 6);
}

TEST_CASE("paillier: centred decryption of negative values", "[paillier]") {
  // The CGGMP21 trap (notes §0): reducing the [0, N) representative mod q gives the wrong value.
  CUSTOS_SEEDED_RNG(rng, 1604);
  const PaillierSecretKey& sk = small_key();
  const PaillierPublicKey& pk = sk.public_key();
  const BigInt q = BigInt::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
  for (int i = 0; i < 30; ++i) {
    BigInt beta = -BigInt::random_bits(rng, 200) - BigInt(1);  // negative, as β' is half the time
    BigInt c = pk.encrypt(beta, BigInt::random_unit(rng, pk.n()));
    BigInt m = sk.decrypt(c);
    CHECK(m == beta);
    CHECK(m.sign() < 0);
    CHECK(m.mod(q) == beta.mod(q));
    CHECK((m + pk.n()).mod(q) != beta.mod(q));  // the uncentred representative would be wrong
  }
}

TEST_CASE("paillier: pow_mod_n2 and pow_mod_n agree with plain powm", "[paillier]") {
  CUSTOS_SEEDED_RNG(rng, 1605);
  for (const PaillierSecretKey* sk : {&small_key(), &fixture_key()}) {
    const BigInt& n = sk->n();
    const BigInt& n2 = sk->public_key().n2();
    int iterations = n.bit_length() > 1000 ? 4 : 40;
    for (int i = 0; i < iterations; ++i) {
      BigInt b2 = BigInt::random_unit(rng, n2);
      BigInt b1 = BigInt::random_unit(rng, n);
      std::vector<BigInt> exps = {BigInt(0),
                                  BigInt(1),
                                  BigInt(-1),
                                  BigInt::random_symmetric(rng, n),
                                  BigInt::random_symmetric(rng, BigInt::power_of_two(3000)),
                                  sk->phi(),
                                  -sk->phi(),
                                  n * sk->phi() + BigInt(3)};
      for (const BigInt& e : exps) {
        CHECK(sk->pow_mod_n2(b2, e) == *BigInt::powm(b2, e, n2));
        CHECK(sk->pow_mod_n(b1, e) == *BigInt::powm(b1, e, n));
      }
    }
  }
}

TEST_CASE("paillier: is_ciphertext", "[paillier]") {
  CUSTOS_SEEDED_RNG(rng, 1606);
  const PaillierSecretKey& sk = small_key();
  const PaillierPublicKey& pk = sk.public_key();
  const BigInt& n = pk.n();
  const BigInt& n2 = pk.n2();
  CHECK_FALSE(pk.is_ciphertext(BigInt(0)));
  CHECK_FALSE(pk.is_ciphertext(n2));
  CHECK_FALSE(pk.is_ciphertext(n2 + BigInt(1)));
  CHECK_FALSE(pk.is_ciphertext(BigInt(-1)));
  CHECK_FALSE(pk.is_ciphertext(n));
  CHECK_FALSE(pk.is_ciphertext(sk.p()));
  CHECK_FALSE(pk.is_ciphertext(sk.q()));
  CHECK_FALSE(pk.is_ciphertext(sk.p() * BigInt(7)));
  CHECK_FALSE(pk.is_ciphertext(sk.q() * sk.q()));
  for (int i = 0; i < 20; ++i) {
    BigInt k = BigInt::random_below(rng, sk.q() * sk.q()) + BigInt(1);
    CHECK_FALSE(pk.is_ciphertext(sk.p() * k));  // every multiple of p below N^2
  }
  CHECK(pk.is_ciphertext(BigInt(1)));
  CHECK(pk.is_ciphertext(n2 - BigInt(1)));
  CHECK(pk.is_ciphertext(n + BigInt(1)));
  CHECK(pk.is_ciphertext(pk.encrypt(BigInt(42), BigInt::random_unit(rng, n))));
  CHECK(pk.is_unit(BigInt(1)));
  CHECK_FALSE(pk.is_unit(sk.p()));
  CHECK_FALSE(pk.is_unit(n));
}

TEST_CASE("paillier: from_primes validation", "[paillier]") {
  const BigInt p = BigInt::from_hex(kSmallP), q = BigInt::from_hex(kSmallQ);
  REQUIRE(PaillierSecretKey::from_primes(p, q, 512).ok());
  REQUIRE(PaillierSecretKey::from_primes(q, p, 512, true).ok());
  auto rejects = [](const BigInt& a, const BigInt& b, unsigned bits, bool check_safe = false) {
    auto r = PaillierSecretKey::from_primes(a, b, bits, check_safe);
    INFO(r.status());
    CHECK_FALSE(r.ok());
  };
  rejects(p, p, 512);                                       // equal primes
  rejects(BigInt::from_hex(kPrime1Mod4), q, 512);           // p ≡ 1 mod 4
  rejects(q, BigInt::from_hex(kPrime1Mod4), 512);           // q ≡ 1 mod 4
  rejects(p, q, 2048);                                      // wrong size for the requested modulus
  rejects(p, q, 510);
  rejects(p, q, 514);
  rejects(BigInt::from_hex(kLowPrimeA), BigInt::from_hex(kLowPrimeB), 512);  // N has only 511 bits
  BigInt composite = q + BigInt(4);  // ≡ 3 mod 4, 256 bits, divisible by 3
  while (composite.mod_u64(3) != 0) composite += BigInt(4);
  REQUIRE(composite.bit_length() == 256);
  rejects(p, composite, 512);                               // not prime
  rejects(p, BigInt::from_hex(kNonSafePrime3Mod4), 512, true);  // prime but not safe, with check_safe
  CHECK(PaillierSecretKey::from_primes(p, BigInt::from_hex(kNonSafePrime3Mod4), 512, false).ok());
}

TEST_CASE("paillier: public key from_modulus", "[paillier]") {
  const BigInt n = small_key().n();
  REQUIRE(PaillierPublicKey::from_modulus(n, 512).ok());
  CHECK(*PaillierPublicKey::from_modulus(n, 512) == small_key().public_key());
  CHECK_FALSE(PaillierPublicKey::from_modulus(n, 2048).ok());
  CHECK_FALSE(PaillierPublicKey::from_modulus(n + BigInt(1), 512).ok());  // even
  CHECK_FALSE(PaillierPublicKey::from_modulus(n >> 1, 512).ok());
  CHECK(PaillierPublicKey::from_modulus(fixture_key().n()).ok());          // default 2048 bits
}
