// TPM 2.0 structures carried by "tpm" attestation (WebAuthn Level 3 §8.3; TPM 2.0 Library Part 2):
// TPMS_ATTEST (certInfo) and TPMT_PUBLIC (pubArea), parsed big-endian with a bounds-checked cursor.
// Both must be consumed exactly: trailing bytes are an error.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/passkey/verdict.h"

namespace custos::passkey {

inline constexpr uint32_t kTpmGeneratedValue = 0xff544347;  // TPM_GENERATED_VALUE
inline constexpr uint16_t kTpmStAttestCertify = 0x8017;     // TPM_ST_ATTEST_CERTIFY
inline constexpr uint16_t kTpmAlgRsa = 0x0001;
inline constexpr uint16_t kTpmAlgSha1 = 0x0004;
inline constexpr uint16_t kTpmAlgSha256 = 0x000B;
inline constexpr uint16_t kTpmAlgSha384 = 0x000C;
inline constexpr uint16_t kTpmAlgSha512 = 0x000D;
inline constexpr uint16_t kTpmAlgNull = 0x0010;
inline constexpr uint16_t kTpmAlgEcc = 0x0023;
inline constexpr uint16_t kTpmEccNistP256 = 0x0003;
inline constexpr uint16_t kTpmEccNistP384 = 0x0004;
inline constexpr uint16_t kTpmEccNistP521 = 0x0005;

// TPMS_ATTEST with attested = TPMS_CERTIFY_INFO.
struct TpmsAttest {
  uint32_t magic = 0;
  uint16_t type = 0;
  std::vector<uint8_t> qualified_signer;  // TPM2B_NAME
  std::vector<uint8_t> extra_data;        // TPM2B_DATA
  uint64_t clock = 0;
  uint32_t reset_count = 0;
  uint32_t restart_count = 0;
  uint8_t safe = 0;
  uint64_t firmware_version = 0;
  std::vector<uint8_t> attested_name;            // TPM2B_NAME: nameAlg (2 bytes) ‖ digest
  std::vector<uint8_t> attested_qualified_name;  // TPM2B_NAME
};

// TPMT_PUBLIC for RSA and ECC keys.
struct TpmtPublic {
  uint16_t type = 0;
  uint16_t name_alg = 0;
  uint32_t object_attributes = 0;
  std::vector<uint8_t> auth_policy;
  // RSA parameters
  uint16_t rsa_key_bits = 0;
  uint32_t rsa_exponent = 0;       // 0 means the default 65537
  std::vector<uint8_t> rsa_modulus;
  // ECC parameters
  uint16_t ecc_curve = 0;
  std::vector<uint8_t> ecc_x, ecc_y;
};

// certInfo. Only the structure is checked here (magic/type/extraData are checked by the verifier, so
// it can name which one is wrong). kAttestationStatementInvalid on truncation or trailing bytes.
Verdict<TpmsAttest> parse_tpms_attest(std::span<const uint8_t> bytes);

// pubArea: only TPM_ALG_RSA and TPM_ALG_ECC types are accepted.
Verdict<TpmtPublic> parse_tpmt_public(std::span<const uint8_t> bytes);

}  // namespace custos::passkey
