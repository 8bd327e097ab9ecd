// The radix-2^52 Montgomery exponentiation behind crypto/modexp52.h, written once over a lane policy:
// `IfmaLanes` (AVX-512 IFMA, crypto/modexp52_ifma.cpp, compiled for that instruction set alone) and
// `PortableLanes` (plain C++, crypto/modexp52.cpp). Both run the same sequence of operations on the same
// memory, so the portable instance is what the constant-time test (valgrind, which has no AVX-512) and
// machines without IFMA check and run.
//
// Numbers are D = 8·V digits of 52 bits, least significant first, in 64-bit words (V vectors of 8 lanes).
// R = 2^(52·D). The modulus m is odd with 4m < R, so the almost-Montgomery product below maps inputs
// below 2m to an output below 2m (Gueron and Krasnov, "Software implementation of modular
// exponentiation, using advanced vector instructions architectures", 2012; the digit loop is the
// textbook word-by-word Montgomery reduction, Handbook of Applied Cryptography 14.36):
//   (a·b + y·m)/R < (4m² + R·m)/R < 2m   for a, b < 2m and y < R.
//
// Side channels: no branch and no memory address depends on a digit value. Table entries are picked by
// reading every entry under a mask. The window count is the one thing the running time depends on; the
// caller sets it from the exponents' limb count, never their bit length (crypto/modexp52.cpp), and
// treats that count as public, as for every BigInt.
//
// This header must include nothing that defines inline functions or templates shared with other
// translation units: crypto/modexp52_ifma.cpp compiles it with AVX-512 enabled, and a shared inline
// function compiled there could be the copy the linker keeps for the whole program.
#pragma once

#include <cstddef>
#include <cstdint>

namespace custos::modexp52_kernel {

inline constexpr uint64_t kDigitMask = (uint64_t{1} << 52) - 1;
inline constexpr unsigned kWindow = 5;                 // fixed window of 5 exponent bits
inline constexpr unsigned kEntries = 1u << kWindow;    // table entries per base
inline constexpr unsigned kMaxBases = 2;               // pow2: a^x · b^y

// What one exponentiation needs, all in digits of 52 bits (D words each) unless said otherwise.
struct Job {
  const uint64_t* m;          // the modulus
  uint64_t k0;                // −m⁻¹ mod 2^52
  const uint64_t* r2;         // R² mod m
  unsigned bases;             // 1 or 2
  const uint64_t* base[kMaxBases];  // each below m
  const uint64_t* exp[kMaxBases];   // exponents as 64-bit words, with at least one zero word past exp_bits
  unsigned exp_bits;          // bits to scan: 64 × the longest exponent's limb count (public)
  uint64_t* table;            // scratch: bases · kEntries · D words
  uint64_t* scratch;          // scratch: 2·D words
  uint64_t* out;              // D words: the result, in [0, m]
};

// One almost-Montgomery product r = a·b/R mod m (see Kernel::amm), for MontgomeryContext.
struct Mul {
  uint64_t* r;
  const uint64_t* a;
  const uint64_t* b;
  const uint64_t* m;
  uint64_t k0;
};

// out = table[index], every one of `entries` entries read (Kernel::select), for the comb tables.
struct Select {
  uint64_t* out;
  const uint64_t* table;
  size_t entries;
  uint64_t index;
};

template <class L, unsigned V>
struct Kernel {
  static constexpr unsigned D = 8 * V;
  using Vec = typename L::Vec;

  // r = a·b/R mod m, almost (see above): digits of r below 2^52 and r < 2m. r may alias a or b.
  static void amm(uint64_t* r, const uint64_t* a, const uint64_t* b, const uint64_t* m, uint64_t k0) {
    Vec acc[V];
    for (unsigned k = 0; k < V; ++k) acc[k] = L::zero();
    for (unsigned i = 0; i < D; ++i) {
      const Vec bi = L::broadcast(b[i]);
#pragma GCC unroll 16
      for (unsigned k = 0; k < V; ++k) acc[k] = L::madd_lo(acc[k], L::load(a + 8 * k), bi);
      // y makes digit 0 of acc + y·m divisible by 2^52.
      const uint64_t y = (L::lane0(acc[0]) * k0) & kDigitMask;
      const Vec yv = L::broadcast(y);
#pragma GCC unroll 16
      for (unsigned k = 0; k < V; ++k) acc[k] = L::madd_lo(acc[k], L::load(m + 8 * k), yv);
      // Drop digit 0 (now ≡ 0 mod 2^52) and carry its upper bits into the new digit 0.
      const uint64_t carry = L::lane0(acc[0]) >> 52;
#pragma GCC unroll 16
      for (unsigned k = 0; k + 1 < V; ++k) acc[k] = L::shift_down(acc[k], acc[k + 1]);
      acc[V - 1] = L::shift_down(acc[V - 1], L::zero());
      acc[0] = L::add_lane0(acc[0], carry);
      // The high halves belong one digit up, which after the shift is the same index.
#pragma GCC unroll 16
      for (unsigned k = 0; k < V; ++k) acc[k] = L::madd_hi(acc[k], L::load(a + 8 * k), bi);
#pragma GCC unroll 16
      for (unsigned k = 0; k < V; ++k) acc[k] = L::madd_hi(acc[k], L::load(m + 8 * k), yv);
    }
    // Each word took at most 4 halves of 52 bits per digit step: below D·2^54 ≤ 2^61, so nothing was
    // lost. Propagate the carries; the value is below 2m < R, so none leaves the top digit.
    for (unsigned k = 0; k < V; ++k) L::store(r + 8 * k, acc[k]);
    uint64_t carry = 0;
    for (unsigned j = 0; j < D; ++j) {
      const uint64_t v = r[j] + carry;
      r[j] = v & kDigitMask;
      carry = v >> 52;
    }
  }

  // out = table[index] for index < entries, reading every entry.
  static void select(uint64_t* out, const uint64_t* table, size_t entries, uint64_t index) {
    Vec acc[V];
    for (unsigned k = 0; k < V; ++k) acc[k] = L::zero();
    for (size_t j = 0; j < entries; ++j) {
      const auto take = L::equal_mask(index, j);
#pragma GCC unroll 16
      for (unsigned k = 0; k < V; ++k) acc[k] = L::blend(acc[k], L::load(table + size_t(j) * D + 8 * k), take);
    }
    for (unsigned k = 0; k < V; ++k) L::store(out + 8 * k, acc[k]);
  }

  // Bits [bit, bit + kWindow) of a little-endian word array (bit is public; the words may be secret).
  static uint64_t window(const uint64_t* e, unsigned bit) {
    const unsigned word = bit / 64, shift = bit % 64;
    uint64_t v = e[word] >> shift;
    if (shift > 64 - kWindow) v |= e[word + 1] << (64 - shift);
    return v & (kEntries - 1);
  }

  // Π base_i^exp_i mod m, fixed window: kWindow squarings, then one product per base, per window.
  static void pow(const Job& job) {
    uint64_t* const acc = job.out;
    uint64_t* const one = job.scratch;
    uint64_t* const picked = job.scratch + D;
    for (unsigned j = 0; j < D; ++j) one[j] = 0;
    one[0] = 1;
    for (unsigned b = 0; b < job.bases; ++b) {
      uint64_t* t = job.table + size_t(b) * kEntries * D;
      amm(t, one, job.r2, job.m, job.k0);                  // R mod m: the Montgomery form of 1
      amm(t + D, job.base[b], job.r2, job.m, job.k0);      // base·R mod m
      for (unsigned i = 2; i < kEntries; ++i) amm(t + size_t(i) * D, t + size_t(i - 1) * D, t + D, job.m, job.k0);
    }
    for (unsigned j = 0; j < D; ++j) acc[j] = job.table[j];
    const unsigned windows = (job.exp_bits + kWindow - 1) / kWindow;
    for (unsigned w = windows; w-- > 0;) {
      if (w + 1 != windows) {
        for (unsigned s = 0; s < kWindow; ++s) amm(acc, acc, acc, job.m, job.k0);
      }
      for (unsigned b = 0; b < job.bases; ++b) {
        select(picked, job.table + size_t(b) * kEntries * D, kEntries, window(job.exp[b], w * kWindow));
        amm(acc, acc, picked, job.m, job.k0);
      }
    }
    amm(acc, acc, one, job.m, job.k0);  // leave Montgomery form: acc/R, in [0, m]
  }
};

// Runs the kernel for V = vectors (1 ≤ V ≤ 10) on a Job (pow), a Mul (one product) or a Select.
template <class L, unsigned V>
void run(const Job& job) {
  Kernel<L, V>::pow(job);
}
template <class L, unsigned V>
void run(const Mul& mul) {
  Kernel<L, V>::amm(mul.r, mul.a, mul.b, mul.m, mul.k0);
}
template <class L, unsigned V>
void run(const Select& sel) {
  Kernel<L, V>::select(sel.out, sel.table, sel.entries, sel.index);
}
template <class L, class Work>
void dispatch(unsigned vectors, const Work& work) {
  switch (vectors) {
    case 1: return run<L, 1>(work);
    case 2: return run<L, 2>(work);
    case 3: return run<L, 3>(work);
    case 4: return run<L, 4>(work);
    case 5: return run<L, 5>(work);
    case 6: return run<L, 6>(work);
    case 7: return run<L, 7>(work);
    case 8: return run<L, 8>(work);
    case 9: return run<L, 9>(work);
    case 10: return run<L, 10>(work);
    default: __builtin_trap();
  }
}

}  // namespace custos::modexp52_kernel
