// Primitive benchmarks: the libsecp256k1 single-key baseline, Paillier (2048-bit
// keygen from two safe primes, encryption with and without CRT, decryption,
// homomorphic scaling), ring-Pedersen commitments, and prove/verify of every
// CGGMP21 proof, all over the fixed PUBLIC test keys (tests/data). Verifiers get
// the same CRT secrets the protocol gives them, so the figures add up to the
// protocol phases (docs/performance.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "bench/bench_common.h"
#include "crypto/bigint.h"
#include "crypto/ecdsa.h"
#include "crypto/fixed_base.h"
#include "crypto/hash.h"
#include "crypto/modexp52.h"
#include "crypto/point.h"
#include "crypto/scalar.h"
#include "crypto/transcript.h"
#include "crypto/zk/aff_g.h"
#include "crypto/zk/dec.h"
#include "crypto/zk/enc.h"
#include "crypto/zk/fac.h"
#include "crypto/zk/log_star.h"
#include "crypto/zk/mod.h"
#include "crypto/zk/mul.h"
#include "crypto/zk/mul_star.h"
#include "crypto/zk/params.h"
#include "crypto/zk/prm.h"
#include "crypto/zk/sch.h"
#include "crypto/zk/sec_ops.h"

namespace {

using namespace custos;
using namespace custos::bench;

// Fresh 2048-bit keys are slow and their cost varies a lot (prime gaps): a few
// iterations only; CUSTOS_BENCH_KEYGEN_ITERS overrides (more gives a better mean).
int keygen_iterations() {
  const char* e = std::getenv("CUSTOS_BENCH_KEYGEN_ITERS");
  int v = e ? std::atoi(e) : 0;
  return v > 0 ? v : 6;
}

// CUSTOS_BENCH_IFMA=0 runs the whole suite on OpenSSL's exponentiation, so one build can be measured
// both ways in one window (docs/performance.md).
[[maybe_unused]] const bool ifma_setting = [] {
  const char* e = std::getenv("CUSTOS_BENCH_IFMA");
  if (e != nullptr && std::string(e) == "0") modexp52::set_enabled(false);
  return true;
}();

zk::ProofContext bench_ctx() {
  zk::ProofContext c;
  c.sid.fill(0xBE);
  c.prover = 1;
  c.verifier = 2;
  return c;
}

const PaillierSecretKey& prover_key() { return *test_key(0); }
const PaillierSecretKey& verifier_key() { return *test_key(1); }
const RingPedersenSecret& prover_aux() { return test_aux(0); }
const RingPedersenSecret& verifier_aux() { return test_aux(1); }

// ---------------------------------------------------------------------------
// Baseline: libsecp256k1 single-key ECDSA.

void BM_Secp256k1_Sign(benchmark::State& state) {
  uint64_t i = 0;
  for (auto _ : state) {
    auto sig = secp256k1_sign_once(i++);
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_Secp256k1_Sign)->Unit(benchmark::kMicrosecond);

void BM_Secp256k1_Verify(benchmark::State& state) {
  std::array<uint8_t, 32> digest{};
  digest[31] = 0x5A;  // secp256k1_sign_once(0)'s digest
  secp256k1_ecdsa_signature sig = secp256k1_sign_once(0);
  secp256k1_pubkey pk;
  if (!secp256k1_ec_pubkey_create(secp_context(), &pk, baseline_secret_key().data())) std::abort();
  for (auto _ : state) {
    int ok = secp256k1_ecdsa_verify(secp_context(), &sig, digest.data(), &pk);
    if (!ok) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Secp256k1_Verify)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------
// Small costs that dominate online signing: SHA-256 (OpenSSL EVP), a transcript
// digest, the simulator's per-party DeterministicRng, secp256k1 point operations.

void BM_Sha256_64B(benchmark::State& state) {
  std::array<uint8_t, 64> data{};
  for (auto _ : state) benchmark::DoNotOptimize(sha256(data));
}
BENCHMARK(BM_Sha256_64B)->Unit(benchmark::kMicrosecond);

void BM_Transcript_Digest(benchmark::State& state) {
  Digest32 sid{};
  for (auto _ : state) {
    Transcript t("custos/bench/transcript");
    t.append("sid", sid).append_u64("party", 1).append_str("phase", "sign");
    benchmark::DoNotOptimize(t.digest());
  }
}
BENCHMARK(BM_Transcript_Digest)->Unit(benchmark::kMicrosecond);

// Construct (one SHA-256) and draw 32 bytes (one ChaCha20 block via a fresh EVP context).
void BM_DeterministicRng_New32B(benchmark::State& state) {
  uint64_t seed = 0;
  std::array<uint8_t, 32> out{};
  for (auto _ : state) {
    DeterministicRng rng(seed++, "custos/bench/rng");
    rng.fill(out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DeterministicRng_New32B)->Unit(benchmark::kMicrosecond);

void BM_Point_BaseMul(benchmark::State& state) {
  DeterministicRng rng(3);
  Scalar k = Scalar::random_nonzero(rng);
  for (auto _ : state) benchmark::DoNotOptimize(Point::base_mul(k));
}
BENCHMARK(BM_Point_BaseMul)->Unit(benchmark::kMicrosecond);

void BM_Point_Mul(benchmark::State& state) {
  DeterministicRng rng(4);
  Point p = Point::base_mul(Scalar::random_nonzero(rng));
  Scalar k = Scalar::random_nonzero(rng);
  for (auto _ : state) benchmark::DoNotOptimize(p.mul(k));
}
BENCHMARK(BM_Point_Mul)->Unit(benchmark::kMicrosecond);

// custos::ecdsa_verify (what online signing runs on the combined signature).
void BM_Custos_EcdsaVerify(benchmark::State& state) {
  std::array<uint8_t, 32> digest{};
  digest[31] = 0x5A;
  secp256k1_ecdsa_signature raw = secp256k1_sign_once(0);
  std::array<uint8_t, 64> compact{};
  secp256k1_ecdsa_signature_serialize_compact(secp_context(), compact.data(), &raw);
  EcdsaSignature sig;
  sig.r = *Scalar::from_bytes(std::span<const uint8_t>(compact.data(), 32));
  sig.s = *Scalar::from_bytes(std::span<const uint8_t>(compact.data() + 32, 32));
  auto sk = Scalar::from_bytes(baseline_secret_key());
  Point pk = Point::base_mul(*sk);
  for (auto _ : state) {
    bool ok = ecdsa_verify(pk, digest, sig);
    if (!ok) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Custos_EcdsaVerify)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------
// Variable-base exponentiation (crypto/modexp52.h): OpenSSL's constant-time code, the IFMA kernel and
// its portable copy, at the three sizes the protocols use: the N-th power modulo a peer's N² (4096-bit
// modulus, 2048-bit exponent) and the two CRT halves of one's own key (p², 1024-bit exponent; p).

enum ModExpImpl { kOpenSsl, kIfma, kPortable };

void BM_ModExp(benchmark::State& state) {
  const auto impl = static_cast<ModExpImpl>(state.range(0));
  const unsigned modulus_bits = static_cast<unsigned>(state.range(1));
  if (impl == kIfma && !modexp52::cpu_has_ifma()) {
    state.SkipWithError("no AVX-512 IFMA on this CPU");
    return;
  }
  DeterministicRng rng(7);
  const BigInt m = BigInt::random_bits(rng, modulus_bits - 1) + BigInt::power_of_two(modulus_bits - 1) + BigInt(1);
  const BigInt odd_m = m.is_odd() ? m : m + BigInt(1);
  const BigInt base = BigInt::random_below(rng, odd_m), e = BigInt::random_bits(rng, std::min(modulus_bits, 2048u));
  const bool was_on = modexp52::enabled();
  modexp52::set_enabled(false);
  for (auto _ : state) {
    if (impl == kOpenSsl) benchmark::DoNotOptimize(modexp::pow_sec(base, e, odd_m).get());
    if (impl == kIfma) benchmark::DoNotOptimize(modexp52::pow(base, e, odd_m, modexp52::Impl::ifma).get());
    if (impl == kPortable) benchmark::DoNotOptimize(modexp52::pow(base, e, odd_m, modexp52::Impl::portable).get());
  }
  modexp52::set_enabled(was_on);
}
BENCHMARK(BM_ModExp)
    ->ArgNames({"impl", "bits"})
    ->ArgsProduct({{kOpenSsl, kIfma, kPortable}, {4096, 2048, 1024}})
    ->Unit(benchmark::kMicrosecond);

// One Montgomery product of MontgomeryContext (the comb tables' operation) in each representation.
void BM_MontgomeryMul(benchmark::State& state) {
  const auto radix = state.range(0) == 0 ? MontgomeryContext::Radix::limbs64 : MontgomeryContext::Radix::automatic;
  const unsigned modulus_bits = static_cast<unsigned>(state.range(1));
  DeterministicRng rng(8);
  const BigInt m = BigInt::random_bits(rng, modulus_bits - 1) + BigInt::power_of_two(modulus_bits - 1);
  const MontgomeryContext ctx(m.is_odd() ? m : m + BigInt(1), radix);
  if (state.range(0) == 1 && !ctx.radix52()) {
    state.SkipWithError("radix 2^52 not chosen here (no IFMA, or 16 limbs or fewer)");
    return;
  }
  std::vector<mp_limb_t> a(ctx.width()), b(ctx.width()), scratch(ctx.scratch_limbs());
  ctx.to_mont(a.data(), BigInt::random_below(rng, m));
  ctx.to_mont(b.data(), BigInt::random_below(rng, m));
  for (auto _ : state) {
    ctx.mul(a.data(), a.data(), b.data(), scratch.data());
    benchmark::DoNotOptimize(a.data());
  }
}
BENCHMARK(BM_MontgomeryMul)->ArgNames({"radix52", "bits"})->ArgsProduct({{0, 1}, {4096, 2048}});

// ---------------------------------------------------------------------------
// Paillier.

void BM_Paillier_Keygen2048(benchmark::State& state) {
  OsRng rng;
  for (auto _ : state) {
    PaillierSecretKey sk = PaillierSecretKey::generate(rng, 2048);
    benchmark::DoNotOptimize(sk.n().get());
  }
}
// Two safe primes are searched on two threads: Time is wall, CPU is the whole process.
BENCHMARK(BM_Paillier_Keygen2048)
    ->Iterations(keygen_iterations())
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Paillier_Encrypt_Public(benchmark::State& state) {
  DeterministicRng rng(11);
  const PaillierPublicKey& pk = prover_key().public_key();
  BigInt m = Scalar::random(rng).to_bigint();
  BigInt rho = BigInt::random_unit(rng, pk.n());
  for (auto _ : state) benchmark::DoNotOptimize(pk.encrypt(m, rho).get());
}
BENCHMARK(BM_Paillier_Encrypt_Public)->Unit(benchmark::kMicrosecond);

void BM_Paillier_Encrypt_CRT(benchmark::State& state) {
  DeterministicRng rng(12);
  const PaillierSecretKey& sk = prover_key();
  BigInt m = Scalar::random(rng).to_bigint();
  BigInt rho = BigInt::random_unit(rng, sk.n());
  for (auto _ : state) benchmark::DoNotOptimize(sk.encrypt(m, rho).get());
}
BENCHMARK(BM_Paillier_Encrypt_CRT)->Unit(benchmark::kMicrosecond);

void BM_Paillier_Decrypt(benchmark::State& state) {
  DeterministicRng rng(13);
  const PaillierSecretKey& sk = prover_key();
  BigInt m = BigInt::random_symmetric(rng, zk::pow2(zk::kEllPrime));
  BigInt c = sk.encrypt(m, BigInt::random_unit(rng, sk.n()));
  if (sk.decrypt(c) != m) state.SkipWithError("decrypt mismatch");
  for (auto _ : state) benchmark::DoNotOptimize(sk.decrypt(c).get());
}
BENCHMARK(BM_Paillier_Decrypt)->Unit(benchmark::kMicrosecond);

// enc under somebody else's key with a SECRET nonce (constant-time ρ^N mod N², no CRT):
// what Πaff-g's prover pays for A = (α ⊙ C) ⊕ enc_N0(β; r).
void BM_Paillier_EncryptSecret_Public(benchmark::State& state) {
  DeterministicRng rng(15);
  const PaillierPublicKey& pk = verifier_key().public_key();
  BigInt m = BigInt::random_symmetric(rng, zk::pow2(zk::kEllPrime + zk::kEpsilon));
  BigInt rho = BigInt::random_unit(rng, pk.n());
  for (auto _ : state) benchmark::DoNotOptimize(zk::secops::encrypt_secret(pk, nullptr, m, rho).get());
}
BENCHMARK(BM_Paillier_EncryptSecret_Public)->Unit(benchmark::kMicrosecond);

// α ⊙ C with a SECRET α ∈ ±2^(ℓ+ε) under somebody else's key (constant time, no CRT).
void BM_Paillier_ScaleSecret768_Public(benchmark::State& state) {
  DeterministicRng rng(16);
  const PaillierPublicKey& pk = verifier_key().public_key();
  BigInt c = pk.encrypt(Scalar::random(rng).to_bigint(), BigInt::random_unit(rng, pk.n()));
  BigInt alpha = BigInt::random_symmetric(rng, zk::pow2(zk::kEll + zk::kEpsilon));
  for (auto _ : state) benchmark::DoNotOptimize(zk::secops::scale_secret(pk, nullptr, c, alpha).get());
}
BENCHMARK(BM_Paillier_ScaleSecret768_Public)->Unit(benchmark::kMicrosecond);

// k ⊙ C with a 256-bit k under somebody else's key (presign MtA: K_j^γ).
void BM_Paillier_Scale256_Public(benchmark::State& state) {
  DeterministicRng rng(14);
  const PaillierPublicKey& pk = verifier_key().public_key();
  BigInt c = pk.encrypt(Scalar::random(rng).to_bigint(), BigInt::random_unit(rng, pk.n()));
  BigInt k = Scalar::random(rng).to_bigint();
  for (auto _ : state) benchmark::DoNotOptimize(pk.scale(c, k).get());
}
BENCHMARK(BM_Paillier_Scale256_Public)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------
// Ring-Pedersen (N̂ = 2048 bits). Exponents shaped like a proof's mask commitment
// s^α·t^γ: α ∈ ±2^(ℓ+ε), γ ∈ ±2^(ℓ+ε)·N̂.

struct CommitInputs {
  BigInt x, y;
};
CommitInputs commit_inputs(Rng& rng, const RingPedersenParams& rp) {
  return {BigInt::random_symmetric(rng, zk::pow2(zk::kEll + zk::kEpsilon)),
          BigInt::random_symmetric(rng, zk::pow2(zk::kEll + zk::kEpsilon) * rp.n())};
}

void BM_RingPedersen_Commit(benchmark::State& state) {
  DeterministicRng rng(21);
  const RingPedersenParams& rp = verifier_aux().params();
  CommitInputs in = commit_inputs(rng, rp);
  for (auto _ : state) benchmark::DoNotOptimize(rp.commit(in.x, in.y).get());
}
BENCHMARK(BM_RingPedersen_Commit)->Unit(benchmark::kMicrosecond);

void BM_RingPedersen_CommitPublic(benchmark::State& state) {
  DeterministicRng rng(22);
  const RingPedersenParams& rp = verifier_aux().params();
  CommitInputs in = commit_inputs(rng, rp);
  for (auto _ : state) benchmark::DoNotOptimize(rp.commit_public(in.x, in.y).get());
}
BENCHMARK(BM_RingPedersen_CommitPublic)->Unit(benchmark::kMicrosecond);

void BM_RingPedersen_CommitCRT(benchmark::State& state) {
  DeterministicRng rng(23);
  const RingPedersenSecret& rs = verifier_aux();
  CommitInputs in = commit_inputs(rng, rs.params());
  for (auto _ : state) benchmark::DoNotOptimize(rs.commit_crt(in.x, in.y).get());
}
BENCHMARK(BM_RingPedersen_CommitCRT)->Unit(benchmark::kMicrosecond);

void BM_RingPedersen_Generate(benchmark::State& state) {
  DeterministicRng rng(24);
  for (auto _ : state) {
    RingPedersenSecret rs = RingPedersenSecret::generate(rng, prover_key());
    benchmark::DoNotOptimize(rs.params().s().get());
  }
}
BENCHMARK(BM_RingPedersen_Generate)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------
// Proofs. Each `*_Prove` makes the proof the prover makes in the protocol (with its
// own key for CRT), each `*_Verify` checks it as the protocol's verifier does.

template <class Proof, class ProveFn, class VerifyFn>
void run_prove(benchmark::State& state, ProveFn prove, VerifyFn verify) {
  DeterministicRng rng(31, "custos/bench/prove");
  // One sanity check outside the timed loop: a failing proof would make the figure meaningless.
  Proof first = prove(rng);
  if (!verify(first).ok()) {
    state.SkipWithError("honest proof does not verify");
    return;
  }
  for (auto _ : state) {
    Proof p = prove(rng);
    benchmark::DoNotOptimize(&p);
  }
}

template <class Proof, class ProveFn, class VerifyFn>
void run_verify(benchmark::State& state, ProveFn prove, VerifyFn verify) {
  DeterministicRng rng(32, "custos/bench/verify");
  Proof p = prove(rng);
  for (auto _ : state) {
    Status s = verify(p);
    if (!s.ok()) {
      state.SkipWithError(("verify failed: " + s.message()).c_str());
      break;
    }
  }
}

#define CUSTOS_PROOF_BENCH(Name, Proof, prove_fn, verify_fn, unit)                                     \
  void BM_##Name##_Prove(benchmark::State& state) { run_prove<Proof>(state, prove_fn, verify_fn); }   \
  BENCHMARK(BM_##Name##_Prove)->Unit(unit);                                                            \
  void BM_##Name##_Verify(benchmark::State& state) { run_verify<Proof>(state, prove_fn, verify_fn); } \
  BENCHMARK(BM_##Name##_Verify)->Unit(unit)

// Πsch (Fig 22).
struct SchInstance {
  Scalar x;
  Point X;
};
const SchInstance& sch_instance() {
  static const SchInstance in = [] {
    DeterministicRng rng(41);
    SchInstance i;
    i.x = Scalar::random_nonzero(rng);
    i.X = Point::base_mul(i.x);
    return i;
  }();
  return in;
}
auto sch_prove_fn = [](Rng& rng) { return zk::sch_prove_direct(bench_ctx(), sch_instance().X, sch_instance().x, {}, rng); };
auto sch_verify_fn = [](const zk::SchProof& p) { return zk::sch_verify(bench_ctx(), sch_instance().X, p); };
CUSTOS_PROOF_BENCH(ZK_Sch, zk::SchProof, sch_prove_fn, sch_verify_fn, benchmark::kMicrosecond);

// Πenc (Fig 14): the prover's K under its own key, the verifier's aux.
struct EncInstance {
  zk::EncStatement st;
  zk::EncWitness wit;
};
const EncInstance& enc_instance() {
  static const EncInstance in = [] {
    DeterministicRng rng(42);
    EncInstance i;
    i.st.N0 = prover_key().public_key();
    i.st.aux = verifier_aux().params();
    i.wit.k = Scalar::random(rng).to_bigint();
    i.wit.rho = BigInt::random_unit(rng, i.st.N0.n());
    i.st.K = prover_key().encrypt(i.wit.k, i.wit.rho);
    return i;
  }();
  return in;
}
auto enc_prove_fn = [](Rng& rng) {
  return zk::enc_prove(bench_ctx(), enc_instance().st, enc_instance().wit, rng, &prover_key());
};
auto enc_verify_fn = [](const zk::EncProof& p) {
  return zk::enc_verify(bench_ctx(), enc_instance().st, p, &verifier_aux());
};
CUSTOS_PROOF_BENCH(ZK_Enc, zk::EncProof, enc_prove_fn, enc_verify_fn, benchmark::kMillisecond);

// Πaff-g (Fig 15): presign's MtA shape, D under the verifier's key, Y under the prover's.
struct AffGInstance {
  zk::AffGStatement st;
  zk::AffGWitness wit;
};
const AffGInstance& aff_g_instance() {
  static const AffGInstance in = [] {
    DeterministicRng rng(43);
    AffGInstance i;
    i.st.N0 = verifier_key().public_key();
    i.st.N1 = prover_key().public_key();
    i.st.aux = verifier_aux().params();
    const BigInt& n0 = i.st.N0.n();
    i.st.C = verifier_key().encrypt(Scalar::random(rng).to_bigint(), BigInt::random_unit(rng, n0));
    i.wit.x = Scalar::random(rng).to_bigint();
    i.wit.y = -BigInt::random_symmetric(rng, zk::pow2(zk::kEllPrime));
    i.wit.rho = BigInt::random_unit(rng, n0);
    i.wit.rho_y = BigInt::random_unit(rng, i.st.N1.n());
    i.st.D = i.st.N0.add(i.st.N0.scale(i.st.C, i.wit.x), i.st.N0.encrypt(i.wit.y, i.wit.rho));
    i.st.Y = prover_key().encrypt(i.wit.y, i.wit.rho_y);
    i.st.X = Point::base_mul(Scalar::from_bigint(i.wit.x));
    if (!zk::aff_g_check_witness(i.st, i.wit).ok()) std::abort();
    return i;
  }();
  return in;
}
auto aff_g_prove_fn = [](Rng& rng) {
  return zk::aff_g_prove(bench_ctx(), aff_g_instance().st, aff_g_instance().wit, rng, &prover_key());
};
auto aff_g_verify_fn = [](const zk::AffGProof& p) {
  return zk::aff_g_verify(bench_ctx(), aff_g_instance().st, p, &verifier_key(), &verifier_aux());
};
CUSTOS_PROOF_BENCH(ZK_AffG, zk::AffGProof, aff_g_prove_fn, aff_g_verify_fn, benchmark::kMillisecond);

void BM_ZK_AffG_CheckWitness(benchmark::State& state) {
  for (auto _ : state) {
    Status s = zk::aff_g_check_witness(aff_g_instance().st, aff_g_instance().wit);
    benchmark::DoNotOptimize(&s);
  }
}
BENCHMARK(BM_ZK_AffG_CheckWitness)->Unit(benchmark::kMillisecond);

// Πlog* (Fig 25) with base G.
struct LogStarInstance {
  zk::LogStarStatement st;
  zk::LogStarWitness wit;
};
const LogStarInstance& log_star_instance() {
  static const LogStarInstance in = [] {
    DeterministicRng rng(44);
    LogStarInstance i;
    i.st.N0 = prover_key().public_key();
    i.st.aux = verifier_aux().params();
    Scalar x = Scalar::random_nonzero(rng);
    i.wit.x = x.to_bigint();
    i.wit.rho = BigInt::random_unit(rng, i.st.N0.n());
    i.st.C = prover_key().encrypt(i.wit.x, i.wit.rho);
    i.st.B = Point::generator();
    i.st.X = Point::base_mul(x);
    return i;
  }();
  return in;
}
auto log_star_prove_fn = [](Rng& rng) {
  return zk::log_star_prove(bench_ctx(), log_star_instance().st, log_star_instance().wit, rng, &prover_key());
};
auto log_star_verify_fn = [](const zk::LogStarProof& p) {
  return zk::log_star_verify(bench_ctx(), log_star_instance().st, p, &verifier_aux());
};
CUSTOS_PROOF_BENCH(ZK_LogStar, zk::LogStarProof, log_star_prove_fn, log_star_verify_fn, benchmark::kMillisecond);

// Πmod (Fig 16), 80 repetitions.
auto mod_prove_fn = [](Rng& rng) {
  return zk::mod_prove(bench_ctx(), zk::ModStatement{prover_key().n()}, zk::ModWitness{prover_key()}, rng);
};
auto mod_verify_fn = [](const zk::ModProof& p) {
  return zk::mod_verify(bench_ctx(), zk::ModStatement{prover_key().n()}, p);
};
CUSTOS_PROOF_BENCH(ZK_Mod, zk::ModProof, mod_prove_fn, mod_verify_fn, benchmark::kMillisecond);

// Πprm (Fig 17), 80 repetitions, over the prover's own aux.
auto prm_prove_fn = [](Rng& rng) {
  return zk::prm_prove(bench_ctx(), zk::PrmStatement{prover_aux().params()}, zk::PrmWitness{prover_aux()}, rng);
};
auto prm_verify_fn = [](const zk::PrmProof& p) {
  return zk::prm_verify(bench_ctx(), zk::PrmStatement{prover_aux().params()}, p);
};
CUSTOS_PROOF_BENCH(ZK_Prm, zk::PrmProof, prm_prove_fn, prm_verify_fn, benchmark::kMillisecond);

// Πfac (Fig 28) under the verifier's aux.
zk::FacStatement fac_statement() { return zk::FacStatement{prover_key().n(), verifier_aux().params()}; }
auto fac_prove_fn = [](Rng& rng) {
  return zk::fac_prove(bench_ctx(), fac_statement(), zk::FacWitness{prover_key().p(), prover_key().q()}, rng);
};
auto fac_verify_fn = [](const zk::FacProof& p) {
  return zk::fac_verify(bench_ctx(), fac_statement(), p, &verifier_aux());
};
CUSTOS_PROOF_BENCH(ZK_Fac, zk::FacProof, fac_prove_fn, fac_verify_fn, benchmark::kMillisecond);

// Πmul (Fig 29): X = K_i, Y = G_i, C = H_i, all under the prover's key.
struct MulInstance {
  zk::MulStatement st;
  zk::MulWitness wit;
};
const MulInstance& mul_instance() {
  static const MulInstance in = [] {
    DeterministicRng rng(45);
    const PaillierSecretKey& sk = prover_key();
    MulInstance i;
    i.st.N = sk.public_key();
    const BigInt& n = i.st.N.n();
    i.wit.x = Scalar::random(rng).to_bigint();
    i.wit.rho_x = BigInt::random_unit(rng, n);
    i.wit.rho = BigInt::random_unit(rng, n);
    i.st.X = sk.encrypt(i.wit.x, i.wit.rho_x);
    i.st.Y = sk.encrypt(Scalar::random(rng).to_bigint(), BigInt::random_unit(rng, n));
    i.st.C = i.st.N.add(i.st.N.scale(i.st.Y, i.wit.x), sk.rho_pow_n(i.wit.rho));
    if (!zk::mul_check_witness(i.st, i.wit).ok()) std::abort();
    return i;
  }();
  return in;
}
auto mul_prove_fn = [](Rng& rng) {
  return zk::mul_prove(bench_ctx(), mul_instance().st, mul_instance().wit, rng, &prover_key());
};
auto mul_verify_fn = [](const zk::MulProof& p) { return zk::mul_verify(bench_ctx(), mul_instance().st, p); };
CUSTOS_PROOF_BENCH(ZK_Mul, zk::MulProof, mul_prove_fn, mul_verify_fn, benchmark::kMillisecond);

// Πdec (Fig 30) for a δ_i-sized plaintext (3 signers).
struct DecInstance {
  zk::DecStatement st;
  zk::DecWitness wit;
};
const DecInstance& dec_instance() {
  static const DecInstance in = [] {
    DeterministicRng rng(46);
    const PaillierSecretKey& sk = prover_key();
    DecInstance i;
    i.st.N0 = sk.public_key();
    i.st.aux = verifier_aux().params();
    i.st.y_bits = zk::dec_y_bits_for_parties(3);
    i.wit.y = BigInt::random_symmetric(rng, zk::pow2(i.st.y_bits));
    i.wit.rho = BigInt::random_unit(rng, i.st.N0.n());
    i.st.C = sk.encrypt(i.wit.y, i.wit.rho);
    i.st.x = Scalar::from_bigint(i.wit.y);
    if (!zk::dec_check_witness(i.st, i.wit).ok()) std::abort();
    return i;
  }();
  return in;
}
auto dec_prove_fn = [](Rng& rng) {
  return zk::dec_prove(bench_ctx(), dec_instance().st, dec_instance().wit, rng, &prover_key());
};
auto dec_verify_fn = [](const zk::DecProof& p) {
  return zk::dec_verify(bench_ctx(), dec_instance().st, p, &verifier_aux());
};
CUSTOS_PROOF_BENCH(ZK_Dec, zk::DecProof, dec_prove_fn, dec_verify_fn, benchmark::kMillisecond);

// Πmul* (Fig 31): C = K_i, D = Ĥ_i under the prover's key, X = x·G, the verifier's aux.
struct MulStarInstance {
  zk::MulStarStatement st;
  zk::MulStarWitness wit;
};
const MulStarInstance& mul_star_instance() {
  static const MulStarInstance in = [] {
    DeterministicRng rng(47);
    const PaillierSecretKey& sk = prover_key();
    MulStarInstance i;
    i.st.N0 = sk.public_key();
    i.st.aux = verifier_aux().params();
    const BigInt& n0 = i.st.N0.n();
    i.st.C = sk.encrypt(Scalar::random(rng).to_bigint(), BigInt::random_unit(rng, n0));
    i.wit.x = Scalar::random(rng).to_bigint();
    i.wit.rho = BigInt::random_unit(rng, n0);
    i.st.D = i.st.N0.add(i.st.N0.scale(i.st.C, i.wit.x), sk.rho_pow_n(i.wit.rho));
    i.st.X = Point::base_mul(Scalar::from_bigint(i.wit.x));
    if (!zk::mul_star_check_witness(i.st, i.wit).ok()) std::abort();
    return i;
  }();
  return in;
}
auto mul_star_prove_fn = [](Rng& rng) {
  return zk::mul_star_prove(bench_ctx(), mul_star_instance().st, mul_star_instance().wit, rng, &prover_key());
};
auto mul_star_verify_fn = [](const zk::MulStarProof& p) {
  return zk::mul_star_verify(bench_ctx(), mul_star_instance().st, p, nullptr, &verifier_aux());
};
CUSTOS_PROOF_BENCH(ZK_MulStar, zk::MulStarProof, mul_star_prove_fn, mul_star_verify_fn, benchmark::kMillisecond);

}  // namespace
