// Side-channel-silent arithmetic on secret BigInts, for the places where GMP's mpz functions would
// branch on a secret's value: the proofs' responses z = α + e·x and the owner's CRT arithmetic with
// the secret moduli p, q, p², q² (security.md, "Constant-time handling of secrets").
//
// Everything runs on fixed-width limb arrays with GMP's mpn_sec_* and mpn_cnd_* functions and
// mpn_add_n/mpn_sub_n, which take the same time and touch the same addresses whatever the limb values.
// The widths come from the operands' limb counts, which are public, like every BigInt's sign (the
// results are built as BigInts, so their limb count and sign are public too). tests/ct checks each
// function under valgrind.
#pragma once

#include <optional>

#include "crypto/bigint.h"

namespace custos::secint {

// a + e·x for signed a, e, x (any of them secret). Sign and limb count of each operand are public.
BigInt affine(const BigInt& a, const BigInt& e, const BigInt& x);

// a + e·x where the result is published (a proof's response): affine(), with the result declared
// public for the constant-time test.
BigInt response(const BigInt& a, const BigInt& e, const BigInt& x);

// a mod d in [0, d) for a signed a and d > 0, both possibly secret.
BigInt mod(const BigInt& a, const BigInt& d);

// ⌊a / d⌋ for a ≥ 0 and d > 0, both possibly secret.
BigInt div_floor(const BigInt& a, const BigInt& d);

// a·b mod d for a, b ≥ 0 and d > 0.
BigInt mul_mod(const BigInt& a, const BigInt& b, const BigInt& d);

// x mod m·n from x_m = x mod m and x_n = x mod n (0 ≤ x_m < m, 0 ≤ x_n < n), given m⁻¹ mod n:
// x_m + m·((x_n − x_m)·m⁻¹ mod n) (Garner).
BigInt crt(const BigInt& x_m, const BigInt& x_n, const BigInt& m, const BigInt& n, const BigInt& m_inv_n);

// For 0 ≤ v < n: v when v ≤ ⌊n/2⌋, else v − n (the centred residue in (−n/2, n/2]).
BigInt centre(const BigInt& v, const BigInt& n);

// Whether v < m (v ≥ 0, m > 0); the verdict is declared public (a rejection-sampling decision).
bool less_than(const BigInt& v, const BigInt& m);

// x == y, compared limb by limb without branching on them; the verdict is declared public.
bool equal(const BigInt& x, const BigInt& y);

// ⌊x / 2^k⌋ for x ≥ 0 and a public k.
BigInt shift_right(const BigInt& x, unsigned k);

// x − 1 for an odd x > 0: bit 0 cleared, so no borrow runs through the limbs.
BigInt odd_minus_one(const BigInt& x);

// a⁻¹ mod m for an odd m > 1 and any a (either secret), through GMP's mpn_sec_invert; nullopt when
// gcd(a, m) ≠ 1 (that verdict is declared public).
std::optional<BigInt> invert_odd(const BigInt& a, const BigInt& m);

// a + t·m for a, m ≥ 0 and a small secret t (one limb), without turning t into a BigInt (whose limb
// count would tell whether t = 0).
BigInt add_multiple(const BigInt& a, const BigInt& m, mp_limb_t t);

}  // namespace custos::secint
