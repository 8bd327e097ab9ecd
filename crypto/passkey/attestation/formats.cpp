#include "crypto/passkey/attestation/formats.h"

#include "crypto/passkey/attestation/android_key.h"
#include "crypto/passkey/attestation/apple.h"
#include "crypto/passkey/attestation/fido_u2f.h"
#include "crypto/passkey/attestation/none.h"
#include "crypto/passkey/attestation/packed.h"
#include "crypto/passkey/attestation/tpm.h"

namespace custos::passkey {

const char* attestation_type_name(AttestationType type) {
  switch (type) {
    case AttestationType::kNone: return "none";
    case AttestationType::kSelf: return "self";
    case AttestationType::kBasic: return "basic";
    case AttestationType::kAttCA: return "attca";
    case AttestationType::kAnonCA: return "anonca";
  }
  return "unknown";
}

bool attestation_format_supported(const std::string& fmt) {
  return fmt == "none" || fmt == "packed" || fmt == "tpm" || fmt == "android-key" || fmt == "apple" ||
         fmt == "fido-u2f";
}

Verdict<AttestationOutcome> verify_attestation_statement(const std::string& fmt, const AttestationInput& in) {
  if (!in.auth_data.attested) {
    return reject(Reason::kAttestedCredentialMissing, "authenticatorData has no attested credential data");
  }
  if (fmt == "none") return verify_none_attestation(in);
  if (fmt == "packed") return verify_packed_attestation(in);
  if (fmt == "tpm") return verify_tpm_attestation(in);
  if (fmt == "android-key") return verify_android_key_attestation(in);
  if (fmt == "apple") return verify_apple_attestation(in);
  if (fmt == "fido-u2f") return verify_fido_u2f_attestation(in);
  if (fmt == "android-safetynet") {
    return reject(Reason::kAttestationFormatUnsupported,
                  "android-safetynet attestation is not supported (deprecated SafetyNet service verdict)");
  }
  return reject(Reason::kAttestationFormatUnsupported, "attestation format \"" + fmt + "\" is not supported");
}

}  // namespace custos::passkey
