// Fixed-base comb exponentiation (crypto/fixed_base.h) against BigInt::powm.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <vector>

#include "crypto/bigint.h"
#include "crypto/fixed_base.h"
#include "crypto/rng.h"
#include "crypto/ring_pedersen.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

BigInt odd_modulus(Rng& rng, unsigned bits) {
  BigInt m = BigInt::random_bits(rng, bits - 1) + BigInt::power_of_two(bits - 1);
  if (!m.is_odd()) m += BigInt(1);
  return m;
}

BigInt reference(const BigInt& b, const BigInt& e, const BigInt& m) { return BigInt::powm_unit(b, e, m); }

// Runs f in a child process and reports whether it died from SIGABRT (the
// child drops Catch2's signal handler so that the abort is not reported as a failure).
template <typename F>
bool aborts(F f) {
  pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGABRT, SIG_DFL);
    f();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

}  // namespace

namespace {
// Both representations on every machine, and whatever this CPU picks (radix 2^52 with IFMA), for each
// modulus size.
const MontgomeryContext::Radix kRadixes[] = {MontgomeryContext::Radix::limbs64,
                                             MontgomeryContext::Radix::digits52_portable,
                                             MontgomeryContext::Radix::automatic};
std::vector<std::pair<MontgomeryContext::Radix, unsigned>> context_cases(std::initializer_list<unsigned> sizes) {
  std::vector<std::pair<MontgomeryContext::Radix, unsigned>> out;
  for (auto radix : kRadixes) {
    for (unsigned bits : sizes) out.emplace_back(radix, bits);
  }
  return out;
}
}  // namespace

TEST_CASE("fixed_base: Montgomery context round trip and products", "[fixed_base]") {
  CUSTOS_SEEDED_RNG(rng, 101);
  for (const auto& [radix, bits] : context_cases({64u, 65u, 512u, 1024u, 2048u, 4096u})) {
    BigInt m = odd_modulus(rng, bits);
    MontgomeryContext ctx(m, radix);
    INFO("bits " << bits << ", radix 2^52: " << ctx.radix52());
    const size_t n = ctx.width();
    std::vector<mp_limb_t> a(n), b(n), r(n), s(ctx.scratch_limbs());
    for (int i = 0; i < 10; ++i) {
      BigInt x = BigInt::random_below(rng, m), y = BigInt::random_below(rng, m);
      ctx.to_mont(a.data(), x);
      ctx.to_mont(b.data(), y);
      CHECK(ctx.from_mont(a.data(), s.data()) == x);
      ctx.mul(r.data(), a.data(), b.data(), s.data());
      CHECK(ctx.from_mont(r.data(), s.data()) == (x * y).mod(m));
      ctx.sqr(r.data(), a.data(), s.data());
      CHECK(ctx.from_mont(r.data(), s.data()) == (x * x).mod(m));
    }
    // m − 1 squared is 1; 0 stays 0.
    ctx.to_mont(a.data(), m - BigInt(1));
    ctx.sqr(r.data(), a.data(), s.data());
    CHECK(ctx.from_mont(r.data(), s.data()) == BigInt(1));
    ctx.to_mont(a.data(), BigInt(0));
    CHECK(ctx.from_mont(a.data(), s.data()) == BigInt(0));
  }
}

TEST_CASE("fixed_base: the context's select returns the entry asked for", "[fixed_base]") {
  CUSTOS_SEEDED_RNG(rng, 109);
  for (const auto& [radix, bits] : context_cases({1024u, 2048u, 4096u})) {
    const BigInt m = odd_modulus(rng, bits);
    const MontgomeryContext ctx(m, radix);
    const size_t n = ctx.width(), entries = 23;
    std::vector<mp_limb_t> table(entries * n), out(n), scratch(ctx.scratch_limbs());
    std::vector<BigInt> values;
    for (size_t i = 0; i < entries; ++i) {
      values.push_back(BigInt::random_below(rng, m));
      ctx.to_mont(table.data() + i * n, values.back());
    }
    for (size_t index : {size_t{0}, size_t{1}, size_t{11}, entries - 1}) {
      INFO("bits " << bits << ", radix 2^52: " << ctx.radix52() << ", index " << index);
      ctx.select(out.data(), table.data(), entries, index);
      CHECK(ctx.from_mont(out.data(), scratch.data()) == values[index]);
    }
  }
}

TEST_CASE("fixed_base: mul_mod matches a·b mod m, unreduced operands included; longer ones abort", "[fixed_base]") {
  CUSTOS_SEEDED_RNG(rng, 107);
  for (const auto& [radix, bits] : context_cases({64u, 130u, 1024u, 2048u, 4096u})) {
    const BigInt m = odd_modulus(rng, bits);
    const MontgomeryContext ctx(m, radix);
    // Operands have at most m's limb count.
    const BigInt r = BigInt::power_of_two(static_cast<unsigned>(64 * mpz_size(m.get())));
    std::vector<BigInt> values = {BigInt(0), BigInt(1), m - BigInt(1), r - BigInt(1), m, m + BigInt(1)};
    for (int i = 0; i < 8; ++i) values.push_back(BigInt::random_below(rng, m));
    for (const BigInt& a : values) {
      for (const BigInt& b : values) {
        INFO("bits " << bits << ", radix 2^52: " << ctx.radix52() << ", a = " << a.to_hex() << ", b = " << b.to_hex());
        CHECK(ctx.mul_mod(a, b) == (a * b).mod(m));
      }
    }
    CHECK(aborts([&] { (void)ctx.mul_mod(r, BigInt(1)); }));   // one limb too many
    CHECK(aborts([&] { (void)ctx.mul_mod(BigInt(-1), BigInt(1)); }));
  }
}

TEST_CASE("modexp: pow_sec, pow_public and pow2_public match powm, bases at and above m included", "[fixed_base]") {
  CUSTOS_SEEDED_RNG(rng, 108);
  for (unsigned bits : {64u, 1024u, 4096u}) {
    const BigInt m = odd_modulus(rng, bits);
    // pow_sec hands a base of m's limb count to OpenSSL unreduced; longer or negative ones are reduced first.
    std::vector<BigInt> bases = {BigInt(0),        BigInt(1),
                                 m - BigInt(1),    m,
                                 m + BigInt(5),    BigInt::power_of_two(bits) - BigInt(1),
                                 m * BigInt(3) + BigInt(7), -(m + BigInt(2)),
                                 BigInt::random_below(rng, m)};
    for (const BigInt& b : bases) {
      const BigInt e = BigInt::random_bits(rng, 300), f = BigInt::random_bits(rng, 200);
      INFO("bits " << bits << ", base " << b.to_hex());
      const BigInt expected = reference(b.mod(m), e, m);
      CHECK(modexp::pow_sec(b, e, m) == expected);
      CHECK(modexp::pow_public(b, e, m) == expected);
      CHECK(modexp::pow2_public(b, e, m - BigInt(2), f, m) == (expected * reference(m - BigInt(2), f, m)).mod(m));
      CHECK(modexp::pow_sec(b, BigInt(0), m) == BigInt(1));
    }
  }
}

TEST_CASE("fixed_base: pow matches powm for random exponents, 0, 1 and the maximum length", "[fixed_base]") {
  CUSTOS_SEEDED_RNG(rng, 102);
  struct Shape {
    unsigned mod_bits, max_bits, rows, cols;
  };
  for (Shape sh : {Shape{2048, 2880, FixedBaseExp::kDefaultRows, FixedBaseExp::kDefaultCols}, Shape{1024, 1024, 5, 32},
                   Shape{512, 300, 3, 7}, Shape{256, 64, 1, 1}, Shape{192, 100, 6, 64}}) {
    INFO("modulus " << sh.mod_bits << " bits, max " << sh.max_bits << ", rows " << sh.rows << ", cols " << sh.cols);
    BigInt m = odd_modulus(rng, sh.mod_bits);
    BigInt b = BigInt::random_unit(rng, m);
    FixedBaseExp fb(b, m, sh.max_bits, true, sh.rows, sh.cols);
    FixedBaseExp fu(b, m, sh.max_bits, false, sh.rows, sh.cols);
    const BigInt top = BigInt::power_of_two(sh.max_bits) - BigInt(1);  // largest allowed magnitude
    std::vector<BigInt> exps = {BigInt(0), BigInt(1), BigInt(2), top, top >> 1, BigInt::power_of_two(sh.max_bits - 1)};
    for (int i = 0; i < 12; ++i) exps.push_back(BigInt::random_bits(rng, 1 + static_cast<unsigned>(rng.next_u64() % sh.max_bits)));
    for (const BigInt& e : exps) {
      INFO("e = " << e.to_hex());
      BigInt want = reference(b, e, m);
      CHECK(fb.pow(e) == want);
      CHECK(fu.pow(e) == want);
      CHECK(fb.pow_signed(e) == want);
      CHECK(fb.pow_signed(-e) == reference(b, -e, m));
      // Tighter public bounds give the same value.
      unsigned bits = e.is_zero() ? 1 : e.bit_length();
      CHECK(fb.pow(e, bits) == want);
      CHECK(fb.pow_signed(e, bits) == want);
      CHECK(fb.pow_signed(-e, bits) == reference(b, -e, m));
    }
  }
}

TEST_CASE("fixed_base: base not reduced, base 1 and a non-unit base (unsigned)", "[fixed_base]") {
  CUSTOS_SEEDED_RNG(rng, 103);
  BigInt m = odd_modulus(rng, 512);
  while (m.mod_u64(5) == 0) m += BigInt(2);  // signed tables need base 5 to be a unit
  BigInt e = BigInt::random_bits(rng, 700);
  BigInt big_base = m * BigInt(3) + BigInt(5);
  CHECK(FixedBaseExp(big_base, m, 700).pow(e) == reference(BigInt(5), e, m));
  CHECK(FixedBaseExp(BigInt(1), m, 700).pow_signed(-e) == BigInt(1));
  // m = 3·k: 3 is not a unit, unsigned tables still work.
  BigInt m3 = odd_modulus(rng, 300) * BigInt(3);
  CHECK(FixedBaseExp(BigInt(3), m3, 200, false).pow(e >> 500) == reference(BigInt(3), e >> 500, m3));
  CHECK(FixedBaseExp(BigInt(3), m3, 200, false).pow(BigInt(0)) == BigInt(1));
}

TEST_CASE("fixed_base: pow2_signed matches the product of two powers", "[fixed_base]") {
  CUSTOS_SEEDED_RNG(rng, 104);
  BigInt m = odd_modulus(rng, 2048);
  BigInt s = BigInt::random_unit(rng, m), t = BigInt::random_unit(rng, m);
  FixedBaseExp fs(s, m, 2880), ft(t, m, 2880);
  for (int i = 0; i < 16; ++i) {
    BigInt x = BigInt::random_symmetric(rng, BigInt::power_of_two(1 + static_cast<unsigned>(rng.next_u64() % 2879)));
    BigInt y = BigInt::random_symmetric(rng, BigInt::power_of_two(1 + static_cast<unsigned>(rng.next_u64() % 2879)));
    if (i == 0) x = BigInt(0);
    if (i == 1) y = -(BigInt::power_of_two(2880) - BigInt(1));
    BigInt want = (reference(s, x, m) * reference(t, y, m)).mod(m);
    CHECK(FixedBaseExp::pow2_signed(fs, x, 2880, ft, y, 2880) == want);
    CHECK(FixedBaseExp::pow2_signed(fs, x, x.bit_length(), ft, y, y.bit_length()) == want);
  }
}

TEST_CASE("fixed_base: ring-Pedersen commit uses the tables and matches commit_public", "[fixed_base]") {
  CUSTOS_SEEDED_RNG(rng, 105);
  BigInt n = odd_modulus(rng, 2048);
  BigInt t = BigInt::random_unit(rng, n);
  t = (t * t).mod(n);
  BigInt s = BigInt::powm_unit(t, BigInt::random_bits(rng, 2000), n);
  auto params = RingPedersenParams::create(n, s, t, 2048);
  REQUIRE(params.ok());
  RingPedersenParams copy = params.value();  // copies share the (lazily built) tables
  const BigInt max_mag = BigInt::power_of_two(RingPedersenParams::kCommitTableBits) - BigInt(1);
  std::vector<std::pair<BigInt, BigInt>> cases = {
      {BigInt(0), BigInt(0)},
      {BigInt(1), BigInt(-1)},
      {max_mag, -max_mag},
      {BigInt::random_symmetric(rng, BigInt::power_of_two(256)), BigInt::random_symmetric(rng, BigInt::power_of_two(2304))},
      {BigInt::random_symmetric(rng, BigInt::power_of_two(768)), BigInt::random_symmetric(rng, BigInt::power_of_two(2816))},
      // Longer than the tables (Πfac sizes): falls back to powm_sec.
      {BigInt::random_symmetric(rng, BigInt::power_of_two(1024)), BigInt::random_symmetric(rng, BigInt::power_of_two(4400))},
      {max_mag + BigInt(1), BigInt(7)},
  };
  for (auto& [x, y] : cases) {
    INFO("x = " << x.to_hex() << ", y = " << y.to_hex());
    CHECK(params.value().commit(x, y) == params.value().commit_public(x, y));
    CHECK(copy.commit(x, y) == params.value().commit_public(x, y));
  }
}

TEST_CASE("fixed_base: too-long exponents and bad arguments abort", "[fixed_base]") {
  CUSTOS_SEEDED_RNG(rng, 106);
  BigInt m = odd_modulus(rng, 256);
  BigInt b = BigInt::random_unit(rng, m);
  FixedBaseExp fb(b, m, 100);
  FixedBaseExp fu(b, m, 100, false);
  const BigInt too_long = BigInt::power_of_two(100);  // 101 bits
  CHECK_FALSE(aborts([&] { (void)fb.pow(too_long - BigInt(1)); }));
  CHECK(aborts([&] { (void)fb.pow(too_long); }));
  CHECK(aborts([&] { (void)fb.pow_signed(-too_long); }));
  CHECK(aborts([&] { (void)fb.pow(BigInt(1) << 40, 40); }));      // 41 bits under a 40-bit bound
  CHECK(aborts([&] { (void)fb.pow(BigInt(1), 101); }));           // bound above max_bits
  CHECK(aborts([&] { (void)fb.pow(BigInt(-1)); }));               // unsigned pow of a negative exponent
  CHECK(aborts([&] { (void)fu.pow_signed(BigInt(1)); }));         // tables built unsigned
  CHECK(aborts([&] { FixedBaseExp bad(b, m * BigInt(2), 10); }));  // even modulus
  CHECK(aborts([&] { FixedBaseExp bad(BigInt(0), m, 10, true); }));  // signed needs a unit
  FixedBaseExp other(BigInt(2), m + BigInt(2), 100);
  CHECK(aborts([&] { (void)FixedBaseExp::pow2_signed(fb, BigInt(1), 1, other, BigInt(1), 1); }));  // moduli differ
}

// ---------------------------------------------------------------------------
// Own-key Paillier randomness (PaillierSecretKey::random_rho_and_power), which
// is built on fixed-base tables for generators of Z*_p and Z*_q.

#include "crypto/paillier.h"
#include "tests/paillier_fixtures.h"

namespace {

// 256-bit safe primes (same public test values as paillier_test.cpp).
const char* const kRandSmallP = "fd279ef47592e9494d40f71c1426395f53c9a71127d8c7d51b27978739aab873";
const char* const kRandSmallQ = "c2b18ebd275fc45d377b945e010393957890132906c1859b01d8c0e9736e1a5f";
// A 256-bit prime ≡ 3 mod 4 that is not a safe prime.
const char* const kRandNonSafe = "e1c55009efdeb3e8289828ae12e264863916ef29b6b0dd440a2cad14fc320583";

void check_randomness(const PaillierSecretKey& sk, Rng& rng, int iterations, bool check_spread) {
  const PaillierPublicKey& pk = sk.public_key();
  int jp[2] = {0, 0}, jq[2] = {0, 0};
  for (int i = 0; i < iterations; ++i) {
    auto [rho, power] = sk.random_rho_and_power(rng);
    REQUIRE(pk.is_unit(rho));
    REQUIRE(power == BigInt::powm_unit(rho, pk.n(), pk.n2()));
    jp[BigInt::jacobi(rho.mod(sk.p()), sk.p()) > 0]++;
    jq[BigInt::jacobi(rho.mod(sk.q()), sk.q()) > 0]++;
    BigInt m = BigInt::random_symmetric(rng, pk.n() >> 2);
    BigInt used;
    BigInt c = sk.encrypt_fresh(m, rng, &used);
    REQUIRE(pk.is_unit(used));
    REQUIRE(c == pk.encrypt(m, used));
    REQUIRE(sk.decrypt(c) == m);
    REQUIRE(sk.encrypt_fresh(m, rng, nullptr) != c);  // fresh randomness every call
  }
  if (check_spread) {
    // ρ mod p and ρ mod q are uniform in Z*_p and Z*_q: residues and non-residues both occur.
    CHECK(jp[0] > 0);
    CHECK(jp[1] > 0);
    CHECK(jq[0] > 0);
    CHECK(jq[1] > 0);
  }
}

}  // namespace

TEST_CASE("paillier randomness: ρ^N is exact and ρ is a uniform-looking unit (small safe-prime key)",
          "[fixed_base][paillier]") {
  CUSTOS_SEEDED_RNG(rng, 201);
  auto sk = PaillierSecretKey::from_primes(BigInt::from_hex(kRandSmallP), BigInt::from_hex(kRandSmallQ), 512, true);
  REQUIRE(sk.ok());
  check_randomness(sk.value(), rng, 64, true);
  // A copy shares the tables and stays correct.
  PaillierSecretKey copy = sk.value();
  check_randomness(copy, rng, 8, false);
}

TEST_CASE("paillier randomness: 2048-bit fixture key", "[fixed_base][paillier]") {
  CUSTOS_SEEDED_RNG(rng, 202);
  auto primes = custos::testing::load_test_safe_primes();
  auto sk = PaillierSecretKey::from_primes(primes.at(0).first, primes.at(0).second, 2048);
  REQUIRE(sk.ok());
  check_randomness(sk.value(), rng, 24, true);
}

TEST_CASE("paillier randomness: a non-safe prime or an unchecked test key falls back and stays exact",
          "[fixed_base][paillier]") {
  CUSTOS_SEEDED_RNG(rng, 203);
  auto non_safe = PaillierSecretKey::from_primes(BigInt::from_hex(kRandSmallP), BigInt::from_hex(kRandNonSafe), 512);
  REQUIRE(non_safe.ok());
  check_randomness(non_safe.value(), rng, 16, true);
  // N = p²·q (direct arithmetic, no CRT): the fallback must still give ρ^N exactly.
  BigInt p = BigInt::from_hex(kRandSmallP), q = BigInt::from_hex(kRandSmallQ);
  PaillierSecretKey bad = PaillierSecretKey::unchecked_for_testing(p, p * q);
  for (int i = 0; i < 4; ++i) {
    auto [rho, power] = bad.random_rho_and_power(rng);
    CHECK(bad.public_key().is_unit(rho));
    CHECK(power == BigInt::powm_unit(rho, bad.n(), bad.public_key().n2()));
  }
  // A default-constructed key object has no tables: never used by the protocol, but must not crash
  // before a real key is assigned to it.
  PaillierSecretKey assigned;
  assigned = non_safe.value();
  auto [rho, power] = assigned.random_rho_and_power(rng);
  CHECK(power == BigInt::powm_unit(rho, assigned.n(), assigned.public_key().n2()));
}
