#include "sim/signing.h"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>

#include "crypto/rng.h"
#include "crypto/secret.h"

namespace custos::sim {

PartySigners::PartySigners(uint64_t seed, const std::vector<protocol::PartyIndex>& parties) {
  for (protocol::PartyIndex p : parties) {
    DeterministicRng rng(seed, "custos/sim/ed25519/" + std::to_string(p));
    std::array<uint8_t, 32> sk;
    rng.fill(sk);
    EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, sk.data(), sk.size());
    secure_wipe(sk.data(), sk.size());
    if (!k) std::abort();
    keys_[p] = k;
  }
}

PartySigners::~PartySigners() {
  for (auto& [p, k] : keys_) EVP_PKEY_free(k);
}

void PartySigners::sign(protocol::Message& m) const {
  auto it = keys_.find(m.from);
  if (it == keys_.end()) return;
  auto bytes = protocol::signing_bytes(m);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::vector<uint8_t> sig(64);
  size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, it->second) != 1 ||
      EVP_DigestSign(ctx, sig.data(), &len, bytes.data(), bytes.size()) != 1)
    std::abort();
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  m.signature = std::move(sig);
}

bool PartySigners::verify(const protocol::Message& m) const {
  auto it = keys_.find(m.from);
  if (it == keys_.end()) return false;
  auto bytes = protocol::signing_bytes(m);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, it->second) == 1 &&
            EVP_DigestVerify(ctx, m.signature.data(), m.signature.size(), bytes.data(), bytes.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace custos::sim
