#include "protocol/cggmp21/derivation.h"

namespace custos::cggmp21 {

ExtendedPublicKey root_xpub(const KeyShare& share) {
  ExtendedPublicKey x;
  x.key = share.public_key;
  x.chain_code = share.chain_code;
  return x;
}

Result<DerivedKey> DerivationCache::derive(const KeyShare& share, std::span<const uint32_t> path) {
  if (path.empty()) return DerivedKey{root_xpub(share), Scalar()};
  // Keyed by public key + chain code (via key id) and path; a refresh keeps both, so entries stay valid.
  std::pair<Digest32, std::vector<uint32_t>> key{share.key_id, std::vector<uint32_t>(path.begin(), path.end())};
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  // Through the parent's entry: addresses share their account path (m/a/i), so a new address costs
  // one BIP-32 step instead of one per component. Same result as derive_path, errors included.
  ASSIGN_OR_RETURN(DerivedKey parent, derive(share, path.first(path.size() - 1)));
  auto step = derive_child(parent.xpub, path.back());
  if (!step.ok()) return step.status().with_context("BIP-32 path component " + std::to_string(path.size() - 1));
  DerivedKey d{std::move(step->first), parent.tweak + step->second};
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
