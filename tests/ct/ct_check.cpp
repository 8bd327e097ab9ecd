// Constant-time check of the secret arithmetic, run under valgrind memcheck (DESIGN §10, after
// libsecp256k1's ctime tests).
//
// Each case marks its secrets as undefined memory. Memcheck then reports every conditional jump and
// every memory address that depends on them. What the code deliberately makes public (ct::declassify,
// crypto/ct.h) stops being tracked; the length leaks that OpenSSL and GMP have by design are listed,
// with the reason each is acceptable, in ct.supp. A case fails if memcheck reports anything else.
//
// Run: valgrind --suppressions=tests/ct/ct.supp ./ct_check (ctest does this). The verdict is the exit code.
#include <valgrind/memcheck.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/fixed_base.h"
#include "crypto/modexp52.h"
#include "crypto/paillier.h"
#include "crypto/point.h"
#include "crypto/ring_pedersen.h"
#include "crypto/safe_prime.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "crypto/sec_int.h"
#include "crypto/vss.h"
#include "crypto/zk/aff_g.h"
#include "crypto/zk/dec.h"
#include "crypto/zk/enc.h"
#include "crypto/zk/fac.h"
#include "crypto/zk/log_star.h"
#include "crypto/zk/mod.h"
#include "crypto/zk/mul.h"
#include "crypto/zk/mul_star.h"
#include "crypto/zk/prm.h"
#include "crypto/zk/sec_ops.h"
#include "protocol/cggmp21/keygen.h"
#include "protocol/cggmp21/aux_info.h"
#include "protocol/cggmp21/common.h"
#include "protocol/cggmp21/presign.h"
#include "protocol/cggmp21/sign.h"
#include "protocol/proto/cggmp21.pb.h"
#include "protocol/wire.h"
#include "sim/harness.h"
#include "tests/paillier_fixtures.h"

using namespace custos;
using protocol::PartyIndex;

namespace {

// Secret: the value's bytes become undefined. A BigInt's limb count stays public (the documented
// length leak of every bignum library); its limbs are secret.
void secret(const void* p, size_t n) { (void)VALGRIND_MAKE_MEM_UNDEFINED(p, n); }
void secret(const BigInt& x) {
  secret(x.get()->_mp_d, sizeof(mp_limb_t) * mpz_size(x.get()));
}
template <class T>
void secret(const T& v) {
  secret(&v, sizeof v);
}

// Public again: for outputs the test itself inspects, so that only the code under test is judged.
void reveal(const void* p, size_t n) { (void)VALGRIND_MAKE_MEM_DEFINED(p, n); }
void reveal(const BigInt& x) {
  reveal(x.get(), sizeof(*x.get()));
  reveal(x.get()->_mp_d, sizeof(mp_limb_t) * mpz_size(x.get()));
}
template <class T>
void reveal(const T& v) {
  reveal(&v, sizeof v);
}

// Delivers the two parties' messages to each other until both sessions finish; `in_transit` sees (and
// may rewrite) each message on its way.
template <class Out>
void run_pair(std::map<PartyIndex, protocol::Session<Out>>& sessions, Rng& rng1, Rng& rng2,
              const std::function<void(protocol::Message&)>& in_transit) {
  for (int pass = 0; pass < 20 && !(sessions.at(1).finished() && sessions.at(2).finished()); ++pass) {
    for (PartyIndex from : {1u, 2u}) {
      const PartyIndex to = from == 1 ? 2 : 1;
      for (protocol::Message m : sessions.at(from).take_outgoing()) {
        in_transit(m);
        (void)sessions.at(to).handle(m, to == 1 ? rng1 : rng2);
      }
    }
  }
}

// Party 1's shares for party 2 leave it in p2p messages (in keygen and refresh): they are revealed as
// they leave, so that only party 1's handling of its secrets is judged (party 2's is party 2's).
void reveal_p2p_from_party_1(protocol::Message& m) {
  if (m.from == 1 && m.kind == protocol::Kind::kP2P) reveal(m.payload.data(), m.payload.size());
}

// Random bytes that are secret: the draws of a proof's masks and nonces. Rejection sampling must
// decide without branching on them beyond its declared verdict.
class SecretRng : public Rng {
 public:
  explicit SecretRng(Rng& inner) : inner_(inner) {}
  void fill(std::span<uint8_t> out) override {
    inner_.fill(out);
    secret(out.data(), out.size());
  }

 private:
  Rng& inner_;
};

// An own Paillier key whose every secret value is marked secret.
void secret(const PaillierSecretKey& sk) {
  for (const BigInt* v : sk.secret_values()) secret(*v);
}

int failures = 0;
unsigned reports_in_cases = 0;  // cases and canaries

// How many errors memcheck reports while `body` runs.
unsigned reports_during(const std::function<void()>& body) {
  const unsigned before = VALGRIND_COUNT_ERRORS;
  body();
  return VALGRIND_COUNT_ERRORS - before;
}

// `ct_check <words>` runs only the cases whose name contains <words> (and the canaries), while
// working on one case; ctest runs them all.
const char* only = nullptr;

void check(const char* name, const std::function<void()>& body) {
  if (only != nullptr && std::string(name).find(only) == std::string::npos) return;
  const unsigned found = reports_during(body);
  std::printf("%-58s %s (%u reports)\n", name, found == 0 ? "constant time" : "LEAKS", found);
  if (found != 0) ++failures;
  reports_in_cases += found;
}

// The canaries: code that does branch on a secret must be reported, or the check itself is broken
// (memcheck not instrumenting, secrets not marked, a suppression too wide).
void expect_leak(const char* name, const std::function<void()>& body) {
  const unsigned found = reports_during(body);
  std::printf("%-58s %s (%u reports)\n", name, found != 0 ? "leaks, as it must" : "NOT DETECTED", found);
  if (found == 0) ++failures;
  reports_in_cases += found;
}

BigInt odd_modulus(Rng& rng, unsigned bits) {
  BigInt m = BigInt::random_bits(rng, bits - 1) + BigInt::power_of_two(bits - 1);
  return m.is_odd() ? m : m + BigInt(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) only = argv[1];
  if (!RUNNING_ON_VALGRIND) {
    std::fprintf(stderr, "ct_check only means something under valgrind: valgrind --suppressions=ct.supp ct_check\n");
    return 2;
  }
  // Valgrind emulates no AVX-512, so the CPU check already says no IFMA; saying it here too keeps the
  // modexp:: cases on OpenSSL's code even under a valgrind that some day does. The IFMA kernel's
  // algorithm is checked through its portable copy (the modexp52 cases).
  modexp52::set_enabled(false);
  if (modexp52::cpu_has_ifma()) std::printf("note: this valgrind reports AVX-512 IFMA\n");
  DeterministicRng rng(20261121, "custos/ct-check");

  check("scalar: a + b, a - b, a * b, -a", [&] {
    Scalar a = Scalar::random(rng), b = Scalar::random(rng);
    secret(a);
    secret(b);
    Scalar r[4] = {a + b, a - b, a * b, -a};
    reveal(r);
  });
  check("scalar: inverse", [&] {
    Scalar a = Scalar::random_nonzero(rng);
    secret(a);
    auto inv = a.inverse();
    reveal(inv);
  });
  check("scalar: ==, is_zero, to_bytes", [&] {
    Scalar a = Scalar::random(rng), b = Scalar::random(rng);
    secret(a);
    secret(b);
    bool eq = a == b, zero = a.is_zero();
    auto bytes = a.to_bytes();
    reveal(eq);
    reveal(zero);
    reveal(bytes);
  });
  check("scalar: from_bigint of a signed 768-bit secret", [&] {
    BigInt x = -BigInt::random_bits(rng, 768);
    secret(x);
    Scalar s = Scalar::from_bigint(x);
    reveal(s);
  });
  check("shamir: a share f(j) of a secret polynomial", [&] {
    Polynomial f = Polynomial::random(rng, 3, Scalar::random(rng));
    for (size_t k = 0; k <= f.degree(); ++k) secret(f.coefficient(k));
    Scalar share = f.evaluate(Scalar::from_u64(5));
    reveal(share);
  });
  check("point: x·G and k·P (product published)", [&] {
    Scalar x = Scalar::random_nonzero(rng), k = Scalar::random_nonzero(rng);
    Point p = Point::base_mul(Scalar::random_nonzero(rng));
    secret(x);
    secret(k);
    Point a = Point::base_mul(x), b = p.mul(k);
    reveal(a);
    reveal(b);
  });

  const BigInt m = odd_modulus(rng, 2048);
  const BigInt base = BigInt::random_unit(rng, m);
  const FixedBaseExp comb(base, m, 1024, /*allow_signed=*/true);
  const FixedBaseExp comb2(BigInt::random_unit(rng, m), m, 1024, true);
  check("comb: base^e, e secret, 1000 bits", [&] {
    BigInt e = BigInt::random_bits(rng, 1000);
    secret(e);
    BigInt r = comb.pow(e, 1024);
    reveal(r);
  });
  check("comb: base^e, e secret and negative", [&] {
    BigInt e = -BigInt::random_bits(rng, 1000);
    secret(e);
    BigInt r = comb.pow_signed(e, 1024);
    reveal(r);
  });
  check("comb: a^x · b^y, x and y secret and signed", [&] {
    BigInt x = BigInt::random_bits(rng, 1000), y = -BigInt::random_bits(rng, 900);
    secret(x);
    secret(y);
    BigInt r = FixedBaseExp::pow2_signed(comb, x, 1024, comb2, y, 1024);
    reveal(r);
  });
  check("modexp::pow_sec: public base, secret exponent", [&] {
    BigInt e = BigInt::random_bits(rng, 1024);
    secret(e);
    BigInt r = modexp::pow_sec(base, e, m);
    reveal(r);
  });
  check("modexp::pow_sec: secret base below m, public exponent", [&] {
    BigInt b = BigInt::random_below(rng, m);
    secret(b);
    BigInt r = modexp::pow_sec(b, m, m);
    reveal(r);
  });
  // The radix-2^52 kernel behind modexp:: on CPUs with IFMA. Valgrind has no AVX-512 (the CPU check says
  // no), so this is the portable copy: the same operations on the same memory as the IFMA one.
  check("modexp52 (portable): base, exponent and modulus secret", [&] {
    BigInt mod = odd_modulus(rng, 2048), b = BigInt::random_below(rng, mod), e = BigInt::random_bits(rng, 1024);
    secret(mod);
    secret(b);
    secret(e);
    BigInt r = modexp52::pow(b, e, mod, modexp52::Impl::portable);
    reveal(r);
  });
  check("Montgomery context in radix 2^52 (portable), all secret", [&] {
    BigInt mod = odd_modulus(rng, 2048), a = BigInt::random_below(rng, mod), b = BigInt::random_below(rng, mod);
    for (const BigInt* v : {&mod, &a, &b}) secret(*v);
    const MontgomeryContext ctx(mod, MontgomeryContext::Radix::digits52_portable);
    std::vector<mp_limb_t> x(ctx.width()), y(ctx.width()), scratch(ctx.scratch_limbs());
    ctx.to_mont(x.data(), a);
    ctx.to_mont(y.data(), b);
    ctx.mul(x.data(), x.data(), y.data(), scratch.data());
    ctx.sqr(x.data(), x.data(), scratch.data());
    std::vector<mp_limb_t> table(4 * ctx.width());
    for (size_t i = 0; i < 4; ++i) ctx.mul(table.data() + i * ctx.width(), x.data(), y.data(), scratch.data());
    size_t index = 2;
    secret(index);
    ctx.select(y.data(), table.data(), 4, index);
    ctx.mul(x.data(), x.data(), y.data(), scratch.data());
    BigInt r = ctx.from_mont(x.data(), scratch.data()), r2 = ctx.mul_mod(a, b);
    reveal(r);
    reveal(r2);
  });
  check("modexp52 (portable): a^x · b^y, all secret", [&] {
    BigInt mod = odd_modulus(rng, 2048), a = BigInt::random_below(rng, mod), b = BigInt::random_below(rng, mod);
    BigInt x = BigInt::random_bits(rng, 1024), y = BigInt::random_bits(rng, 700);
    for (const BigInt* v : {&mod, &a, &b, &x, &y}) secret(*v);
    BigInt r = modexp52::pow2(a, x, b, y, mod, modexp52::Impl::portable);
    reveal(r);
  });

  const BigInt nhat = odd_modulus(rng, 2048);
  auto rp = RingPedersenParams::create(nhat, BigInt::random_unit(rng, nhat), BigInt::random_unit(rng, nhat));
  if (!rp.ok()) return 3;
  (void)rp->commit(BigInt(1), BigInt(1));  // builds the comb tables (public bases)
  check("ring-Pedersen: s^x · t^y, x and y secret and signed", [&] {
    BigInt x = -BigInt::random_bits(rng, 768), y = BigInt::random_bits(rng, 2800);
    secret(x);
    secret(y);
    BigInt r = rp->commit(x, y);
    reveal(r);
  });

  const auto pk = PaillierPublicKey::from_modulus(odd_modulus(rng, 2048));
  if (!pk.ok()) return 3;
  const BigInt ciphertext = BigInt::random_unit(rng, pk->n2());
  check("paillier: k ⊙ C under a peer's key, k secret and signed", [&] {
    BigInt k = -BigInt::random_bits(rng, 768);
    secret(k);
    BigInt r = zk::secops::scale_secret(*pk, nullptr, ciphertext, k);
    reveal(r);
  });
  check("paillier: enc(m; ρ) under a peer's key, m and ρ secret", [&] {
    BigInt msg = -BigInt::random_bits(rng, 1800), rho = BigInt::random_below(rng, pk->n());
    secret(msg);
    secret(rho);
    BigInt r = zk::secops::encrypt_secret(*pk, nullptr, msg, rho);
    reveal(r);
  });

  SecretRng secret_rng(rng);
  check("random_unit: a secret draw in Z*_N (rejection sampling)", [&] {
    BigInt r = BigInt::random_unit(secret_rng, pk->n());
    reveal(r);
  });
  check("random_symmetric: a secret draw in [-2^800, 2^800]", [&] {
    BigInt r = BigInt::random_symmetric(secret_rng, BigInt::power_of_two(800));
    reveal(r);
  });
  check("proof response z = α + e·x, α and x secret and signed", [&] {
    BigInt alpha = -BigInt::random_bits(rng, 1300), x = BigInt::random_bits(rng, 1000);
    BigInt e = -BigInt::random_bits(rng, 256);
    secret(alpha);
    secret(x);
    BigInt z = secint::response(alpha, e, x);
    reveal(z);
  });

  // Set-up with the factors secret (session 10): the primality tests a key's primes go through when
  // they are generated and whenever a stored key is loaded, and the generator tables of
  // random_rho_and_power, built on a key's first use.
  {
    const auto pair = testing::load_test_safe_primes().at(5);
    check("safe-prime checks (Miller–Rabin) on a secret prime and on its (p − 1)/2", [&] {
      BigInt p = pair.first;
      secret(p);
      const bool safe = is_safe_prime(p) && is_probable_prime_secret(p, 20);
      if (!safe) {
        std::printf("a fixture prime failed the secret primality test\n");
        ++failures;
      }
    });
    Result<PaillierSecretKey> key = internal_error("not built");
    check("paillier (own key): from_primes (checks, φ, N⁻¹ mod φ, CRT constants), p and q secret", [&] {
      BigInt p = pair.first, q = pair.second;
      secret(p);
      secret(q);
      key = PaillierSecretKey::from_primes(p, q);
    });
    if (!key.ok() && only != nullptr) key = PaillierSecretKey::from_primes(pair.first, pair.second);  // case skipped
    if (!key.ok()) {
      std::printf("from_primes under the check failed: %s\n", key.status().to_string().c_str());
      return 3;
    }
    check("paillier (own key): the generator tables, built with the factors secret", [&] {
      secret(*key);
      auto [rho, power] = key->random_rho_and_power(secret_rng);
      reveal(rho);
      reveal(power);
      if (!key->public_key().is_ciphertext(power)) {
        std::printf("ρ^N from the tables built under the check is not a unit\n");
        ++failures;
      }
    });
  }

  // The owner's CRT arithmetic: p, q, p², q² and the CRT constants are secret too.
  const auto primes = testing::load_test_safe_primes().front();
  auto own = PaillierSecretKey::from_primes(primes.first, primes.second);
  if (!own.ok()) return 3;
  const PaillierSecretKey& sk = *own;
  const BigInt own_ciphertext =
      sk.public_key().encrypt(BigInt::random_bits(rng, 1500), BigInt::random_unit(rng, sk.n()));
  (void)sk.random_rho_and_power(rng);  // builds the generator tables first (public bases)
  // Everything built from the key is built before any case marks it secret: set-up runs once per key
  // and is not covered (security.md, gap 7).
  const RingPedersenSecret own_aux = RingPedersenSecret::generate(rng, sk);
  (void)own_aux.commit_crt(BigInt(1), BigInt(1));  // builds the CRT comb tables (public bases)
  (void)own_aux.pow_t_crt(BigInt(1));
  check("paillier (own key): decrypt, the factors secret", [&] {
    secret(sk);
    BigInt m = sk.decrypt(own_ciphertext);
    reveal(m);
  });
  check("paillier (own key): enc(m; ρ) by CRT, m and ρ secret", [&] {
    BigInt msg = -BigInt::random_bits(rng, 1800), rho = BigInt::random_unit(rng, sk.n());
    secret(sk);
    secret(msg);
    secret(rho);
    BigInt c = sk.encrypt(msg, rho);
    reveal(c);
  });
  check("paillier (own key): k ⊙ C by CRT, k secret and signed", [&] {
    BigInt k = -BigInt::random_bits(rng, 768);
    secret(sk);
    secret(k);
    BigInt r = zk::secops::scale_secret(sk.public_key(), &sk, own_ciphertext, k);
    reveal(r);
  });
  check("paillier (own key): fresh ρ and ρ^N from the generator tables", [&] {
    secret(sk);
    auto [rho, power] = sk.random_rho_and_power(secret_rng);
    reveal(rho);
    reveal(power);
  });
  check("ring-Pedersen (own parameters): s^x · t^y by CRT, x, y secret", [&] {
    BigInt x = -BigInt::random_bits(rng, 768), y = BigInt::random_bits(rng, 2800);
    secret(own_aux.key());
    secret(own_aux.lambda());
    secret(x);
    secret(y);
    BigInt r = own_aux.commit_crt(x, y);
    reveal(r);
  });
  check("Πmod: responses to three challenges, the factors secret", [&] {
    BigInt w = BigInt::random_below(rng, sk.n());
    while (BigInt::jacobi(w, sk.n()) != -1) w = BigInt::random_below(rng, sk.n());
    std::vector<BigInt> ys;
    for (int i = 0; i < 3; ++i) ys.push_back(BigInt::random_below(rng, sk.n()));
    secret(sk);
    std::vector<zk::ModRound> rounds = zk::mod_respond(sk, w, ys);
    for (const zk::ModRound& r : rounds) {
      reveal(r.x);
      reveal(r.z);
      reveal(r.a);
    }
  });
  check("Πprm: 80 commitments t^a and responses a + λ mod φ, λ and φ secret", [&] {
    secret(own_aux.key());
    secret(own_aux.lambda());
    zk::PrmProof proof = zk::prm_prove(zk::ProofContext{}, zk::PrmStatement{own_aux.params()},
                                       zk::PrmWitness{own_aux}, secret_rng);
    for (const BigInt& a : proof.a) reveal(a);
    for (const BigInt& z : proof.z) reveal(z);
  });
  // Whole provers, as the protocol runs them: the witness and the generator's output secret, the own
  // key's factors secret. Statements need not be true for the prover to run; what is checked is that
  // nothing before the published first message and the responses depends on a secret.
  const zk::ProofContext ctx{};
  auto unit_n2 = [&](const PaillierPublicKey& key) { return BigInt::random_unit(rng, key.n2()); };
  const PaillierPublicKey& own_pk = sk.public_key();
  for (const bool with_key : {false, true}) {
    check(with_key ? "Πenc prover, with its own key (CRT)" : "Πenc prover, without its key", [&] {
      zk::EncWitness wit{BigInt::random_bits(rng, 256), BigInt::random_unit(rng, sk.n())};
      zk::EncStatement st{own_pk, unit_n2(own_pk), *rp};
      secret(sk);
      secret(wit.k);
      secret(wit.rho);
      zk::EncProof proof = zk::enc_prove(ctx, st, wit, secret_rng, with_key ? &sk : nullptr);
      reveal(proof.z1);
      reveal(proof.z2);
      reveal(proof.z3);
    });
  }
  check("Πaff-g prover (verifier's key N0, own key N1)", [&] {
    zk::AffGWitness wit{BigInt::random_bits(rng, 256), -BigInt::random_bits(rng, 1280),
                        BigInt::random_unit(rng, pk->n()), BigInt::random_unit(rng, sk.n())};
    zk::AffGStatement st{*pk, own_pk, ciphertext, unit_n2(*pk), unit_n2(own_pk), Point::generator(), *rp};
    secret(sk);
    secret(wit.x);
    secret(wit.y);
    secret(wit.rho);
    secret(wit.rho_y);
    zk::AffGProof proof = zk::aff_g_prove(ctx, st, wit, secret_rng, &sk);
    for (const BigInt* v : {&proof.z1, &proof.z2, &proof.z3, &proof.z4, &proof.w, &proof.wy}) reveal(*v);
  });
  check("Πlog* prover, own key", [&] {
    zk::LogStarWitness wit{BigInt::random_bits(rng, 256), BigInt::random_unit(rng, sk.n())};
    zk::LogStarStatement st{own_pk, unit_n2(own_pk), Point::generator(), Point::generator(), *rp};
    secret(sk);
    secret(wit.x);
    secret(wit.rho);
    zk::LogStarProof proof = zk::log_star_prove(ctx, st, wit, secret_rng, &sk);
    for (const BigInt* v : {&proof.z1, &proof.z2, &proof.z3}) reveal(*v);
  });
  check("Πmul prover, own key", [&] {
    zk::MulWitness wit{BigInt::random_bits(rng, 256), BigInt::random_unit(rng, sk.n()),
                       BigInt::random_unit(rng, sk.n())};
    zk::MulStatement st{own_pk, unit_n2(own_pk), unit_n2(own_pk), unit_n2(own_pk)};
    secret(sk);
    secret(wit.x);
    secret(wit.rho);
    secret(wit.rho_x);
    zk::MulProof proof = zk::mul_prove(ctx, st, wit, secret_rng, &sk);
    for (const BigInt* v : {&proof.z, &proof.u, &proof.v}) reveal(*v);
  });
  check("Πmul* prover, own key", [&] {
    zk::MulStarWitness wit{BigInt::random_bits(rng, 256), BigInt::random_unit(rng, sk.n())};
    zk::MulStarStatement st{own_pk, unit_n2(own_pk), unit_n2(own_pk), Point::generator(), *rp};
    secret(sk);
    secret(wit.x);
    secret(wit.rho);
    zk::MulStarProof proof = zk::mul_star_prove(ctx, st, wit, secret_rng, &sk);
    for (const BigInt* v : {&proof.z1, &proof.z2, &proof.w}) reveal(*v);
  });
  check("Πdec prover, own key", [&] {
    zk::DecWitness wit{-BigInt::random_bits(rng, 1500), BigInt::random_unit(rng, sk.n())};
    zk::DecStatement st{own_pk, unit_n2(own_pk), Scalar::random(rng), *rp, zk::dec_y_bits_for_parties(2)};
    secret(sk);
    secret(wit.y);
    secret(wit.rho);
    zk::DecProof proof = zk::dec_prove(ctx, st, wit, secret_rng, &sk);
    for (const BigInt* v : {&proof.z1, &proof.z2, &proof.w}) reveal(*v);
  });
  check("Πfac prover, the factors secret", [&] {
    zk::FacWitness wit{sk.p(), sk.q()};
    zk::FacStatement st{sk.n(), *rp};
    secret(wit.p);
    secret(wit.q);
    zk::FacProof proof = zk::fac_prove(ctx, st, wit, secret_rng);
    for (const BigInt* v : {&proof.z1, &proof.z2, &proof.w1, &proof.w2, &proof.v}) reveal(*v);
  });

  check("proof response w = r·ρ^e mod N by CRT (own key), e < 0", [&] {
    BigInt r = BigInt::random_unit(rng, sk.n()), rho = BigInt::random_unit(rng, sk.n());
    BigInt e = -BigInt::random_bits(rng, 256);
    secret(sk);
    secret(r);
    secret(rho);
    BigInt w = zk::secops::mask_nonce(r, rho, e, sk.public_key(), &sk, rng);
    reveal(w);
  });

  for (const bool negative : {false, true}) {
    check(negative ? "proof response w = r·ρ^e mod N, e < 0 (blinded inverse)"
                   : "proof response w = r·ρ^e mod N, e > 0",
          [&] {
            BigInt r = BigInt::random_unit(rng, pk->n()), rho = BigInt::random_unit(rng, pk->n());
            BigInt e = BigInt::random_bits(rng, 256);
            if (negative) e = -e;
            secret(r);
            secret(rho);
            BigInt w = zk::secops::mask_nonce(r, rho, e, *pk, nullptr, rng);
            reveal(w);
          });
  }
  check("presign MtA: D = (γ ⊙ K_j) ⊕ enc(−β; s) under the peer's key", [&] {
    BigInt gamma = BigInt::random_bits(rng, 256), beta = -BigInt::random_bits(rng, 1800);
    BigInt s = BigInt::random_below(rng, pk->n());
    secret(gamma);
    secret(beta);
    secret(s);
    BigInt d = pk->add_secret(modexp::pow_sec(ciphertext, gamma, pk->n2()), pk->encrypt(beta, s));
    reveal(d);
  });

  // Keygen (2,2) through protocol::Session, party 1's generator secret (the polynomial, the Schnorr
  // nonce). Its shares for party 2 leave party 1 in p2p messages: the harness reveals those payloads
  // when delivering them, so that only party 1's handling of its secrets is judged.
  {
    DeterministicRng rng2(8, "custos/ct-check/keygen-party-2");
    check("keygen (2,2), party 1's three rounds through Session", [&] {
      std::map<PartyIndex, protocol::Session<cggmp21::KeyShare>> sessions;
      for (PartyIndex p : {1u, 2u}) {
        cggmp21::KeygenConfig cfg{Digest32{}, p, {1, 2}, 2};
        sessions.emplace(p, std::move(cggmp21::make_keygen_session(cfg, p == 1 ? static_cast<Rng&>(secret_rng) : rng2))
                                .value());
      }
      run_pair(sessions, secret_rng, rng2, reveal_p2p_from_party_1);
      if (!sessions.at(1).output() || !sessions.at(2).output()) {
        std::printf("keygen (2,2) under the check did not finish\n");
        ++failures;
      }
    });
  }

  // The protocol rounds themselves, as the node runs them: a whole (2,2) presignature and signature
  // through protocol::Session, party 2 honest and unmarked, party 1 with every secret marked (its key
  // share, its Paillier factors and CRT constants, its ring-Pedersen λ, every draw of its generator).
  // What party 1 sends is declared public where the round builds it (ct::declassify, secops::publish).
  {
    const auto pair = testing::load_test_safe_primes();
    std::map<PartyIndex, std::shared_ptr<const PaillierSecretKey>> keys;
    std::map<PartyIndex, std::shared_ptr<const RingPedersenSecret>> rps;
    for (PartyIndex p : {1u, 2u}) {
      auto key = PaillierSecretKey::from_primes(pair[p - 1].first, pair[p - 1].second);
      if (!key.ok()) return 3;
      keys[p] = std::make_shared<const PaillierSecretKey>(std::move(key).value());
      (void)keys[p]->random_rho_and_power(rng);  // generator tables: once per key, before marking
      rps[p] = std::make_shared<const RingPedersenSecret>(RingPedersenSecret::generate(rng, *keys[p]));
      (void)rps[p]->commit_crt(BigInt(1), BigInt(1));
      (void)rps[p]->pow_t_crt(BigInt(1));
    }
    auto shares = sim::deal_key_shares(Scalar::random_nonzero(rng), {}, 2, 2, rng);
    std::map<PartyIndex, cggmp21::PresignConfig> configs;
    for (PartyIndex p : {1u, 2u}) {
      auto aux = std::make_shared<cggmp21::AuxInfo>();
      aux->epoch.fill(9);
      aux->self = p;
      aux->paillier = keys[p];
      aux->ring_pedersen = rps[p];
      for (PartyIndex q : {1u, 2u}) aux->parties.emplace(q, cggmp21::PartyAux{keys[q]->public_key(), rps[q]->params()});
      configs[p] = cggmp21::PresignConfig{Digest32{}, std::make_shared<const cggmp21::KeyShare>(shares.at(p)), aux, {1, 2}};
    }
    DeterministicRng rng2(7, "custos/ct-check/party-2");
    // Runs a (2,2) presignature through Session; `in_transit` may rewrite each message on its way.
    auto run_presign = [&](const std::function<void(protocol::Message&)>& in_transit) {
      secret(*keys[1]);
      secret(configs[1].share->secret_share);
      secret(rps[1]->lambda());
      std::map<PartyIndex, protocol::Session<cggmp21::Presignature>> sessions;
      sessions.emplace(1, std::move(cggmp21::make_presign_session(configs[1], secret_rng)).value());
      sessions.emplace(2, std::move(cggmp21::make_presign_session(configs[2], rng2)).value());
      run_pair(sessions, secret_rng, rng2, in_transit);
      return sessions;
    };
    std::map<PartyIndex, cggmp21::Presignature> presignatures;
    check("presign (2,2), party 1's three rounds through Session", [&] {
      auto sessions = run_presign([](protocol::Message&) {});
      for (PartyIndex p : {1u, 2u})
        if (sessions.at(p).output()) presignatures.emplace(p, *sessions.at(p).output());
    });
    // Identification (round 4), δ case and χ case: each party's round-3 broadcast reaches the other
    // with δ (or S) changed, and each echo is rewritten to match what its recipient sent and received,
    // so the echoes agree and the δ (or ΣS_j = δ·X) check fails for both. Party 1 then publishes H_1 (Ĥ_1) and
    // proves with Πmul (Πmul*) and Πdec, and names party 2 when party 2's proofs do not match the
    // changed value it received.
    for (const bool chi : {false, true}) {
      std::map<PartyIndex, WipedBytes> sent_round3;
      auto change = [&](const WipedBytes& payload) {
        wire::PresignR3Broadcast b;
        if (!b.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) std::abort();
        if (chi) {
          auto s = Point::decode(protocol::field_bytes(b.big_s()));
          if (!s.ok()) std::abort();
          b.set_big_s(cggmp21::point_field(*s + Point::generator()));
        } else {
          auto d = Scalar::from_bytes(protocol::field_bytes(b.delta()));
          if (!d.ok()) std::abort();
          const auto bumped = (*d + Scalar::from_u64(1)).to_bytes();
          b.set_delta(std::string(bumped.begin(), bumped.end()));
        }
        return protocol::serialize_deterministic(b);
      };
      auto in_transit = [&](protocol::Message& m) {
        if (m.round != 3) return;
        if (m.kind == protocol::Kind::kBroadcast) {
          sent_round3[m.from] = m.payload;
          m.payload = change(m.payload);
        } else if (m.kind == protocol::Kind::kEcho) {
          auto entries = protocol::decode_echo(m.payload);
          if (!entries.ok()) std::abort();
          // The echoer quotes its own broadcast as the recipient received it, changed, and the
          // recipient's as it was sent.
          for (auto& e : *entries) e.payload = e.from == m.from ? change(sent_round3.at(e.from)) : sent_round3.at(e.from);
          m.payload = protocol::encode_echo(*entries);
        }
      };
      const std::string name = std::string("presign identification (2,2), ") + (chi ? "χ" : "δ") +
                               " case, party 1 through Session";
      check(name.c_str(), [&] {
        auto sessions = run_presign(in_transit);
        const auto& abort = sessions.at(1).aborted();
        const bool identified = abort && abort->culprits == std::vector<PartyIndex>{2} &&
                                abort->reason.find(chi ? "χ" : "δ") != std::string::npos;
        if (!identified) {
          std::printf("identification under the check did not name party 2: %s\n",
                      abort ? abort->to_string().c_str() : "no abort");
          ++failures;
        }
      });
    }
    if (presignatures.size() != 2) {
      if (only == nullptr) {
        std::printf("presign (2,2) under the check did not produce both presignatures\n");
        ++failures;
      }
    } else {
      check("sign (2,2), party 1's online round through Session", [&] {
        // k_1 and χ_1 are secret through the presign case (derived from marked values); mark them anyway.
        secret(presignatures.at(1).k);
        secret(presignatures.at(1).chi);
        const Digest32 digest = sha256(as_bytes("constant-time signing"));
        std::map<PartyIndex, protocol::Session<cggmp21::SignOutput>> sessions;
        for (PartyIndex p : {1u, 2u}) {
          cggmp21::SignConfig cfg{Digest32{}, configs[p].share,
                                  std::make_shared<const cggmp21::Presignature>(presignatures.at(p)), digest, Scalar()};
          sessions.emplace(p, std::move(cggmp21::make_sign_session(cfg, p == 1 ? static_cast<Rng&>(secret_rng) : rng2))
                                  .value());
        }
        for (PartyIndex from : {1u, 2u}) {
          const PartyIndex to = from == 1 ? 2 : 1;
          for (const protocol::Message& m : sessions.at(from).take_outgoing())
            (void)sessions.at(to).handle(m, to == 1 ? static_cast<Rng&>(secret_rng) : rng2);
        }
        const bool signed_ok = sessions.at(1).output().has_value() && sessions.at(2).output().has_value();
        if (!signed_ok) {
          std::printf("sign (2,2) under the check did not produce a signature\n");
          ++failures;
        }
      });
    }
  }

  // Aux-info in refresh mode (2,2) through protocol::Session, party 1 with its new Paillier key, its
  // old share and every draw of its generator secret: ring-Pedersen generation, Πprm, Πmod, Πfac, the
  // refresh shares it encrypts for party 2 and its Schnorr proof. Party 1's shares for party 2 leave
  // in p2p messages, encrypted under party 2's key; the harness reveals those payloads as in keygen.
  {
    const auto pair = testing::load_test_safe_primes();
    std::map<PartyIndex, std::shared_ptr<const PaillierSecretKey>> keys;
    for (PartyIndex p : {1u, 2u}) {
      auto key = PaillierSecretKey::from_primes(pair[p + 1].first, pair[p + 1].second);
      if (!key.ok()) return 3;
      keys[p] = std::make_shared<const PaillierSecretKey>(std::move(key).value());
      (void)keys[p]->random_rho_and_power(rng);  // generator tables: once per key, before marking
    }
    auto shares = sim::deal_key_shares(Scalar::random_nonzero(rng), {}, 2, 2, rng);
    DeterministicRng rng2(11, "custos/ct-check/refresh-party-2");
    check("refresh (2,2), party 1's four rounds through Session", [&] {
      secret(*keys[1]);
      secret(shares.at(1).secret_share);
      std::map<PartyIndex, protocol::Session<cggmp21::AuxInfoOutput>> sessions;
      for (PartyIndex p : {1u, 2u}) {
        cggmp21::AuxInfoConfig cfg{Digest32{}, p, {1, 2}, keys[p], shares.at(p)};
        sessions.emplace(p, std::move(cggmp21::make_aux_info_session(cfg, p == 1 ? static_cast<Rng&>(secret_rng) : rng2))
                                .value());
      }
      run_pair(sessions, secret_rng, rng2, reveal_p2p_from_party_1);
      if (!sessions.at(1).output() || !sessions.at(2).output()) {
        std::printf("refresh (2,2) under the check did not finish: %s\n",
                    sessions.at(1).aborted() ? sessions.at(1).aborted()->to_string().c_str() : "");
        ++failures;
      }
    });
  }

  // Canaries last: their reports are expected, so the verdict is this program's exit code, not
  // valgrind's --error-exitcode.
  expect_leak("canary: a branch on a secret byte", [&] {
    volatile unsigned char byte = 0x5a;
    secret(const_cast<unsigned char*>(&byte), 1);
    volatile int sink = 0;
    if (byte & 1) sink = sink + 1;
    (void)sink;
  });
  expect_leak("canary: OpenSSL's variable-time exponentiation (pow_public)", [&] {
    BigInt e = BigInt::random_bits(rng, 1024);
    secret(e);
    BigInt r = modexp::pow_public(base, e, m);
    reveal(r);
  });
  expect_leak("canary: GMP's mpz multiplication and division", [&] {
    BigInt a = BigInt::random_bits(rng, 2000);
    secret(a);
    BigInt r = (a * a).mod(m);
    reveal(r);
  });

  if (VALGRIND_COUNT_ERRORS != reports_in_cases) {
    std::printf("memcheck reported %u errors outside the cases above\n", VALGRIND_COUNT_ERRORS - reports_in_cases);
    ++failures;
  }
  std::printf("%s\n", failures == 0 ? "all cases constant time; every canary detected" : "FAILED: see above");
  return failures == 0 ? 0 : 1;
}
