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

}  // namespace custos::secint
