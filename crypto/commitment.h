// Hash commitments (CGGMP21 Fig 5/6 round 1): V = H(tag, sid, i, payload, u)
// with a fresh 32-byte opening nonce u. Binding under SHA-256 collision
// resistance; hiding because u is uniform.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/hash.h"
#include "crypto/transcript.h"

namespace custos {

class Rng;

using CommitNonce = std::array<uint8_t, 32>;

CommitNonce random_commit_nonce(Rng& rng);

// `payload` is a transcript to which the caller has appended every committed
// field; the commitment adds the opening nonce and finalizes.
Digest32 hash_commit(const Transcript& payload, const CommitNonce& u);

}  // namespace custos
