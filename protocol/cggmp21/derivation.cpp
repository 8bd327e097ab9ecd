#include "protocol/cggmp21/derivation.h"

namespace custos::cggmp21 {

ExtendedPublicKey root_xpub(const KeyShare& share) {
  ExtendedPublicKey x;
  x.key = share.public_key;
  x.chain_code = share.chain_code;
  return x;
}

Result<DerivedKey> DerivationCache::derive(const KeyShare& share, std::span<const uint32_t> path) {
  // Keyed by public key + chain code (via key id) and path; a refresh keeps both, so entries stay valid.
  std::pair<Digest32, std::vector<uint32_t>> key{share.key_id, std::vector<uint32_t>(path.begin(), path.end())};
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(DerivedKey d, derive_path(root_xpub(share), path));
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= capacity_) cache_.erase(cache_.begin());
  cache_.emplace(std::move(key), d);
  return d;
}

size_t DerivationCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cache_.size();
}

}  // namespace custos::cggmp21
