#include "crypto/passkey/registration.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "crypto/passkey/attestation/formats.h"
#include "crypto/passkey/attestation_object.h"
#include "crypto/passkey/authenticator_data.h"
#include "crypto/passkey/base64url.h"
#include "crypto/passkey/json_strict.h"

namespace custos::passkey {
namespace {

Rejection bad_response(const std::string& message) {
  return reject(Reason::kMalformedResponse, "registration response: " + message);
}

// A required base64url string member of `object`.
Verdict<std::vector<uint8_t>> b64url_member(const nlohmann::json& object, const char* name, const std::string& path) {
  auto it = object.find(name);
  if (it == object.end()) return bad_response(path + name + " is missing");
  if (!it->is_string()) return bad_response(path + name + " is not a string");
  auto decoded = base64url_decode(it->get_ref<const std::string&>());
  if (!decoded) return bad_response(path + name + " is not unpadded base64url");
  return *decoded;
}

std::string hex(std::span<const uint8_t> bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace

Verdict<RegistrationResponse> parse_registration_response(std::string_view response_json) {
  if (response_json.size() > kMaxRegistrationResponseBytes) {
    return bad_response(std::to_string(response_json.size()) + " bytes, more than " +
                        std::to_string(kMaxRegistrationResponseBytes));
  }
  std::string error;
  auto doc = parse_json_strict(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(response_json.data()), response_json.size()), &error);
  if (!doc) return bad_response(error);
  if (!doc->is_object()) return bad_response("not a JSON object");
  auto type = doc->find("type");
  if (type == doc->end() || !type->is_string() || type->get_ref<const std::string&>() != "public-key") {
    return bad_response("type must be \"public-key\"");
  }
  PASSKEY_ASSIGN_OR_REJECT(const std::vector<uint8_t> id, b64url_member(*doc, "id", ""));
  PASSKEY_ASSIGN_OR_REJECT(std::vector<uint8_t> raw_id, b64url_member(*doc, "rawId", ""));
  if (id != raw_id) return reject(Reason::kCredentialIdMismatch, "registration response: id and rawId differ");
  auto response = doc->find("response");
  if (response == doc->end() || !response->is_object()) return bad_response("response is missing or not an object");
  RegistrationResponse out;
  out.raw_id = std::move(raw_id);
  PASSKEY_ASSIGN_OR_REJECT(out.client_data_json, b64url_member(*response, "clientDataJSON", "response."));
  PASSKEY_ASSIGN_OR_REJECT(out.attestation_object, b64url_member(*response, "attestationObject", "response."));
  if (auto transports = response->find("transports"); transports != response->end() && !transports->is_null()) {
    if (!transports->is_array() || transports->size() > 16) {
      return bad_response("response.transports must be an array of at most 16 strings");
    }
    for (const auto& t : *transports) {
      if (!t.is_string() || t.get_ref<const std::string&>().empty() || t.get_ref<const std::string&>().size() > 32) {
        return bad_response("response.transports entries must be strings of 1..32 characters");
      }
      out.transports.push_back(t.get<std::string>());
    }
  }
  return out;
}

Verdict<RegisteredCredential> verify_registration(std::string_view response_json, const RegistrationOptions& options) {
  PASSKEY_ASSIGN_OR_REJECT(const RegistrationResponse response, parse_registration_response(response_json));
  return verify_registration(response, options);
}

Verdict<RegisteredCredential> verify_registration(const RegistrationResponse& response,
                                                  const RegistrationOptions& options) {
  // §7.1 steps 5-10: clientDataJSON.
  PASSKEY_ASSIGN_OR_REJECT(const ClientData client_data, parse_client_data(response.client_data_json));
  if (auto r = check_client_data(client_data, "webauthn.create", options.expected_challenge, options.origins)) {
    return *r;
  }
  // §7.1 step 11.
  const Digest32 client_data_hash = sha256(response.client_data_json);
  // §7.1 step 12.
  PASSKEY_ASSIGN_OR_REJECT(const AttestationObject attestation_object,
                           parse_attestation_object(response.attestation_object));
  PASSKEY_ASSIGN_OR_REJECT(const AuthenticatorData auth_data, parse_authenticator_data(attestation_object.auth_data));

  // §7.1 step 13: rpIdHash.
  if (options.rp_ids.empty()) {
    return reject(Reason::kRpIdHashMismatch, "no RP ID is configured, so no rpIdHash can match");
  }
  std::string matched_rp_id;
  for (const auto& rp_id : options.rp_ids) {
    if (sha256(as_bytes(rp_id)) == auth_data.rp_id_hash) {
      matched_rp_id = rp_id;
      break;
    }
  }
  if (matched_rp_id.empty()) {
    std::string list;
    for (const auto& rp_id : options.rp_ids) list += (list.empty() ? "" : ", ") + rp_id;
    return reject(Reason::kRpIdHashMismatch, "rpIdHash is not SHA-256 of the RP ID (expected one of: " + list + ")");
  }
  // §7.1 steps 14-15.
  if (options.require_user_presence && !auth_data.flags.user_present) {
    return reject(Reason::kUserNotPresent, "the UP flag is not set: the user was not present");
  }
  if (options.require_user_verification && !auth_data.flags.user_verified) {
    return reject(Reason::kUserNotVerified, "the UV flag is not set but user verification is required");
  }
  // §7.1 step 16 (BS ⇒ BE) is enforced by parse_authenticator_data.
  // Attested credential data must be present in a registration (§6.5.1, AT flag).
  if (!auth_data.flags.attested_credential || !auth_data.attested) {
    return reject(Reason::kAttestedCredentialMissing,
                  "the AT flag is not set: authenticatorData carries no attested credential data");
  }
  const AttestedCredential& attested = *auth_data.attested;
  // The credential id in authenticatorData is the one the client reported (id == rawId was checked when
  // the envelope was decoded); §7.1 step 24 bounds it at 1023 bytes (also enforced by the parser).
  if (attested.credential_id.size() > kMaxCredentialIdBytes) {
    return reject(Reason::kCredentialIdMismatch, "credential id is longer than 1023 bytes");
  }
  if (attested.credential_id != response.raw_id) {
    return reject(Reason::kCredentialIdMismatch,
                  "rawId differs from the credential id in authenticatorData (" +
                      std::to_string(response.raw_id.size()) + " vs " + std::to_string(attested.credential_id.size()) +
                      " bytes)");
  }
  // §7.1 step 18: the credential algorithm was offered.
  const int64_t alg = static_cast<int64_t>(attested.public_key.alg);
  if (std::find(options.allowed_algorithms.begin(), options.allowed_algorithms.end(), alg) ==
      options.allowed_algorithms.end()) {
    return reject(Reason::kAlgorithmNotAllowed,
                  "credential algorithm " + std::to_string(alg) + " is not among the allowed algorithms");
  }
  // §7.1 steps 20-23: attestation statement and its trust path.
  const int64_t now = options.verification_time.value_or(static_cast<int64_t>(std::time(nullptr)));
  auto roots = options.trust_roots.find(attestation_object.fmt);
  const AttestationInput input{auth_data,
                               attestation_object.statement,
                               client_data_hash,
                               roots == options.trust_roots.end() ? nullptr : &roots->second,
                               now,
                               options.attestation};
  PASSKEY_ASSIGN_OR_REJECT(AttestationOutcome outcome,
                           verify_attestation_statement(attestation_object.fmt, input));

  RegisteredCredential out;
  out.record.id = attested.credential_id;
  out.record.public_key_cose = attested.public_key_cose;
  out.record.sign_count = auth_data.sign_count;
  out.record.backup_eligible = auth_data.flags.backup_eligible;
  out.record.backup_state = auth_data.flags.backup_state;
  out.record.uv_initialized = auth_data.flags.user_verified;
  out.record.transports = response.transports;
  out.record.aaguid = attested.aaguid;
  out.record.attestation_format = attestation_object.fmt;
  out.algorithm = alg;
  out.attestation_format = attestation_object.fmt;
  out.attestation_type = outcome.type;
  out.attestation_chain_anchored = outcome.chain_anchored;
  out.attestation_trust_path = std::move(outcome.trust_path);
  out.aaguid = attested.aaguid;
  out.rp_id = matched_rp_id;
  out.user_present = auth_data.flags.user_present;
  out.user_verified = auth_data.flags.user_verified;
  out.backup_state = auth_data.flags.backup_state;
  return out;
}

std::string registration_record_json(const RegisteredCredential& credential) {
  return credential_record_to_json(credential.record);
}

std::string registration_summary_json(const RegisteredCredential& credential) {
  nlohmann::json trust_path = nlohmann::json::array();
  for (const auto& der : credential.attestation_trust_path) trust_path.push_back(base64url_encode(der));
  nlohmann::json j;
  j["record"] = nlohmann::json::parse(registration_record_json(credential), nullptr, false);
  j["algorithm"] = credential.algorithm;
  j["attestation"] = {{"format", credential.attestation_format},
                      {"type", attestation_type_name(credential.attestation_type)},
                      {"chainAnchored", credential.attestation_chain_anchored},
                      {"aaguid", hex(credential.aaguid)},
                      {"trustPath", trust_path}};
  j["rpId"] = credential.rp_id;
  j["userPresent"] = credential.user_present;
  j["userVerified"] = credential.user_verified;
  j["backupState"] = credential.backup_state;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace custos::passkey
