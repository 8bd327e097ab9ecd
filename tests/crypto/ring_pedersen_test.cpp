// Ring-Pedersen parameters: validation in create() and agreement of the three
// commitment paths (constant-time, CRT, public) for signed exponents.
#include <vector>

#include "crypto/bigint.h"
#include "crypto/paillier.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "tests/paillier_fixtures.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

// Same hard-coded 256-bit safe primes as paillier_test.cpp (N of 512 bits).
const char* const kRpP = "fd279ef47592e9494d40f71c1426395f53c9a71127d8c7d51b27978739aab873";
const char* const kRpQ = "c2b18ebd275fc45d377b945e010393957890132906c1859b01d8c0e9736e1a5f";

const PaillierSecretKey& rp_small_key() {
  static const PaillierSecretKey sk = [] {
    auto r = PaillierSecretKey::from_primes(BigInt::from_hex(kRpP), BigInt::from_hex(kRpQ), 512);
    if (!r.ok()) std::abort();
    return std::move(r).value();
  }();
  return sk;
}

void check_commit_paths(const RingPedersenSecret& secret, Rng& rng, int iterations) {
  const RingPedersenParams& params = secret.params();
  const BigInt& n = params.n();
  std::vector<BigInt> fixed = {BigInt(0), BigInt(1), BigInt(-1), n, -n, secret.phi(), -secret.phi()};
  for (int i = 0; i < iterations + static_cast<int>(fixed.size()); ++i) {
    BigInt x, y;
    if (i < static_cast<int>(fixed.size())) {
      x = fixed[static_cast<size_t>(i)];
      y = fixed[fixed.size() - 1 - static_cast<size_t>(i)];
    } else {
      // Exponent sizes as in the proofs: up to ±2^ℓ·N̂ and ±2^(ℓ+ε)·N̂.
      x = BigInt::random_symmetric(rng, n << 256);
      y = BigInt::random_symmetric(rng, n << 768);
    }
    BigInt ct = params.commit(x, y);
    BigInt pub = params.commit_public(x, y);
    BigInt crt = secret.commit_crt(x, y);
    CHECK(ct == pub);
    CHECK(crt == pub);
    CHECK(pub == (*BigInt::powm(params.s(), x, n) * *BigInt::powm(params.t(), y, n)).mod(n));
    // pow / pow_crt agree too, and negative exponents invert.
    BigInt a = BigInt::random_unit(rng, n);
    CHECK(params.pow(a, x) == secret.pow_crt(a, x));
    CHECK(params.mul(params.pow(a, x), params.pow(a, -x)) == BigInt(1));
  }
}

}  // namespace

TEST_CASE("ring-pedersen: generated parameters are valid and s = t^lambda", "[ring_pedersen]") {
  CUSTOS_SEEDED_RNG(rng, 1701);
  RingPedersenSecret secret = RingPedersenSecret::generate(rng, rp_small_key());
  const RingPedersenParams& params = secret.params();
  CHECK(params.n() == rp_small_key().n());
  CHECK(params.is_unit(params.s()));
  CHECK(params.is_unit(params.t()));
  CHECK(params.s() == *BigInt::powm(params.t(), secret.lambda(), params.n()));
  CHECK(secret.lambda() < secret.phi());
  // t is a quadratic residue: Jacobi symbol +1 mod p and mod q.
  CHECK(BigInt::jacobi(params.t(), rp_small_key().p()) == 1);
  CHECK(BigInt::jacobi(params.t(), rp_small_key().q()) == 1);
  auto again = RingPedersenParams::create(params.n(), params.s(), params.t(), 512);
  REQUIRE(again.ok());
  CHECK(*again == params);
}

TEST_CASE("ring-pedersen: create() rejections", "[ring_pedersen]") {
  CUSTOS_SEEDED_RNG(rng, 1702);
  const PaillierSecretKey& key = rp_small_key();
  const BigInt& n = key.n();
  RingPedersenSecret secret = RingPedersenSecret::generate(rng, key);
  const BigInt s = secret.params().s(), t = secret.params().t();
  REQUIRE(RingPedersenParams::create(n, s, t, 512).ok());
  auto rejects = [&](const BigInt& nn, const BigInt& ss, const BigInt& tt, unsigned bits, const char* why) {
    auto r = RingPedersenParams::create(nn, ss, tt, bits);
    INFO(why << ": " << r.status());
    CHECK_FALSE(r.ok());
  };
  rejects(n, t, t, 512, "s = t");
  rejects(n, s, s, 512, "s = t (other value)");
  rejects(n, BigInt(1), t, 512, "s = 1");
  rejects(n, s, BigInt(1), 512, "t = 1");
  rejects(n, n - BigInt(1), t, 512, "s = N-1");
  rejects(n, s, n - BigInt(1), 512, "t = N-1");
  rejects(n, key.p(), t, 512, "s not a unit (p)");
  rejects(n, s, key.q(), 512, "t not a unit (q)");
  rejects(n, s, key.p() * BigInt(3), 512, "t not a unit (3p)");
  rejects(n, BigInt(0), t, 512, "s = 0");
  rejects(n, s, BigInt(0), 512, "t = 0");
  rejects(n, n, t, 512, "s = N");
  rejects(n, s, n + t, 512, "t not reduced");
  rejects(n, -s, t, 512, "negative s");
  rejects(n, s, t, 2048, "wrong bit size");
  rejects(n, s, t, 511, "wrong bit size");
  rejects(n + BigInt(1), s, t, 512, "even modulus");
}

TEST_CASE("ring-pedersen: commit == commit_public == commit_crt (512-bit N)", "[ring_pedersen]") {
  CUSTOS_SEEDED_RNG(rng, 1703);
  RingPedersenSecret secret = RingPedersenSecret::generate(rng, rp_small_key());
  check_commit_paths(secret, rng, 60);
}

TEST_CASE("ring-pedersen: commit == commit_public == commit_crt (2048-bit fixture)", "[ring_pedersen]") {
  CUSTOS_SEEDED_RNG(rng, 1704);
  auto primes = custos::testing::load_test_safe_primes();
  auto key = PaillierSecretKey::from_primes(primes.at(1 % primes.size()).first, primes.at(1 % primes.size()).second);
  REQUIRE(key.ok());
  RingPedersenSecret secret = RingPedersenSecret::generate(rng, *key);
  CHECK(secret.params().n().bit_length() == 2048);
  check_commit_paths(secret, rng, 4);
}

TEST_CASE("ring-pedersen: pow_t (comb table) == t^e by plain exponentiation, at the table's edges and beyond",
          "[ring_pedersen]") {
  CUSTOS_SEEDED_RNG(rng, 1705);
  auto primes = custos::testing::load_test_safe_primes();
  auto key = PaillierSecretKey::from_primes(primes.at(0).first, primes.at(0).second);
  REQUIRE(key.ok());
  RingPedersenSecret secret = RingPedersenSecret::generate(rng, *key);
  const RingPedersenParams& params = secret.params();
  const BigInt& n = params.n();
  const unsigned edge = RingPedersenParams::kCommitTableBits;
  std::vector<BigInt> exps = {BigInt(0), BigInt(1), BigInt(2), n - BigInt(1), n, secret.phi(),
                              BigInt::power_of_two(edge) - BigInt(1),  // the largest the table covers
                              BigInt::power_of_two(edge),              // the first one it does not
                              BigInt::power_of_two(edge + 100) + BigInt(12345)};
  for (int i = 0; i < 8; ++i) exps.push_back(BigInt::random_below(rng, n));
  for (const BigInt& e : exps) {
    INFO("e has " << e.bit_length() << " bits");
    CHECK(params.pow_t(e) == BigInt::powm_unit(params.t(), e, n));
  }
  // A copy shares the tables and agrees.
  const RingPedersenParams copy = params;
  CHECK(copy.pow_t(exps.back()) == BigInt::powm_unit(params.t(), exps.back(), n));
}

TEST_CASE("ring-pedersen: pow_t_crt (CRT comb tables) == t^e mod N̂", "[ring_pedersen]") {
  CUSTOS_SEEDED_RNG(rng, 1706);
  auto primes = custos::testing::load_test_safe_primes();
  auto key = PaillierSecretKey::from_primes(primes.at(0).first, primes.at(0).second);
  REQUIRE(key.ok());
  RingPedersenSecret secret = RingPedersenSecret::generate(rng, *key);
  const BigInt& n = secret.params().n();
  const BigInt& phi = secret.phi();
  std::vector<BigInt> exps = {BigInt(0), BigInt(1), phi - BigInt(1), phi, phi + BigInt(1), n, n << 300};
  for (int i = 0; i < 8; ++i) exps.push_back(BigInt::random_below(rng, phi));
  for (const BigInt& e : exps) {
    INFO("e has " << e.bit_length() << " bits");
    CHECK(secret.pow_t_crt(e) == BigInt::powm_unit(secret.params().t(), e, n));
  }
  // A negative exponent takes the plain CRT path: t^(−e) is the inverse of t^e.
  const BigInt e = BigInt::random_below(rng, phi);
  CHECK((secret.pow_t_crt(-e) * BigInt::powm_unit(secret.params().t(), e, n)).mod(n) == BigInt(1));
}
