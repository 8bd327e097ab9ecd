#include "crypto/safe_prime.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "crypto/ct.h"
#include "crypto/fixed_base.h"
#include "crypto/sec_int.h"
#include "crypto/secret.h"

// Search for a safe prime p = 2q + 1 (q is the Sophie Germain prime):
//  1. Pick a random odd q0 with the right top bits.
//  2. Sieve a window of candidates q = q0 + 2k against every odd prime r up to
//     kSieveLimit, striking k whenever q ≡ 0 (mod r) or p = 2q+1 ≡ 0 (mod r),
//     i.e. q ≡ (r-1)/2 (mod r). Only the starting residues need a bignum
//     reduction; afterwards each prime carries two small "next offset to
//     strike" counters from window to window (a segmented sieve), so moving
//     along costs no bignum work at all.
//  3. Survivors get one base-2 strong probable-prime test on p (p-1 = 2q with
//     q odd, so it costs one modexp), then a base-2 Fermat test on q, then the
//     full is_safe_prime check.
// Incremental search slightly favours primes that follow long prime-free gaps;
// this is the standard trade-off (OpenSSL does the same) and is harmless for
// RSA/Paillier factors. The walk is not constant-time (by design): timing
// reveals roughly how far the search walked from its secret random start, i.e.
// only that no safe prime lies just below p; OpenSSL and Go accept the same leak.
// The exponentiations are constant time (OpenSSL's, modexp::pow_sec): the prime
// that is kept went through every test, as exponent and as modulus, and a
// variable-time exponentiation there would trace its bits (the reason OpenSSL's
// RSA key generation marks its candidates BN_FLG_CONSTTIME).

namespace custos {
namespace {

// Sieve depth. Deeper sieving removes more candidates before a modexp but
// costs per-prime setup. Measured for 1024 bits: 2^20 leaves ~830 modexps per
// prime, 2^22 ~690 (6 ms setup), 2^24 ~575 (25 ms setup, 60 ms table): total
// time is flat from 2^22 to 2^24, so take the smaller table (1.2 MB).
constexpr uint32_t kSieveLimit = 1u << 22;
// Candidates per sieve window; the sieve array (one byte each) stays in cache.
constexpr uint32_t kWindow = 1u << 16;
// Miller–Rabin rounds of the final check, with the first kFinalRounds primes as bases.
constexpr unsigned kFinalRounds = 40;
constexpr unsigned kPrimeBases[kFinalRounds] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41, 43,
                                                47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107,
                                                109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173};

struct SmallPrimes {
  std::vector<uint32_t> primes;  // odd primes 3 .. kSieveLimit, ascending
  // Consecutive primes grouped so that each group's product fits in 64 bits:
  // one mpz_fdiv_ui per group instead of one per prime.
  struct Group {
    uint64_t product;
    uint32_t begin, end;
  };
  std::vector<Group> groups;
};

SmallPrimes build_small_primes() {
  SmallPrimes t;
  std::vector<uint8_t> composite(kSieveLimit + 1, 0);
  for (uint32_t i = 3; static_cast<uint64_t>(i) * i <= kSieveLimit; i += 2) {
    if (composite[i]) continue;
    for (uint32_t j = i * i; j <= kSieveLimit; j += 2 * i) composite[j] = 1;
  }
  for (uint32_t i = 3; i <= kSieveLimit; i += 2)
    if (!composite[i]) t.primes.push_back(i);
  uint32_t n = static_cast<uint32_t>(t.primes.size());
  for (uint32_t b = 0; b < n;) {
    uint64_t prod = 1;
    uint32_t e = b;
    while (e < n && prod <= UINT64_MAX / t.primes[e]) prod *= t.primes[e++];
    t.groups.push_back({prod, b, e});
    b = e;
  }
  return t;
}

const SmallPrimes& small_primes() {
  static const SmallPrimes table = build_small_primes();  // thread-safe init
  return table;
}

// Sieve state for the window starting at the candidate q = base.
class SafePrimeSieve {
 public:
  // Only primes r < 2^(bits-3) are used: every candidate q exceeds that, so a
  // hit always means q or 2q+1 is a proper multiple of r (matters for small bits).
  SafePrimeSieve(const BigInt& base, unsigned bits) : table_(small_primes()) {
    uint64_t cap = bits - 3 >= 32 ? UINT64_MAX : (uint64_t{1} << (bits - 3)) - 1;
    const auto& primes = table_.primes;
    count_ = static_cast<uint32_t>(std::upper_bound(primes.begin(), primes.end(), cap) - primes.begin());
    off_zero_.resize(count_);
    off_half_.resize(count_);
    for (const auto& g : table_.groups) {
      if (g.begin >= count_) break;
      uint64_t group_res = mpz_fdiv_ui(base.get(), g.product);
      for (uint32_t i = g.begin; i < g.end && i < count_; ++i) {
        uint64_t r = primes[i];
        uint64_t res = group_res % r;
        uint64_t inv2 = (r + 1) / 2;
        // First k >= 0 with base + 2k ≡ target (mod r): k = (target - res) / 2 mod r.
        off_zero_[i] = static_cast<uint32_t>((r - res) % r * inv2 % r);
        off_half_[i] = static_cast<uint32_t>(((r - 1) / 2 + r - res) % r * inv2 % r);
      }
    }
    marks_.resize(kWindow);
  }

  ~SafePrimeSieve() {
    // The offsets encode the candidate's residues: wipe them.
    secure_wipe(off_zero_.data(), off_zero_.size() * sizeof(uint32_t));
    secure_wipe(off_half_.data(), off_half_.size() * sizeof(uint32_t));
    secure_wipe(marks_.data(), marks_.size());
  }

  // Marks struck candidates of the current window (marks()[k] != 0), then
  // advances all offsets to the next window.
  void sieve_window() {
    std::fill(marks_.begin(), marks_.end(), 0);
    uint8_t* m = marks_.data();
    const uint32_t* primes = table_.primes.data();
    for (uint32_t i = 0; i < count_; ++i) {
      uint32_t r = primes[i];
      uint32_t a = off_zero_[i], b = off_half_[i];
      for (; a < kWindow; a += r) m[a] = 1;
      for (; b < kWindow; b += r) m[b] = 1;
      off_zero_[i] = a - kWindow;
      off_half_[i] = b - kWindow;
    }
  }
  const std::vector<uint8_t>& marks() const { return marks_; }

 private:
  const SmallPrimes& table_;
  uint32_t count_ = 0;
  std::vector<uint32_t> off_zero_, off_half_;
  std::vector<uint8_t> marks_;
};

// A ChaCha20 keystream keyed by 32 bytes drawn from the caller's Rng. This is
// fine for production: the key has the full entropy of the caller's generator
// (e.g. OsRng), each thread gets its own independently drawn key, and ChaCha20
// output is indistinguishable from random. It exists because Rng objects are
// not thread-safe, so worker threads cannot share the caller's.
class ChaChaStreamRng final : public Rng {
 public:
  explicit ChaChaStreamRng(const std::array<uint8_t, 32>& key) {
    ctx_ = EVP_CIPHER_CTX_new();
    std::array<uint8_t, 16> iv{};  // the key is used for this one stream only
    if (!ctx_ || EVP_EncryptInit_ex(ctx_, EVP_chacha20(), nullptr, key.data(), iv.data()) != 1) std::abort();
  }
  ~ChaChaStreamRng() override { EVP_CIPHER_CTX_free(ctx_); }  // frees and cleanses the key schedule
  ChaChaStreamRng(const ChaChaStreamRng&) = delete;
  ChaChaStreamRng& operator=(const ChaChaStreamRng&) = delete;

  void fill(std::span<uint8_t> out) override {
    std::memset(out.data(), 0, out.size());
    size_t done = 0;
    while (done < out.size()) {
      int chunk = static_cast<int>(std::min<size_t>(out.size() - done, 1u << 20));
      int outl = 0;
      if (EVP_EncryptUpdate(ctx_, out.data() + done, &outl, out.data() + done, chunk) != 1 || outl != chunk)
        std::abort();
      done += static_cast<size_t>(chunk);
    }
  }

 private:
  EVP_CIPHER_CTX* ctx_ = nullptr;
};

BigInt generate_from_seed(std::array<uint8_t, 32>& seed, unsigned bits) {
  ChaChaStreamRng rng(seed);
  secure_wipe(seed.data(), seed.size());
  return generate_safe_prime(rng, bits);
}

}  // namespace

BigInt generate_safe_prime(Rng& rng, unsigned bits) {
  if (bits < 16) std::abort();  // programming error: the shape constraints need room
  const unsigned qbits = bits - 1;
  BigInt q, p, t, two(2), one(1);
  for (;;) {
    // q0: qbits bits, top two set (so p = 2q+1 has its top two set), odd.
    BigInt q0 = BigInt::random_bits(rng, qbits);
    mpz_setbit(q0.get_mut(), qbits - 1);
    mpz_setbit(q0.get_mut(), qbits - 2);
    mpz_setbit(q0.get_mut(), 0);
    // Largest k with q0 + 2k < 2^qbits, so p keeps exactly `bits` bits.
    BigInt room = (BigInt::power_of_two(qbits) - q0 - BigInt(1)) >> 1;
    uint64_t max_k = room.bit_length() > 62 ? UINT64_MAX : room.low_u64();

    SafePrimeSieve sieve(q0, bits);
    for (uint64_t base = 0; base <= max_k; base += kWindow) {
      sieve.sieve_window();
      const auto& marks = sieve.marks();
      uint64_t span = max_k - base >= kWindow - 1 ? kWindow : max_k - base + 1;  // no overflow at UINT64_MAX
      for (uint32_t k = 0; k < span; ++k) {
        if (marks[k]) continue;
        // q = q0 + 2(base + k), p = 2q + 1.
        unsigned long step = static_cast<unsigned long>(base + k);
        mpz_add_ui(q.get_mut(), q0.get(), step);
        mpz_add_ui(q.get_mut(), q.get(), step);
        mpz_mul_2exp(p.get_mut(), q.get(), 1);
        mpz_add_ui(p.get_mut(), p.get(), 1);
        // Strong base-2 test on p: p-1 = 2q with q odd, so 2^q ≡ ±1 (mod p).
        t = modexp::pow_sec(two, q, p);
        if (!secint::equal(t, one) && !secint::equal(t, q + q)) continue;
        // Fermat base 2 on q.
        t = modexp::pow_sec(two, secint::odd_minus_one(q), q);
        if (!secint::equal(t, one)) continue;
        if (is_safe_prime(p)) return p;
      }
    }
    // Walked off the top of the range (only plausible for small bits): restart.
  }
}

bool is_probable_prime_secret(const BigInt& n, unsigned rounds) {
  if (rounds > kFinalRounds) std::abort();
  // Limb counts are public; a one-limb n (never a secret size) may be below the bases: GMP's test.
  if (n.sign() <= 0 || mpz_size(n.get()) < 2) return n.sign() > 0 && n.is_probable_prime(static_cast<int>(rounds));
  if (ct::pub(!n.is_odd())) return false;
  // n − 1 = 2^s·d. s is declared public: it is the 2-adic valuation of n − 1, a few low bits of n
  // (s = 1 for every prime ≡ 3 mod 4, so for every Paillier factor).
  const BigInt n_minus_1 = secint::odd_minus_one(n);
  const unsigned bits = static_cast<unsigned>(64 * mpz_size(n.get()));
  unsigned s = 1;
  while (s < bits && ct::pub(mpz_tstbit(n_minus_1.get(), s) == 0)) ++s;
  const BigInt d = secint::shift_right(n_minus_1, s);
  const BigInt one(1), two(2);
  for (unsigned i = 0; i < rounds; ++i) {
    BigInt x = modexp::pow_sec(BigInt(kPrimeBases[i]), d, n);
    if (secint::equal(x, one) || secint::equal(x, n_minus_1)) continue;
    bool witness = true;  // a^d ≠ ±1: composite unless a square on the way is −1
    for (unsigned r = 1; r < s && witness; ++r) {
      x = modexp::pow_sec(x, two, n);
      witness = !secint::equal(x, n_minus_1);
    }
    if (witness) return false;
  }
  return true;
}

bool is_safe_prime(const BigInt& p) {
  if (p.sign() <= 0 || ct::pub(!p.is_odd())) return false;
  BigInt q = secint::shift_right(p, 1);  // (p-1)/2 for odd p
  // Test the smaller q first; for most non-safe inputs it fails fast.
  return is_probable_prime_secret(q, kFinalRounds) && is_probable_prime_secret(p, kFinalRounds);
}

SafePrimePair generate_safe_prime_pair(Rng& rng, unsigned bits) {
  if (bits < 16) std::abort();
  // Seeds are drawn here because the caller's Rng is not thread-safe.
  std::array<uint8_t, 32> seed_p{}, seed_q{};
  rng.fill(seed_p);
  rng.fill(seed_q);
  SafePrimePair out;
  std::optional<std::thread> worker;
  try {
    worker.emplace([&out, &seed_q, bits] { out.q = generate_from_seed(seed_q, bits); });
  } catch (const std::system_error&) {
    // Could not start a thread (resource exhaustion): run both here instead.
  }
  out.p = generate_from_seed(seed_p, bits);
  if (worker) {
    worker->join();
  } else {
    out.q = generate_from_seed(seed_q, bits);
  }
  // Equal primes would make N a square; astronomically unlikely except at toy sizes.
  while (out.p == out.q) {
    rng.fill(seed_q);
    out.q = generate_from_seed(seed_q, bits);
  }
  return out;
}

}  // namespace custos
