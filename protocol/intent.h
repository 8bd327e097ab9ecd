// Signing intents (DESIGN §5): validation, the canonical bytes that approvers' passkeys sign (through
// crypto/passkey/challenge.h), and the JSON form used by the CLI and clients.
//
// Canonical bytes = u32_be(len(tag)) ‖ tag ‖ deterministic protobuf serialisation of SigningIntent,
// with tag = "custos/signing-intent/v1". The domain tag keeps an intent hash from ever being a valid
// hash of any other Custos structure; the protobuf is the only valid encoding of the message
// (parse_strict rejects everything else).
//
// JSON form (docs/passkey.md): {"key_id", "derivation_path": [uint...], "chain",
// "digest": hex | "raw_transaction": hex (exactly one), "amount"?, "asset"?, "destination"?,
// "request_nonce": base64url (unpadded), "created_at_unix", "expires_at_unix", "initiator"}.
// Hex is accepted in either case and written in lower case; unknown or duplicate members are errors.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"
#include "protocol/proto/intent.pb.h"

namespace custos::protocol {

inline constexpr std::string_view kSigningIntentDomainTag = "custos/signing-intent/v1";

// Checks every field (digest 32 bytes, nonce 16..64 bytes, expiry after creation, path components
// non-hardened, string lengths and characters, amount a plain decimal). The message names the field.
Status validate_intent(const SigningIntent& intent);

// Validates, then returns the canonical bytes.
Result<std::vector<uint8_t>> intent_canonical_bytes(const SigningIntent& intent);

// Inverse of intent_canonical_bytes: tag, strict protobuf, validation.
Result<SigningIntent> parse_intent_canonical(std::span<const uint8_t> bytes);

// JSON conversion (validates in both directions).
Result<SigningIntent> intent_from_json(std::string_view json_text);
Result<std::string> intent_to_json(const SigningIntent& intent);

}  // namespace custos::protocol
