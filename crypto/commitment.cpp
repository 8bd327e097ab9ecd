#include "crypto/commitment.h"

#include "crypto/rng.h"

namespace custos {

CommitNonce random_commit_nonce(Rng& rng) {
  CommitNonce u;
  rng.fill(u);
  return u;
}

Digest32 hash_commit(const Transcript& payload, const CommitNonce& u) {
  Transcript t = payload;
  t.append("commitment-nonce", u);
  return t.digest();
}

}  // namespace custos
