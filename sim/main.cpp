// custos-sim: the in-process simulator. `custos-sim demo` is the project's
// demo: a 3-of-5 key generation, aux-info with fresh Paillier keys,
// presigning and signing of a few messages (also under a BIP-32 child key),
// each signature printed and verified with libsecp256k1 and OpenSSL.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "protocol/cggmp21/derivation.h"
#include "sim/harness.h"

using namespace custos;

namespace {

struct Options {
  uint32_t threshold = 3;
  uint32_t parties = 5;
  uint32_t messages = 3;
  uint64_t seed = 0;
  bool test_keys = false;
};

void usage() {
  std::fprintf(stderr,
               "usage: custos-sim demo [--threshold T] [--parties N] [--messages M] [--seed S] [--test-keys]\n"
               "  Runs every party in this process: keygen, aux-info, presign, sign.\n"
               "  --test-keys  use the checked-in PUBLIC test Paillier keys instead of fresh ones (faster)\n");
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string hex(std::span<const uint8_t> b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&](uint64_t& v) {
      if (i + 1 >= argc) return false;
      try {
        v = std::stoull(argv[++i]);
      } catch (...) {
        return false;
      }
      return true;
    };
    uint64_t v = 0;
    if (a == "--test-keys") {
      o.test_keys = true;
    } else if (a == "--seed" && next(v)) {
      o.seed = v;
    } else if (a == "--threshold" && next(v)) {
      o.threshold = static_cast<uint32_t>(v);
    } else if (a == "--parties" && next(v)) {
      o.parties = static_cast<uint32_t>(v);
    } else if (a == "--messages" && next(v)) {
      o.messages = static_cast<uint32_t>(v);
    } else {
      std::fprintf(stderr, "custos-sim: bad argument '%s'\n", a.c_str());
      return false;
    }
  }
  if (o.parties < 1 || o.parties > 10 || o.threshold < 1 || o.threshold > o.parties) {
    std::fprintf(stderr, "custos-sim: need 1 <= threshold <= parties <= 10\n");
    return false;
  }
  return true;
}

int demo(const Options& opt) {
  uint64_t seed = opt.seed ? opt.seed : OsRng().next_u64();
  std::printf("Custos demo: %u-of-%u threshold ECDSA (CGGMP21) on secp256k1, all parties in-process\n",
              opt.threshold, opt.parties);
  std::printf("scheduler seed %llu (replay with --seed)\n\n", static_cast<unsigned long long>(seed));

  auto t0 = std::chrono::steady_clock::now();
  sim::PaillierKeys keys;
  if (opt.test_keys) {
    keys = sim::test_paillier_keys();
    std::printf("[1/5] Paillier keys: using the checked-in public TEST keys\n");
  } else {
    OsRng os;
    for (uint32_t i = 0; i < opt.parties; ++i) {
      keys.push_back(std::make_shared<const PaillierSecretKey>(PaillierSecretKey::generate(os)));
    }
    std::printf("[1/5] Paillier keys: %u fresh 2048-bit keys from safe primes in %.0f ms (%.0f ms per party)\n",
                opt.parties, ms_since(t0), ms_since(t0) / opt.parties);
  }

  t0 = std::chrono::steady_clock::now();
  auto kg = sim::run_keygen(opt.threshold, opt.parties, seed, sim::SchedulerOptions{seed, true, 0.05});
  if (kg.outputs.size() != opt.parties) {
    for (auto& [p, a] : kg.aborts) std::printf("keygen abort at party %u: %s\n", p, a.to_string().c_str());
    return 1;
  }
  const cggmp21::KeyShare& any = kg.outputs.begin()->second;
  auto pk = any.public_key.encode();
  std::printf("[2/5] keygen: %.0f ms; group public key %s\n", ms_since(t0), hex(pk).c_str());
  std::printf("      xpub %s\n", to_xpub(cggmp21::root_xpub(any)).c_str());

  t0 = std::chrono::steady_clock::now();
  std::vector<protocol::PartyIndex> parties;
  for (uint32_t i = 1; i <= opt.parties; ++i) parties.push_back(i);
  auto aux = sim::run_aux_info(parties, keys, seed, nullptr, sim::SchedulerOptions{seed, true, 0.05});
  if (aux.outputs.size() != opt.parties) {
    for (auto& [p, a] : aux.aborts) std::printf("aux-info abort at party %u: %s\n", p, a.to_string().c_str());
    return 1;
  }
  std::printf("[3/5] aux-info (Πmod, Πprm, Πfac for every pair): %.0f ms\n", ms_since(t0));

  std::map<protocol::PartyIndex, sim::PartyKey> pkeys;
  for (auto p : parties) {
    pkeys[p] = sim::PartyKey{std::make_shared<const cggmp21::KeyShare>(kg.outputs.at(p)),
                             std::make_shared<const cggmp21::AuxInfo>(aux.outputs.at(p).aux)};
  }

  cggmp21::DerivationCache cache;
  int failures = 0;
  std::printf("[4/5] presign + sign %u messages, each with a different signer set\n", opt.messages + 1);
  for (uint32_t m = 0; m < opt.messages + 1; ++m) {
    bool derived = m == opt.messages;  // the last message is signed under m/0/1
    // Rotate the signer set so different t-subsets sign.
    std::vector<protocol::PartyIndex> signers;
    for (uint32_t k = 0; k < opt.threshold; ++k) signers.push_back(parties[(m + k) % opt.parties]);
    std::sort(signers.begin(), signers.end());

    t0 = std::chrono::steady_clock::now();
    auto pre = sim::run_presign(pkeys, signers, seed + m, sim::SchedulerOptions{seed + m, true, 0.05});
    double presign_ms = ms_since(t0);
    if (pre.outputs.size() != signers.size()) {
      for (auto& [p, a] : pre.aborts) std::printf("presign abort at party %u: %s\n", p, a.to_string().c_str());
      return 1;
    }
    std::string text = "custos demo message #" + std::to_string(m + 1);
    Digest32 digest = sha256(as_bytes(text));
    Scalar tweak;
    std::string path = "m";
    Point key = any.public_key;
    if (derived) {
      std::vector<uint32_t> p{0, 1};
      auto d = cache.derive(any, p);
      if (!d.ok()) return 1;
      tweak = d->tweak;
      key = d->xpub.key;
      path = "m/0/1";
    }
    t0 = std::chrono::steady_clock::now();
    auto sig = sim::run_sign(pkeys, pre.outputs, digest, tweak, seed + m);
    double sign_ms = ms_since(t0);
    if (sig.outputs.size() != signers.size()) {
      for (auto& [p, a] : sig.aborts) std::printf("sign abort at party %u: %s\n", p, a.to_string().c_str());
      return 1;
    }
    const auto& s = sig.outputs.begin()->second.signature;
    bool ok1 = ecdsa_verify(key, digest, s);
    bool ok2 = ecdsa_verify_openssl(key, digest, s);
    failures += !(ok1 && ok2);
    std::string who;
    for (auto p : signers) who += (who.empty() ? "" : ",") + std::to_string(p);
    auto r = s.r.to_bytes();
    auto sb = s.s.to_bytes();
    std::printf("  \"%s\" key %s signers {%s}: presign %.0f ms, sign %.2f ms\n", text.c_str(), path.c_str(),
                who.c_str(), presign_ms, sign_ms);
    std::printf("      r=%s\n      s=%s recid=%d\n      libsecp256k1: %s, OpenSSL: %s\n", hex(r).c_str(),
                hex(sb).c_str(), s.recovery_id, ok1 ? "valid" : "INVALID", ok2 ? "valid" : "INVALID");
  }
  std::printf("[5/5] %s\n", failures ? "FAILED: a signature did not verify" : "all signatures verified");
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "demo") != 0) {
    usage();
    return 2;
  }
  Options opt;
  if (!parse(argc, argv, opt)) {
    usage();
    return 2;
  }
  return demo(opt);
}
