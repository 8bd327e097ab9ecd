// authenticatorData (WebAuthn Level 3 §6.1): rpIdHash(32) ‖ flags(1) ‖ signCount(4, big endian)
// [‖ attestedCredentialData: aaguid(16) ‖ credIdLen(2) ‖ credId ‖ COSE key (CBOR)]
// [‖ extensions (CBOR map)], parsed with a bounds-checked cursor: no trailing bytes, AT/ED flags must
// match what is present, credential id ≤ 1023 bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/passkey/cose_key.h"
#include "crypto/passkey/verdict.h"

namespace custos::passkey {

struct AuthenticatorFlags {
  bool user_present = false;        // UP, bit 0
  bool user_verified = false;       // UV, bit 2
  bool backup_eligible = false;     // BE, bit 3
  bool backup_state = false;        // BS, bit 4
  bool attested_credential = false; // AT, bit 6
  bool extensions = false;          // ED, bit 7
  uint8_t raw = 0;
};

struct AttestedCredential {
  std::array<uint8_t, 16> aaguid{};
  std::vector<uint8_t> credential_id;
  std::vector<uint8_t> public_key_cose;  // the exact CBOR bytes of the key, as stored in records
  CoseKey public_key;                    // parsed and validated
};

struct AuthenticatorData {
  std::array<uint8_t, 32> rp_id_hash{};
  AuthenticatorFlags flags;
  uint32_t sign_count = 0;
  std::optional<AttestedCredential> attested;   // present iff flags.attested_credential
  std::vector<uint8_t> extensions_cbor;         // exact bytes of the extensions map, if ED
  std::vector<uint8_t> raw;                     // the whole authenticatorData as received
};

// Largest authenticatorData accepted.
inline constexpr size_t kMaxAuthenticatorDataBytes = 64 * 1024;
// Largest credential id (WebAuthn L3 §5.8.3: at most 1023 bytes).
inline constexpr size_t kMaxCredentialIdBytes = 1023;

// Parses and validates the structure (not the rpIdHash or flags policy, which the callers check).
// BS without BE is rejected here (kBackupStateInvalid): WebAuthn L3 §6.1.3.
Verdict<AuthenticatorData> parse_authenticator_data(std::span<const uint8_t> bytes);

}  // namespace custos::passkey
