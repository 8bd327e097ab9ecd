#include "crypto/passkey/challenge.h"

#include "crypto/passkey/base64url.h"

namespace custos::passkey {

Digest32 intent_challenge(std::span<const uint8_t> canonical_intent_bytes) { return sha256(canonical_intent_bytes); }

std::string intent_challenge_b64url(std::span<const uint8_t> canonical_intent_bytes) {
  const Digest32 c = intent_challenge(canonical_intent_bytes);
  return base64url_encode(c);
}

}  // namespace custos::passkey
