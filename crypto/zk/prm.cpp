// Πprm — ring-Pedersen parameters proof, CGGMP21 (2021) Fig 17. See prm.h.
#include "crypto/zk/prm.h"

#include <string>

#include "crypto/codec.h"
#include "crypto/sec_int.h"
#include "crypto/zk/params.h"

namespace custos::zk {
namespace {

constexpr const char* kTag = "cggmp21/pi-prm/fig17";

std::string round_str(size_t i) { return " (round " + std::to_string(i) + ")"; }

// Statement checks shared by the verifier (defence in depth: RingPedersenParams::create
// already enforces them, but a proof must not rely on how its statement was built).
Status check_params(const RingPedersenParams& aux) {
  const BigInt& n = aux.n();
  if (n.bit_length() != kPaillierBits) {
    return out_of_range("Πprm: N̂ has " + std::to_string(n.bit_length()) + " bits, expected exactly " +
                        std::to_string(kPaillierBits));
  }
  if (!n.is_odd()) return out_of_range("Πprm: N̂ is even");
  if (!aux.is_unit(aux.s())) return out_of_range("Πprm: s is not a unit mod N̂");
  if (!aux.is_unit(aux.t())) return out_of_range("Πprm: t is not a unit mod N̂");
  if (aux.s() == aux.t()) return out_of_range("Πprm: s equals t");
  const BigInt minus_one = n - BigInt(1);
  if (aux.s() == BigInt(1) || aux.s() == minus_one) return out_of_range("Πprm: s is ±1 mod N̂");
  if (aux.t() == BigInt(1) || aux.t() == minus_one) return out_of_range("Πprm: t is ±1 mod N̂");
  return ok_status();
}

}  // namespace

std::vector<bool> prm_challenges(const ProofContext& ctx, const RingPedersenParams& aux, std::span<const BigInt> a) {
  Transcript t = ctx.transcript(kTag);
  t.append_int("N-hat", aux.n());
  t.append_int("s", aux.s());
  t.append_int("t", aux.t());
  t.append_u64("m", a.size());
  for (const BigInt& ai : a) t.append_int("A_i", ai);
  ChallengeStream stream = t.stream("challenge");
  std::vector<bool> e;
  e.reserve(kRepetitions);
  for (unsigned i = 0; i < kRepetitions; ++i) e.push_back(stream.bit());
  return e;
}

PrmProof prm_prove(const ProofContext& ctx, const PrmStatement& stmt, const PrmWitness& wit, Rng& rng) {
  const RingPedersenSecret& sec = wit.secret;
  const BigInt& phi = sec.phi();
  const BigInt& t = stmt.aux.t();
  const bool own_params = stmt.aux == sec.params();  // always, for an honest caller: then the tables apply
  std::vector<BigInt> nonces;
  PrmProof proof;
  nonces.reserve(kRepetitions);
  proof.a.reserve(kRepetitions);
  for (unsigned i = 0; i < kRepetitions; ++i) {
    for (;;) {
      BigInt ai = BigInt::random_below(rng, phi);
      // CRT; with the fixed-base tables for t, constant time in the exponent either way.
      BigInt big_a = own_params ? sec.pow_t_crt(ai) : sec.pow_crt(t, ai);
      declare_public(big_a);  // A_i is published
      if (big_a == BigInt(1)) continue;   // the verifier rejects A_i = 1 (TA); negligible
      nonces.push_back(std::move(ai));
      proof.a.push_back(std::move(big_a));
      break;
    }
  }
  std::vector<bool> e = prm_challenges(ctx, stmt.aux, proof.a);
  proof.z.reserve(kRepetitions);
  for (unsigned i = 0; i < kRepetitions; ++i) {
    // z_i = a_i + e_i·λ mod φ(N̂): secret summands and modulus, so fixed width (crypto/sec_int.h).
    proof.z.push_back(e[i] ? secint::mod(secint::affine(nonces[i], BigInt(1), sec.lambda()), phi) : nonces[i]);
    declare_public(proof.z.back());  // the response is published
  }
  return proof;
}

Status prm_verify(const ProofContext& ctx, const PrmStatement& stmt, const PrmProof& proof) {
  const RingPedersenParams& aux = stmt.aux;
  RETURN_IF_ERROR(check_params(aux));
  const BigInt& n = aux.n();
  if (proof.a.size() != kRepetitions) {
    return out_of_range("Πprm: " + std::to_string(proof.a.size()) + " values A_i, expected exactly " +
                        std::to_string(kRepetitions));
  }
  if (proof.z.size() != kRepetitions) {
    return out_of_range("Πprm: " + std::to_string(proof.z.size()) + " values z_i, expected exactly " +
                        std::to_string(kRepetitions));
  }
  for (size_t i = 0; i < kRepetitions; ++i) {
    if (!aux.is_unit(proof.a[i])) return out_of_range("Πprm: A_i is not a unit mod N̂" + round_str(i));
    if (proof.a[i] == BigInt(1)) return out_of_range("Πprm: A_i = 1" + round_str(i));
    // The verifier does not know φ(N̂); [0, N̂) bounds the exponent work.
    if (proof.z[i].sign() < 0 || proof.z[i] >= n) return out_of_range("Πprm: z_i outside [0, N̂)" + round_str(i));
  }
  std::vector<bool> e = prm_challenges(ctx, aux, proof.a);
  for (size_t i = 0; i < kRepetitions; ++i) {
    BigInt lhs = aux.pow_t(proof.z[i]);  // 80 powers of one base: the comb table pays for itself
    BigInt rhs = e[i] ? aux.mul(proof.a[i], aux.s()) : proof.a[i];
    if (lhs != rhs) return verify_failed("Πprm: t^z_i != A_i·s^e_i mod N̂" + round_str(i));
  }
  return ok_status();
}

std::vector<uint8_t> encode(const PrmProof& proof) {
  Writer w;
  w.u32(static_cast<uint32_t>(proof.a.size()));
  for (const BigInt& v : proof.a) w.integer(v);
  w.u32(static_cast<uint32_t>(proof.z.size()));
  for (const BigInt& v : proof.z) w.integer(v);
  return w.take();
}

Result<PrmProof> decode_prm_proof(std::span<const uint8_t> in) {
  Reader r(in, "Πprm proof");
  PrmProof proof;
  RETURN_IF_ERROR(r.expect_count(kRepetitions, "A"));
  proof.a.resize(kRepetitions);
  for (BigInt& v : proof.a) {
    ASSIGN_OR_RETURN(v, r.integer(kPaillierBits));
  }
  RETURN_IF_ERROR(r.expect_count(kRepetitions, "z"));
  proof.z.resize(kRepetitions);
  for (BigInt& v : proof.z) {
    ASSIGN_OR_RETURN(v, r.integer(kPaillierBits));
  }
  RETURN_IF_ERROR(r.finish());
  return proof;
}

}  // namespace custos::zk
