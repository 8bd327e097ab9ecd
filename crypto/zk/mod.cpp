// Πmod — Paillier-Blum modulus proof, CGGMP21 (2021) Fig 16. See mod.h.
#include "crypto/zk/mod.h"

#include <string>

#include "crypto/codec.h"
#include "crypto/ct.h"
#include "crypto/fixed_base.h"
#include "crypto/sec_int.h"
#include "crypto/zk/params.h"

namespace custos::zk {
namespace {

constexpr const char* kTag = "cggmp21/pi-mod/fig16";

std::string round_str(size_t i) { return " (round " + std::to_string(i) + ")"; }

// Euler's criterion u^((r-1)/2) mod r with a constant-time exponentiation: r is a
// secret prime, so a variable-time Jacobi algorithm on it could leak through timing, and so
// could GMP's division of u by r. The verdict is published (the proof's bit a).
bool is_qr_mod_prime(const BigInt& u, const BigInt& r) {
  const BigInt symbol = modexp::pow_sec(secint::mod(u, r), secint::div_floor(r, BigInt(2)), r);  // (r−1)/2
  // symbol is 1, r − 1 or 0; its limb count is public, and its one limb is compared without a branch.
  return mpz_size(symbol.get()) == 1 && ct::pub(mpz_getlimbn(symbol.get(), 0) == 1);
}

}  // namespace

std::vector<BigInt> mod_challenges(const ProofContext& ctx, const BigInt& n, const BigInt& w) {
  Transcript t = ctx.transcript(kTag);
  t.append_int("N", n);
  t.append_int("w", w);
  // One stream for all m values (TA's bug PR #111 restarted it per y_i, so all were equal).
  ChallengeStream stream = t.stream("challenge");
  std::vector<BigInt> ys;
  ys.reserve(kRepetitions);
  for (unsigned i = 0; i < kRepetitions; ++i) ys.push_back(stream.below(n));
  return ys;
}

std::vector<ModRound> mod_respond(const PaillierSecretKey& key, const BigInt& w, std::span<const BigInt> ys) {
  const BigInt& n = key.n();
  // Blum integer: φ = (p−1)(q−1) = 4·odd, so d = (φ+4)/8 is an integer. QR_N has odd order
  // φ/4, hence for a QR u, u^d is its square root inside QR_N and u^(d²) the principal 4th root.
  const BigInt& d2 = key.fourth_root_exponent();
  // φ and N are coprime for distinct safe primes of equal size, so N⁻¹ mod φ exists.
  const BigInt& n_inv = key.n_inv_mod_phi();
  BigInt minus_one = n - BigInt(1);

  std::vector<ModRound> rounds;
  rounds.reserve(ys.size());
  for (const BigInt& y : ys) {
    ModRound r;
    // −1 is a non-residue mod p and mod q; w is a non-residue mod exactly one of them.
    // b = 1 iff Jacobi(y, N) = −1 (public), then a follows from one Legendre symbol.
    r.b = BigInt::jacobi(y, n) == -1 ? 1 : 0;
    BigInt u = r.b ? (w * y).mod(n) : y.mod(n);
    r.a = is_qr_mod_prime(u, key.p()) ? 0 : 1;
    if (r.a) u = (u * minus_one).mod(n);
    r.x = key.pow_mod_n(u, d2);
    r.z = key.pow_mod_n(y, n_inv);
    declare_public(r.x);  // the responses are published
    declare_public(r.z);
    rounds.push_back(std::move(r));
  }
  return rounds;
}

ModProof mod_prove(const ProofContext& ctx, const ModStatement& stmt, const ModWitness& wit, Rng& rng) {
  ModProof proof;
  // w is public: any w with Jacobi(w, N) = −1 works (a non-residue mod exactly one prime).
  do {
    proof.w = BigInt::random_below(rng, stmt.n);
    declare_public(proof.w);  // published, whichever draw is kept
  } while (BigInt::jacobi(proof.w, stmt.n) != -1);
  std::vector<BigInt> ys = mod_challenges(ctx, stmt.n, proof.w);
  proof.rounds = mod_respond(wit.key, proof.w, ys);
  return proof;
}

Status mod_verify(const ProofContext& ctx, const ModStatement& stmt, const ModProof& proof) {
  const BigInt& n = stmt.n;
  // Statement checks (Fig 16: N odd and composite; we also pin the exact size).
  if (n.sign() <= 0) return out_of_range("Πmod: N is not positive");
  if (n.bit_length() != kPaillierBits) {
    return out_of_range("Πmod: N has " + std::to_string(n.bit_length()) + " bits, expected exactly " +
                        std::to_string(kPaillierBits));
  }
  if (!n.is_odd()) return out_of_range("Πmod: N is even");
  if (n.is_probable_prime(25)) return verify_failed("Πmod: N is prime");

  // First message: w ∈ Z*_N with Jacobi(w, N) = −1 (TA's extra checks, notes §2).
  if (proof.w.sign() <= 0 || proof.w >= n) return out_of_range("Πmod: w outside [1, N)");
  if (BigInt::gcd(proof.w, n) != BigInt(1)) return out_of_range("Πmod: w is not a unit mod N");
  if (BigInt::jacobi(proof.w, n) != -1) return verify_failed("Πmod: Jacobi(w, N) is not −1");

  if (proof.rounds.size() != kRepetitions) {
    return out_of_range("Πmod: " + std::to_string(proof.rounds.size()) + " rounds, expected exactly " +
                        std::to_string(kRepetitions));
  }
  // Memberships before any equation: x_i, z_i canonical in [1, N) (TA never checks this), bits.
  for (size_t i = 0; i < proof.rounds.size(); ++i) {
    const ModRound& r = proof.rounds[i];
    if (r.x.sign() <= 0 || r.x >= n) return out_of_range("Πmod: x_i outside [1, N)" + round_str(i));
    if (r.z.sign() <= 0 || r.z >= n) return out_of_range("Πmod: z_i outside [1, N)" + round_str(i));
    if (r.a > 1) return out_of_range("Πmod: a_i is not a bit" + round_str(i));
    if (r.b > 1) return out_of_range("Πmod: b_i is not a bit" + round_str(i));
  }

  std::vector<BigInt> ys = mod_challenges(ctx, n, proof.w);
  const BigInt four(4);
  for (size_t i = 0; i < proof.rounds.size(); ++i) {
    const ModRound& r = proof.rounds[i];
    const BigInt& y = ys[i];
    // A challenge sharing a factor with N exposes that factor; reject (synedrion).
    if (!y.is_unit_mod(n)) return verify_failed("Πmod: challenge y_i is not a unit mod N" + round_str(i));
    // z_i^N ≡ y_i: N-th powering is onto Z*_N only if gcd(N, φ(N)) = 1 (square-free N).
    // Public values: OpenSSL's Montgomery exponentiation (about 25 % faster than GMP 6.2's generic
    // kernels here, crypto/fixed_base.h); these 80 N-th powers are most of Πmod's verification.
    if (modexp::pow_public(r.z, n, n) != y) return verify_failed("Πmod: z_i^N != y_i mod N" + round_str(i));
    // x_i^4 ≡ (−1)^a·w^b·y_i: every y has a 4th root up to ±1, ±w only for Blum N with 2 factors.
    BigInt rhs = y;
    if (r.b) rhs = (rhs * proof.w).mod(n);
    if (r.a) rhs = (n - rhs).mod(n);
    if (BigInt::powm_unit(r.x, four, n) != rhs) {
      return verify_failed("Πmod: x_i^4 != (−1)^a·w^b·y_i mod N" + round_str(i));
    }
  }
  return ok_status();
}

std::vector<uint8_t> encode(const ModProof& proof) {
  Writer w;
  w.integer(proof.w);
  w.u32(static_cast<uint32_t>(proof.rounds.size()));
  for (const ModRound& r : proof.rounds) {
    w.integer(r.x);
    w.u8(r.a);
    w.u8(r.b);
    w.integer(r.z);
  }
  return w.take();
}

Result<ModProof> decode_mod_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πmod proof");
  ModProof proof;
  ASSIGN_OR_RETURN(proof.w, r.integer(kPaillierBits));
  RETURN_IF_ERROR(r.expect_count(kRepetitions, "rounds"));
  proof.rounds.resize(kRepetitions);
  for (ModRound& round : proof.rounds) {
    ASSIGN_OR_RETURN(round.x, r.integer(kPaillierBits));
    ASSIGN_OR_RETURN(round.a, r.u8());
    ASSIGN_OR_RETURN(round.b, r.u8());
    if (round.a > 1 || round.b > 1) return malformed("Πmod proof: a_i or b_i is not a bit");
    ASSIGN_OR_RETURN(round.z, r.integer(kPaillierBits));
  }
  RETURN_IF_ERROR(r.finish());
  return proof;
}

}  // namespace custos::zk
