// BIP-32 non-hardened derivation for threshold keys (notes §4, option C):
// the root extended public key is (X, chain code from keygen); a path gives a
// public tweak τ, and signing under the child uses χ'_i = χ_i + k_i·τ. The
// cache keeps derived keys so derivation never dominates online signing.
#pragma once

#include <map>
#include <mutex>
#include <span>
#include <vector>

#include "crypto/bip32.h"
#include "protocol/cggmp21/key_share.h"

namespace custos::cggmp21 {

ExtendedPublicKey root_xpub(const KeyShare& share);

class DerivationCache {
 public:
  explicit DerivationCache(size_t capacity = 4096) : capacity_(capacity) {}
  // Derives (or returns the cached) child of the share's root for a non-hardened path.
  Result<DerivedKey> derive(const KeyShare& share, std::span<const uint32_t> path);
  size_t size() const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::map<std::pair<Digest32, std::vector<uint32_t>>, DerivedKey> cache_;
};

}  // namespace custos::cggmp21
