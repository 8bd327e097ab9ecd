#include "crypto/passkey/verdict.h"

namespace custos::passkey {

const char* reason_code(Reason reason) {
  switch (reason) {
    case Reason::kMalformedResponse: return "malformed_response";
    case Reason::kCredentialIdMismatch: return "credential_id_mismatch";
    case Reason::kClientDataMalformed: return "client_data_malformed";
    case Reason::kWrongType: return "wrong_type";
    case Reason::kChallengeMismatch: return "challenge_mismatch";
    case Reason::kOriginNotAllowed: return "origin_not_allowed";
    case Reason::kCrossOriginNotAllowed: return "cross_origin_not_allowed";
    case Reason::kTopOriginNotAllowed: return "top_origin_not_allowed";
    case Reason::kAuthenticatorDataMalformed: return "authenticator_data_malformed";
    case Reason::kRpIdHashMismatch: return "rp_id_hash_mismatch";
    case Reason::kUserNotPresent: return "user_not_present";
    case Reason::kUserNotVerified: return "user_not_verified";
    case Reason::kBackupStateInvalid: return "backup_state_invalid";
    case Reason::kSignCountRollback: return "sign_count_rollback";
    case Reason::kUserHandleMismatch: return "user_handle_mismatch";
    case Reason::kCoseKeyInvalid: return "cose_key_invalid";
    case Reason::kAlgorithmNotAllowed: return "algorithm_not_allowed";
    case Reason::kSignatureMalformed: return "signature_malformed";
    case Reason::kSignatureInvalid: return "signature_invalid";
    case Reason::kAttestationObjectMalformed: return "attestation_object_malformed";
    case Reason::kAttestedCredentialMissing: return "attested_credential_missing";
    case Reason::kAttestationFormatUnsupported: return "attestation_format_unsupported";
    case Reason::kAttestationStatementInvalid: return "attestation_statement_invalid";
    case Reason::kAttestationCertificateInvalid: return "attestation_certificate_invalid";
    case Reason::kAttestationChainInvalid: return "attestation_chain_invalid";
    case Reason::kAttestationTrustRootMissing: return "attestation_trust_root_missing";
    case Reason::kAttestationInsecureCryptography: return "attestation_insecure_cryptography";
  }
  return "unknown";
}

std::string Rejection::to_string() const { return std::string("reject: ") + reason_code(reason) + ": " + message; }

Status Rejection::to_status() const {
  const bool malformed_input = reason == Reason::kMalformedResponse || reason == Reason::kClientDataMalformed ||
                               reason == Reason::kAuthenticatorDataMalformed ||
                               reason == Reason::kAttestationObjectMalformed;
  return Status(malformed_input ? Code::kMalformed : Code::kVerifyFailed,
                std::string(reason_code(reason)) + ": " + message);
}

}  // namespace custos::passkey
