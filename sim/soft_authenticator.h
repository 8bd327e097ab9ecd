// A software WebAuthn authenticator plus browser for tests and the simulator: it creates ES256 (P-256)
// and EdDSA (Ed25519) credentials, keeps a signature counter, and returns what a browser's
// PublicKeyCredential.toJSON() returns (WebAuthn L3 §5.1), byte for byte in the browser format:
// members in WebIDL dictionary (lexicographic) order, compact JSON, unpadded base64url, and
// clientDataJSON serialised as §5.8.1.1 prescribes ({"type","challenge","origin","crossOrigin"[, "topOrigin"]}).
//
// It holds private keys in memory with no protection: it lives in sim/ and must never be linked into
// a node binary.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/passkey/cose_key.h"
#include "crypto/passkey/credential_record.h"
#include "crypto/rng.h"
#include "crypto/status.h"

namespace custos::sim {

enum class SoftKeyType { kES256, kEdDSA };
enum class SoftAttestation { kNone, kPacked };  // "packed" is self-attestation (no x5c)

struct SoftAuthenticatorOptions {
  std::string rp_id = "custos.example";
  std::string origin = "https://custos.example";
  bool cross_origin = false;
  std::optional<std::string> top_origin;   // written only when cross_origin
  bool user_present = true;                // UP
  bool user_verified = true;               // UV
  bool backup_eligible = false;            // BE
  bool backup_state = false;               // BS
  bool counter_enabled = true;             // false: signCount stays 0 (authenticators without counters)
  bool include_user_handle = true;         // in assertions
  std::array<uint8_t, 16> aaguid{};
  std::string attachment = "platform";     // authenticatorAttachment
};

// The pieces of one assertion before they are wrapped into JSON (for tests that tamper with them).
struct SoftAssertionParts {
  std::string client_data_json;
  std::vector<uint8_t> authenticator_data;
  std::vector<uint8_t> signature;
};

class SoftAuthenticator {
 public:
  // Creates a credential. With `rng` the key, credential id and user handle come from it (reproducible
  // runs); without, from OpenSSL's RAND. ECDSA nonces always come from OpenSSL.
  static Result<SoftAuthenticator> create(SoftKeyType type, Rng* rng = nullptr,
                                          SoftAuthenticatorOptions options = {});

  SoftAuthenticatorOptions& options() { return options_; }
  const SoftAuthenticatorOptions& options() const { return options_; }
  const std::vector<uint8_t>& credential_id() const { return credential_id_; }
  const std::vector<uint8_t>& user_handle() const { return user_handle_; }
  const std::vector<uint8_t>& public_key_cose() const { return public_key_cose_; }
  passkey::CoseAlg alg() const { return alg_; }
  uint32_t sign_count() const { return sign_count_; }
  void set_sign_count(uint32_t count) { sign_count_ = count; }
  // WebAuthn user.name of the account the credential was made for (the `custos` CLI stores the
  // approver id here). At most kMaxUserNameBytes printable ASCII; empty when not set.
  const std::string& user_name() const { return user_name_; }
  void set_user_name(std::string name) { user_name_ = std::move(name); }

  // navigator.credentials.create() → RegistrationResponseJSON text.
  std::string registration_json(std::span<const uint8_t> challenge, SoftAttestation attestation = SoftAttestation::kNone);
  // navigator.credentials.get() → AuthenticationResponseJSON text. Advances the counter.
  std::string assertion_json(std::span<const uint8_t> challenge);

  // Lower-level pieces for tampering tests.
  std::string client_data_json(const std::string& type, std::span<const uint8_t> challenge) const;
  std::vector<uint8_t> authenticator_data(bool with_attested_credential) const;
  std::vector<uint8_t> sign(std::span<const uint8_t> authenticator_data, std::span<const uint8_t> client_data_json) const;
  // Advances the counter and returns clientDataJSON, authenticatorData and a valid signature.
  SoftAssertionParts assertion_parts(std::span<const uint8_t> challenge);
  // Wraps parts into AuthenticationResponseJSON text (no re-signing).
  std::string assertion_json_from(const SoftAssertionParts& parts) const;

  // The record a relying party stores after registration (current counter, BE from options).
  passkey::CredentialRecord credential_record() const;
  std::string credential_record_json() const { return passkey::credential_record_to_json(credential_record()); }

  // Persistence as a "software authenticator credential file" (docs/operations.md, "Approvers, intents
  // and signing from the command line"), one JSON object with exactly these members:
  //   {"format": "custos-soft-authenticator", "version": 1, "key_type": "es256" | "eddsa",
  //    "private_key_pkcs8": b64url, "credential_id": b64url, "user_handle": b64url, "user_name": str,
  //    "sign_count": uint32, "options": {"rp_id", "origin", "cross_origin", "top_origin" (str | null),
  //    "user_present", "user_verified", "backup_eligible", "backup_state", "counter_enabled",
  //    "include_user_handle", "aaguid" (32 hex), "attachment" ("platform" | "cross-platform")}}
  // The text holds the private key in the clear: whoever reads the file can approve as this passkey.
  Result<std::string> to_file_json() const;
  // Strict inverse: unknown, missing, duplicate or ill-typed members are errors naming the member; the
  // public key is recomputed from the private key (a public key inside the PKCS#8 is ignored).
  static Result<SoftAuthenticator> from_file_json(std::string_view text);

  static constexpr size_t kMaxUserNameBytes = 64;
  static constexpr size_t kMaxFileBytes = 64 * 1024;

 private:
  SoftAuthenticator() = default;
  void advance_counter();
  // Installs the private key and derives the COSE and SPKI public keys from it.
  Status set_key(passkey::EvpPkeyPtr key);

  SoftAuthenticatorOptions options_;
  passkey::CoseAlg alg_ = passkey::CoseAlg::kES256;
  passkey::EvpPkeyPtr key_;  // private key
  std::vector<uint8_t> credential_id_;
  std::vector<uint8_t> user_handle_;
  std::string user_name_;
  std::vector<uint8_t> public_key_cose_;
  std::vector<uint8_t> public_key_spki_;
  uint32_t sign_count_ = 0;
};

}  // namespace custos::sim
