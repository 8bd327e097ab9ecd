// Key shares and aux info of this node, unsealed once and kept in memory as shared immutable
// objects: a signing must not pay an AES-GCM open plus a KeyShare decode on its hot path.
// Entries are immutable; a refresh (a new epoch in the store) is picked up by invalidate().
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "node/storage/node_store.h"
#include "protocol/cggmp21/derivation.h"

namespace custos::node {

class KeyCache {
 public:
  explicit KeyCache(NodeStore& store) : store_(store) {}

  Result<std::shared_ptr<const KeyShare>> share(const Digest32& key_id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = shares_.find(key_id); it != shares_.end()) return it->second;
    ASSIGN_OR_RETURN(KeyShare s, store_.get_key_share(key_id));
    auto p = std::make_shared<const KeyShare>(std::move(s));
    shares_[key_id] = p;
    return p;
  }

  Result<std::shared_ptr<const AuxInfo>> aux(const Digest32& key_id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = aux_.find(key_id); it != aux_.end()) return it->second;
    ASSIGN_OR_RETURN(AuxInfo a, store_.get_aux_info(key_id));
    auto p = std::make_shared<const AuxInfo>(std::move(a));
    aux_[key_id] = p;
    return p;
  }

  void invalidate(const Digest32& key_id) {
    std::lock_guard<std::mutex> lock(mu_);
    shares_.erase(key_id);
    aux_.erase(key_id);
  }

  cggmp21::DerivationCache& derivations() { return derivations_; }

 private:
  NodeStore& store_;
  std::mutex mu_;
  std::map<Digest32, std::shared_ptr<const KeyShare>> shares_;
  std::map<Digest32, std::shared_ptr<const AuxInfo>> aux_;
  cggmp21::DerivationCache derivations_;
};

}  // namespace custos::node
