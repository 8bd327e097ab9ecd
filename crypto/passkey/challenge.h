// The WebAuthn challenge of a signing intent (DESIGN §5 step 2): SHA-256 of the intent's canonical
// bytes (protocol/intent.h). crypto/ must not depend on protocol/, so the caller passes the bytes.
// Every node recomputes this from the intent it is asked to sign and requires the assertion's
// clientDataJSON.challenge to be exactly base64url(challenge): an assertion made for one intent is
// useless for any other.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "crypto/hash.h"

namespace custos::passkey {

Digest32 intent_challenge(std::span<const uint8_t> canonical_intent_bytes);

// base64url (unpadded) of intent_challenge: the value a browser puts into clientDataJSON.challenge.
std::string intent_challenge_b64url(std::span<const uint8_t> canonical_intent_bytes);

}  // namespace custos::passkey
