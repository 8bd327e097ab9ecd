// Πmod (CGGMP21 Fig 16) tests: completeness, every field tampered, bad moduli (notes §5
// items 1–7, 9–12, 20, 21) attacked by a best-effort prover that knows the factorization,
// replay, and the codec.
#include <catch2/catch.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/codec.h"
#include "crypto/zk/mod.h"
#include "crypto/zk/params.h"
#include "tests/test_support.h"
#include "tests/zk/zk3_support.h"

using namespace custos;
using namespace custos::zk;
namespace t3 = custos::testing::zk3;

namespace {

const PaillierSecretKey& pkey() { return t3::key(0); }
ModStatement stmt() { return ModStatement{pkey().n()}; }

const ModProof& honest() {
  static const ModProof proof = [] {
    DeterministicRng rng(42, "zk3-mod");
    return mod_prove(t3::ctx(), stmt(), ModWitness{pkey()}, rng);
  }();
  return proof;
}

bool contains(const Status& s, const std::string& needle) { return s.message().find(needle) != std::string::npos; }

// ---- A best-effort prover for arbitrary moduli ------------------------------------------
// It knows the full factorization and answers every round for which an answer exists
// (4th roots inside the QRs, N-th roots), so a rejection is the soundness of the checks,
// not a weakness of the attacker.
struct PrimePower {
  BigInt p;
  unsigned k = 1;
  BigInt value() const {
    BigInt v(1);
    for (unsigned i = 0; i < k; ++i) v *= p;
    return v;
  }
  BigInt phi() const { return value().div_floor(p) * (p - BigInt(1)); }
};

BigInt product(const std::vector<PrimePower>& fs) {
  BigInt n(1);
  for (const auto& f : fs) n *= f.value();
  return n;
}

// x ≡ r_i (mod m_i) for pairwise coprime m_i.
BigInt crt(const std::vector<BigInt>& rs, const std::vector<BigInt>& ms) {
  BigInt x = rs[0], m = ms[0];
  for (size_t i = 1; i < rs.size(); ++i) {
    BigInt t = ((rs[i] - x) * *BigInt::invert(m.mod(ms[i]), ms[i])).mod(ms[i]);
    x = x + m * t;
    m *= ms[i];
  }
  return x.mod(m);
}

// Square root of a QR a modulo a prime p ≡ 5 (mod 8) (Atkin).
BigInt atkin_sqrt(const BigInt& a, const BigInt& p) {
  BigInt two_a = (a * BigInt(2)).mod(p);
  BigInt v = BigInt::powm_unit(two_a, (p - BigInt(5)) >> 3, p);
  BigInt i = (two_a * v * v).mod(p);
  return (a * v * (i - BigInt(1))).mod(p);
}

// A 4th root of u modulo p^k, if u is a 4th power there.
std::optional<BigInt> fourth_root(const BigInt& u, const PrimePower& f) {
  const BigInt pk = f.value();
  const BigInt um = u.mod(pk);
  if (BigInt::gcd(um, f.p) != BigInt(1) || BigInt::jacobi(um, f.p) != 1) return std::nullopt;
  if (f.p.mod_u64(4) == 3) {
    // QR subgroup of the cyclic group Z*_{p^k} has odd order h; u^(((h+1)/2)^2) is the 4th root.
    BigInt h = f.phi() >> 1;
    BigInt e = (h + BigInt(1)) >> 1;
    BigInt r = BigInt::powm_unit(um, e * e, pk);
    if (BigInt::powm_unit(r, BigInt(4), pk) == um) return r;
    return std::nullopt;
  }
  REQUIRE(f.p.mod_u64(8) == 5);
  REQUIRE(f.k == 1);
  BigInt s = atkin_sqrt(um, f.p);
  for (const BigInt& c : {s, f.p - s}) {
    if (BigInt::jacobi(c, f.p) != 1) continue;
    BigInt r = atkin_sqrt(c, f.p);
    if (BigInt::powm_unit(r, BigInt(4), f.p) == um) return r;
  }
  return std::nullopt;  // −1 is a QR here, so ±s are both non-residues: no 4th root
}

// An N-th root of y modulo p^k, when N-th powering is a bijection there.
std::optional<BigInt> nth_root(const BigInt& y, const BigInt& n, const PrimePower& f) {
  auto inv = BigInt::invert(n.mod(f.phi()), f.phi());
  if (!inv) return std::nullopt;
  return BigInt::powm_unit(y.mod(f.value()), *inv, f.value());
}

struct Attempt {
  ModProof proof;
  unsigned answered = 0;  // rounds for which both x_i and z_i exist
};

Attempt best_effort_prove(const ProofContext& ctx, const std::vector<PrimePower>& fs, Rng& rng) {
  const BigInt n = product(fs);
  std::vector<BigInt> mods;
  for (const auto& f : fs) mods.push_back(f.value());
  Attempt out;
  do {
    out.proof.w = BigInt::random_below(rng, n);
  } while (BigInt::jacobi(out.proof.w, n) != -1);
  for (const BigInt& y : mod_challenges(ctx, n, out.proof.w)) {
    ModRound r;
    r.x = BigInt(1);
    r.z = BigInt(1);
    bool have_x = false, have_z = true;
    for (uint8_t ab = 0; ab < 4 && !have_x; ++ab) {
      uint8_t a = ab & 1, b = ab >> 1;
      BigInt u = y;
      if (b) u = (u * out.proof.w).mod(n);
      if (a) u = (n - u).mod(n);
      std::vector<BigInt> roots;
      for (const auto& f : fs) {
        auto rt = fourth_root(u, f);
        if (!rt) break;
        roots.push_back(*rt);
      }
      if (roots.size() == fs.size()) {
        r.x = crt(roots, mods);
        r.a = a;
        r.b = b;
        have_x = true;
      }
    }
    std::vector<BigInt> zs;
    for (const auto& f : fs) {
      auto zt = nth_root(y, n, f);
      if (!zt) {
        have_z = false;
        break;
      }
      zs.push_back(*zt);
    }
    if (have_z) r.z = crt(zs, mods);
    if (have_x && have_z) ++out.answered;
    out.proof.rounds.push_back(std::move(r));
  }
  return out;
}

}  // namespace

TEST_CASE("Πmod: honest proofs verify", "[mod]") {
  CHECK(mod_verify(t3::ctx(), stmt(), honest()).ok());
  for (uint64_t seed : {1, 2}) {
    CUSTOS_SEEDED_RNG(rng, seed);
    ProofContext c = t3::ctx(static_cast<uint8_t>(seed), seed + 3, 0);
    ModProof p = mod_prove(c, stmt(), ModWitness{pkey()}, rng);
    REQUIRE(p.rounds.size() == kRepetitions);
    CHECK(mod_verify(c, stmt(), p).ok());
  }
  // A second fixture modulus.
  CUSTOS_SEEDED_RNG(rng, 9);
  ModProof other = mod_prove(t3::ctx(), ModStatement{t3::key(1).n()}, ModWitness{t3::key(1)}, rng);
  CHECK(mod_verify(t3::ctx(), ModStatement{t3::key(1).n()}, other).ok());
}

TEST_CASE("Πmod: challenges are 80 independent values from one stream", "[mod]") {
  // Item 10 / TA PR #111: restarting the stream per y_i made every y_i equal.
  auto ys = mod_challenges(t3::ctx(), pkey().n(), honest().w);
  REQUIRE(ys.size() == kRepetitions);
  std::set<std::string> distinct;
  for (const auto& y : ys) {
    CHECK(y < pkey().n());
    distinct.insert(y.to_hex());
  }
  CHECK(distinct.size() == kRepetitions);
  CHECK(mod_challenges(t3::ctx(0x5B), pkey().n(), honest().w)[0] != ys[0]);
  CHECK(mod_challenges(t3::ctx(0x5A, 9), pkey().n(), honest().w)[0] != ys[0]);
  CHECK(mod_challenges(t3::ctx(), pkey().n(), honest().w + BigInt(1))[0] != ys[0]);
}

TEST_CASE("Πmod: every tampered field is rejected", "[mod]") {
  const BigInt& n = pkey().n();
  REQUIRE(mod_verify(t3::ctx(), stmt(), honest()).ok());
  BigInt other_w = honest().w + BigInt(1);
  while (BigInt::jacobi(other_w, n) != -1) other_w += BigInt(1);
  struct Case {
    const char* name;
    std::function<void(ModProof&)> mutate;
  };
  const std::vector<Case> cases = {
      {"w := another Jacobi −1 value", [&](ModProof& p) { p.w = other_w; }},
      {"w := N − w (still Jacobi −1)", [&](ModProof& p) { p.w = n - p.w; }},
      {"w := 0", [&](ModProof& p) { p.w = BigInt(0); }},
      {"w := 1 (Jacobi +1)", [&](ModProof& p) { p.w = BigInt(1); }},
      {"w := w² (Jacobi +1)", [&](ModProof& p) { p.w = (p.w * p.w).mod(n); }},
      {"w := N", [&](ModProof& p) { p.w = n; }},
      {"w := w + N", [&](ModProof& p) { p.w += n; }},
      {"w := −w", [&](ModProof& p) { p.w = -p.w; }},
      {"w := p (gcd > 1)", [&](ModProof& p) { p.w = pkey().p(); }},
      {"x_0 + 1", [&](ModProof& p) { p.rounds[0].x = (p.rounds[0].x + BigInt(1)).mod(n); }},
      {"x_79 · 2", [&](ModProof& p) { p.rounds[79].x = (p.rounds[79].x * BigInt(2)).mod(n); }},
      {"z_0 + 1", [&](ModProof& p) { p.rounds[0].z = (p.rounds[0].z + BigInt(1)).mod(n); }},
      {"z_79 · 2", [&](ModProof& p) { p.rounds[79].z = (p.rounds[79].z * BigInt(2)).mod(n); }},
      {"a_0 flipped", [&](ModProof& p) { p.rounds[0].a ^= 1; }},
      {"b_0 flipped", [&](ModProof& p) { p.rounds[0].b ^= 1; }},
      {"a_79 flipped", [&](ModProof& p) { p.rounds[79].a ^= 1; }},
      {"b_79 flipped", [&](ModProof& p) { p.rounds[79].b ^= 1; }},
      {"a_5 := 2", [&](ModProof& p) { p.rounds[5].a = 2; }},
      {"b_5 := 2", [&](ModProof& p) { p.rounds[5].b = 2; }},
      {"x_3 := 0", [&](ModProof& p) { p.rounds[3].x = BigInt(0); }},
      {"z_3 := 0", [&](ModProof& p) { p.rounds[3].z = BigInt(0); }},
      {"x_3 := x_3 + N (non-canonical)", [&](ModProof& p) { p.rounds[3].x += n; }},
      {"z_3 := z_3 + N (non-canonical)", [&](ModProof& p) { p.rounds[3].z += n; }},
      {"x_3 := N", [&](ModProof& p) { p.rounds[3].x = n; }},
      {"z_3 := −z_3", [&](ModProof& p) { p.rounds[3].z = -p.rounds[3].z; }},
      {"rounds 0 and 1 swapped", [&](ModProof& p) { std::swap(p.rounds[0], p.rounds[1]); }},
      {"79 rounds", [&](ModProof& p) { p.rounds.pop_back(); }},
      {"81 rounds", [&](ModProof& p) { p.rounds.push_back(p.rounds[0]); }},
      {"0 rounds", [&](ModProof& p) { p.rounds.clear(); }},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    ModProof p = honest();
    c.mutate(p);
    Status s = mod_verify(t3::ctx(), stmt(), p);
    CHECK_FALSE(s.ok());
    CHECK(contains(s, "Πmod"));
  }
}

TEST_CASE("Πmod: specific checks name the failure", "[mod]") {
  const BigInt& n = pkey().n();
  auto verify_with = [&](const std::function<void(ModProof&)>& f) {
    ModProof p = honest();
    f(p);
    return mod_verify(t3::ctx(), stmt(), p);
  };
  CHECK(contains(verify_with([](ModProof& p) { p.w = BigInt(1); }), "Jacobi"));
  CHECK(contains(verify_with([&](ModProof& p) { p.w = pkey().q(); }), "not a unit"));
  CHECK(contains(verify_with([&](ModProof& p) { p.w = n; }), "w outside [1, N)"));
  CHECK(contains(verify_with([](ModProof& p) { p.rounds.pop_back(); }), "79 rounds"));
  CHECK(contains(verify_with([](ModProof& p) { p.rounds[7].a = 2; }), "a_i is not a bit (round 7)"));
  CHECK(contains(verify_with([&](ModProof& p) { p.rounds[7].x += n; }), "x_i outside [1, N) (round 7)"));
  CHECK(contains(verify_with([&](ModProof& p) { p.rounds[7].z = BigInt(0); }), "z_i outside [1, N) (round 7)"));
  CHECK(contains(verify_with([&](ModProof& p) { p.rounds[7].z = (p.rounds[7].z * BigInt(3)).mod(n); }),
                 "z_i^N != y_i mod N (round 7)"));
  CHECK(contains(verify_with([](ModProof& p) { p.rounds[7].a ^= 1; }), "x_i^4 != (−1)^a·w^b·y_i mod N (round 7)"));
  // N − x_i is an equally valid 4th root: not a forgery, the proof stays valid.
  CHECK(verify_with([&](ModProof& p) { p.rounds[7].x = n - p.rounds[7].x; }).ok());
}

TEST_CASE("Πmod: statement checks on N (items 1–3)", "[mod]") {
  const BigInt& n = pkey().n();
  auto check = [&](const BigInt& bad, const std::string& msg) {
    Status s = mod_verify(t3::ctx(), ModStatement{bad}, honest());
    CHECK_FALSE(s.ok());
    CHECK(contains(s, msg));
  };
  check(n + BigInt(1), "N is even");
  check(n >> 1, "expected exactly 2048");
  check((n << 1) + BigInt(1), "expected exactly 2048");
  check(BigInt(0), "N is not positive");
  check(-n, "N is not positive");  // same size and parity as N: must not reach the exponentiations
  CUSTOS_SEEDED_RNG(rng, 77);
  BigInt prime = t3::random_prime(rng, kPaillierBits, 3, 4);
  check(prime, "N is prime");
}

TEST_CASE("Πmod: the honest prover run with fake witnesses cannot convince (items 4–7)", "[mod]") {
  CUSTOS_SEEDED_RNG(rng, 4242);
  ProofContext c = t3::ctx();
  struct Bad {
    const char* name;
    std::vector<PrimePower> factors;
    std::vector<std::string> failing_checks;  // any of these may fire first
    bool never_answerable;  // no round has an answer at all
  };
  std::vector<Bad> bad;
  {  // 4. N = p²·q, p, q ≡ 3 mod 4: z_i^N ≡ y_i has a solution for a 1/p fraction of y only.
    BigInt p = t3::random_prime(rng, 683, 3, 4);
    BigInt q = t3::complete_modulus(rng, p * p, kPaillierBits, 3, 4);
    bad.push_back({"N = p^2 q", {{p, 2}, {q, 1}}, {"z_i^N"}, true});
  }
  {  // 5. Three primes ≡ 3 mod 4: (−1)^a·w^b covers only half of the QR cosets.
    BigInt p1 = t3::random_prime(rng, 683, 3, 4);
    BigInt p2 = t3::random_prime(rng, 683, 3, 4);
    BigInt p3 = t3::complete_modulus(rng, p1 * p2, kPaillierBits, 3, 4);
    bad.push_back({"N = p1 p2 p3", {{p1, 1}, {p2, 1}, {p3, 1}}, {"x_i^4"}, false});
  }
  {  // 6. BitForge: 16 small Blum primes times a large prime. About half the y_i share a
     // small factor with N (caught by the unit check), the rest fail z_i^N ≡ y_i.
    std::vector<PrimePower> fs;
    BigInt small(1);
    for (long sp : {3, 7, 11, 19, 23, 31, 43, 47, 59, 67, 71, 79, 83, 103, 107, 127}) {
      fs.push_back({BigInt(sp), 1});
      small *= BigInt(sp);
    }
    fs.push_back({t3::complete_modulus(rng, small, kPaillierBits, 3, 4), 1});
    bad.push_back({"16 small primes × large prime", fs, {"z_i^N", "y_i is not a unit"}, true});
  }
  {  // 7. N = p·q with p ≡ 1 mod 4 (p ≡ 5 mod 8 here), q a fixture safe prime.
    BigInt p = t3::random_prime(rng, 1024, 5, 8);
    bad.push_back({"N = p q, p ≡ 1 mod 4", {{p, 1}, {pkey().q(), 1}}, {"x_i^4"}, false});
  }
  for (const auto& b : bad) {
    INFO(b.name);
    BigInt n = product(b.factors);
    REQUIRE(n.bit_length() == kPaillierBits);
    REQUIRE(n.is_odd());
    Attempt att = best_effort_prove(c, b.factors, rng);
    INFO("answerable rounds: " << att.answered);
    if (b.never_answerable) {
      CHECK(att.answered == 0);
    } else {
      CHECK(att.answered < kRepetitions);  // about half; all 80 has probability 2^-80
      CHECK(att.answered > 5);            // sanity: the attacker really answers what it can
    }
    Status s = mod_verify(c, ModStatement{n}, att.proof);
    INFO(s.message());
    CHECK_FALSE(s.ok());
    bool named = false;
    for (const auto& f : b.failing_checks) named = named || contains(s, f);
    CHECK(named);
  }
  // Control: the same attacker over the real Blum modulus answers every round and verifies,
  // so the rejections above come from the moduli, not from the attacker.
  Attempt good = best_effort_prove(c, {{pkey().p(), 1}, {pkey().q(), 1}}, rng);
  CHECK(good.answered == kRepetitions);
  CHECK(mod_verify(c, stmt(), good.proof).ok());
}

TEST_CASE("Πmod: answers to the wrong challenges are rejected (item 10)", "[mod]") {
  const BigInt& w = honest().w;
  auto ys = mod_challenges(t3::ctx(), pkey().n(), w);
  // TA's bug: one y repeated 80 times.
  std::vector<BigInt> same(kRepetitions, ys[0]);
  ModProof p{w, mod_respond(pkey(), w, same)};
  Status s = mod_verify(t3::ctx(), stmt(), p);
  CHECK_FALSE(s.ok());
  CHECK(contains(s, "(round 1)"));
  // Challenges derived without our sid / index.
  for (const ProofContext& other : {t3::ctx(0x00), t3::ctx(0x5A, 7), t3::ctx(0x5A, 1, 9)}) {
    ModProof q{w, mod_respond(pkey(), w, mod_challenges(other, pkey().n(), w))};
    CHECK(mod_verify(other, stmt(), q).ok());
    CHECK_FALSE(mod_verify(t3::ctx(), stmt(), q).ok());
  }
}

TEST_CASE("Πmod: replay under another context or statement fails (items 20, 21)", "[mod]") {
  CHECK_FALSE(mod_verify(t3::ctx(0x5B), stmt(), honest()).ok());        // other sid (or ρ)
  CHECK_FALSE(mod_verify(t3::ctx(0x5A, 3), stmt(), honest()).ok());     // P_j re-using P_i's N and proof
  CHECK_FALSE(mod_verify(t3::ctx(0x5A, 1, 3), stmt(), honest()).ok());  // other verifier index
  CHECK_FALSE(mod_verify(t3::ctx(), ModStatement{t3::key(1).n()}, honest()).ok());
}

TEST_CASE("Πmod: codec", "[mod]") {
  const ModProof& p = honest();
  std::vector<uint8_t> bytes = encode(p);
  auto d = decode_mod_proof(bytes);
  REQUIRE(d.ok());
  CHECK(d->w == p.w);
  REQUIRE(d->rounds.size() == kRepetitions);
  for (size_t i = 0; i < kRepetitions; ++i) {
    CHECK(d->rounds[i].x == p.rounds[i].x);
    CHECK(d->rounds[i].z == p.rounds[i].z);
    CHECK(d->rounds[i].a == p.rounds[i].a);
    CHECK(d->rounds[i].b == p.rounds[i].b);
  }
  CHECK(mod_verify(t3::ctx(), stmt(), *d).ok());
  CHECK(encode(*d) == bytes);

  CHECK_FALSE(decode_mod_proof({}).ok());
  for (size_t len : {size_t{1}, size_t{4}, size_t{300}, bytes.size() / 2, bytes.size() - 1}) {
    INFO("truncated to " << len);
    CHECK_FALSE(decode_mod_proof(std::span<const uint8_t>(bytes.data(), len)).ok());
  }
  auto trailing = bytes;
  trailing.push_back(0);
  CHECK_FALSE(decode_mod_proof(trailing).ok());

  auto encode_with = [&](const std::function<void(ModProof&)>& f) {
    ModProof q = p;
    f(q);
    return encode(q);
  };
  // Oversized integers are refused before any arithmetic.
  CHECK(decode_mod_proof(encode_with([](ModProof& q) { q.w = BigInt::power_of_two(1000000); })).status().code() ==
        Code::kOutOfRange);
  CHECK_FALSE(decode_mod_proof(encode_with([](ModProof& q) { q.rounds[9].z = BigInt::power_of_two(2048); })).ok());
  CHECK_FALSE(decode_mod_proof(encode_with([](ModProof& q) { q.rounds[9].x = BigInt::power_of_two(2048); })).ok());
  // Counts and bits.
  CHECK_FALSE(decode_mod_proof(encode_with([](ModProof& q) { q.rounds.pop_back(); })).ok());
  CHECK_FALSE(decode_mod_proof(encode_with([&](ModProof& q) { q.rounds.push_back(q.rounds[0]); })).ok());
  CHECK_FALSE(decode_mod_proof(encode_with([](ModProof& q) { q.rounds[2].a = 2; })).ok());
  CHECK_FALSE(decode_mod_proof(encode_with([](ModProof& q) { q.rounds[2].b = 255; })).ok());
}
