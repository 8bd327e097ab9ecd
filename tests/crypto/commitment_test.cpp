// Hash commitments: binding to payload and nonce, determinism, fresh nonces.
#include <set>
#include <string>

#include "crypto/commitment.h"
#include "crypto/point.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "crypto/transcript.h"
#include "tests/test_support.h"

using namespace custos;

TEST_CASE("commitment: digest depends on payload and nonce", "[commitment]") {
  CUSTOS_SEEDED_RNG(rng, 1901);
  Transcript payload("custos/test/commit");
  payload.append_u64("party", 3).append_point("X", Point::base_mul(Scalar::from_u64(5)));
  CommitNonce u = random_commit_nonce(rng);
  Digest32 v = hash_commit(payload, u);

  // Same inputs: same digest (the opening verifies).
  CHECK(hash_commit(payload, u) == v);
  // hash_commit does not modify the payload transcript.
  Digest32 payload_digest = payload.digest();
  (void)hash_commit(payload, u);
  CHECK(payload.digest() == payload_digest);

  // Different nonce.
  CommitNonce u2 = u;
  u2[31] ^= 1;
  CHECK(hash_commit(payload, u2) != v);
  CHECK(hash_commit(payload, random_commit_nonce(rng)) != v);

  // Different payload (one field changed, or one field added).
  Transcript other("custos/test/commit");
  other.append_u64("party", 4).append_point("X", Point::base_mul(Scalar::from_u64(5)));
  CHECK(hash_commit(other, u) != v);
  Transcript longer = payload;
  longer.append_str("extra", "");
  CHECK(hash_commit(longer, u) != v);
  // Different domain.
  Transcript dom("custos/test/commit2");
  dom.append_u64("party", 3).append_point("X", Point::base_mul(Scalar::from_u64(5)));
  CHECK(hash_commit(dom, u) != v);

  // Pins the format: committing is appending the nonce as the byte field "commitment-nonce".
  Transcript manual = payload;
  manual.append("commitment-nonce", u);
  CHECK(manual.digest() == v);
}

TEST_CASE("commitment: nonces are fresh", "[commitment]") {
  CUSTOS_SEEDED_RNG(rng, 1902);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    CommitNonce u = random_commit_nonce(rng);
    seen.insert(std::string(u.begin(), u.end()));
  }
  CHECK(seen.size() == 100);
  Transcript payload("custos/test/commit");
  std::set<std::string> digests;
  for (int i = 0; i < 100; ++i) {
    Digest32 d = hash_commit(payload, random_commit_nonce(rng));
    digests.insert(std::string(d.begin(), d.end()));
  }
  CHECK(digests.size() == 100);
}
