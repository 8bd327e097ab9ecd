#include "crypto/passkey/assertion.h"

#include <algorithm>

#include "crypto/hash.h"
#include "crypto/passkey/base64url.h"
#include "crypto/passkey/display.h"
#include "crypto/passkey/json_strict.h"

namespace custos::passkey {
namespace {

Rejection bad_response(std::string message) { return reject(Reason::kMalformedResponse, std::move(message)); }

// Decodes a required (or optional) base64url string member with a size bound.
std::optional<Rejection> b64_member(const nlohmann::json& obj, const char* name, size_t max_bytes, bool required,
                                    std::optional<std::vector<uint8_t>>* out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) {
    if (required) return bad_response(std::string("response has no \"") + name + "\"");
    return std::nullopt;
  }
  if (!it->is_string()) return bad_response(std::string("\"") + name + "\" is not a string");
  const std::string& text = it->get_ref<const std::string&>();
  if (!required && text.empty()) return std::nullopt;
  // 4 characters per 3 bytes: refuse before decoding anything oversized.
  if (text.size() > (max_bytes * 4 + 2) / 3)
    return bad_response(std::string("\"") + name + "\" is longer than " + std::to_string(max_bytes) + " bytes");
  auto bytes = base64url_decode(text);
  if (!bytes) return bad_response(std::string("\"") + name + "\" is not unpadded base64url");
  *out = std::move(*bytes);
  return std::nullopt;
}

std::string hex_prefix(std::span<const uint8_t> b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < b.size() && i < 8; ++i) {
    s += kHex[b[i] >> 4];
    s += kHex[b[i] & 15];
  }
  if (b.size() > 8) s += "...";
  return s;
}

}  // namespace

Verdict<AssertionResponse> parse_assertion_response(std::string_view json_text) {
  if (json_text.size() > kMaxAssertionResponseBytes)
    return bad_response("response JSON is larger than " + std::to_string(kMaxAssertionResponseBytes) + " bytes");
  std::string error;
  auto doc = parse_json_strict(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(json_text.data()), json_text.size()), &error);
  if (!doc) return bad_response("response: " + error);
  if (!doc->is_object()) return bad_response("response is not a JSON object");
  auto type = doc->find("type");
  if (type == doc->end() || !type->is_string() || type->get_ref<const std::string&>() != "public-key")
    return bad_response("response \"type\" is not \"public-key\"");
  auto id = doc->find("id");
  if (id == doc->end() || !id->is_string()) return bad_response("response has no string \"id\"");
  std::optional<std::vector<uint8_t>> raw_id, id_bytes;
  if (auto r = b64_member(*doc, "rawId", kMaxCredentialIdBytes, true, &raw_id)) return *r;
  if (auto r = b64_member(*doc, "id", kMaxCredentialIdBytes, true, &id_bytes)) return *r;
  // §5.1: id is base64url(rawId); with a canonical decoder, equal bytes means equal strings.
  if (*raw_id != *id_bytes)
    return reject(Reason::kCredentialIdMismatch,
                  "id " + display_value(id->get<std::string>()) + " and rawId differ");
  if (raw_id->empty()) return bad_response("credential id is empty");
  auto resp = doc->find("response");
  if (resp == doc->end() || !resp->is_object()) return bad_response("response has no \"response\" object");

  AssertionResponse out;
  out.raw_id = std::move(*raw_id);
  std::optional<std::vector<uint8_t>> cdj, ad, sig;
  if (auto r = b64_member(*resp, "clientDataJSON", kMaxClientDataBytes, true, &cdj)) return *r;
  if (auto r = b64_member(*resp, "authenticatorData", kMaxAuthenticatorDataBytes, true, &ad)) return *r;
  if (auto r = b64_member(*resp, "signature", kMaxSignatureBytes, true, &sig)) return *r;
  if (auto r = b64_member(*resp, "userHandle", 64, false, &out.user_handle)) return *r;
  out.client_data_json = std::move(*cdj);
  out.authenticator_data = std::move(*ad);
  out.signature = std::move(*sig);
  return out;
}

Verdict<AssertionResult> verify_assertion(std::string_view response_json, const CredentialRecord& record,
                                          const AssertionExpectations& expect) {
  // §7.2 step 7 (the credential record) comes before step 8 (decoding the response): a record whose
  // key we cannot use is reported as such, whatever the response looks like.
  auto key = parse_cose_key(record.public_key_cose);
  if (!key.ok()) return key.rejection();
  PASSKEY_ASSIGN_OR_REJECT(AssertionResponse response, parse_assertion_response(response_json));
  return verify_assertion(response, record, expect);
}

Verdict<AssertionResult> verify_assertion(const AssertionResponse& response, const CredentialRecord& record,
                                          const AssertionExpectations& expect) {
  // Step 5-7: the credential must be the one we hold the record for, and the user handle, when the
  // authenticator returns one, must be that credential's user.
  if (response.raw_id != record.id)
    return reject(Reason::kCredentialIdMismatch, "credential " + base64url_encode(response.raw_id).substr(0, 64) +
                                                     " is not the registered credential " +
                                                     base64url_encode(record.id).substr(0, 64));
  if (response.user_handle && record.user_handle && *response.user_handle != *record.user_handle)
    return reject(Reason::kUserHandleMismatch, "userHandle " + base64url_encode(*response.user_handle) +
                                                   " is not the credential's user " + base64url_encode(*record.user_handle));
  // A record without a user handle (registered before user handles were recorded) cannot be checked;
  // the credential id match above already binds the credential.
  PASSKEY_ASSIGN_OR_REJECT(CoseKey key, parse_cose_key(record.public_key_cose));

  // Steps 9-14: clientDataJSON.
  PASSKEY_ASSIGN_OR_REJECT(ClientData cd, parse_client_data(response.client_data_json));
  if (auto r = check_client_data(cd, "webauthn.get", expect.challenge, expect.origins)) return *r;

  // Steps 15-18: authenticatorData.
  PASSKEY_ASSIGN_OR_REJECT(AuthenticatorData ad, parse_authenticator_data(response.authenticator_data));
  // §6.1: AT is only set for registrations; an assertion carrying credential data is not one.
  if (ad.flags.attested_credential)
    return reject(Reason::kAuthenticatorDataMalformed, "authenticatorData: AT flag (attested credential data) in an assertion");
  const Digest32 expected_rp = sha256(as_bytes(expect.rp_id));
  if (!std::equal(ad.rp_id_hash.begin(), ad.rp_id_hash.end(), expected_rp.begin()))
    return reject(Reason::kRpIdHashMismatch, "rpIdHash " + hex_prefix(ad.rp_id_hash) + " is not SHA-256 of rp id " +
                                                 display_value(expect.rp_id));
  if (!ad.flags.user_present) return reject(Reason::kUserNotPresent, "UP flag is not set: the user was not present");
  if (expect.require_user_verification && !ad.flags.user_verified)
    return reject(Reason::kUserNotVerified, "UV flag is not set but user verification is required");
  // BS without BE was rejected by the parser (§6.1.3). BE is fixed at creation: a change means a
  // different authenticator answers for this credential.
  if (ad.flags.backup_eligible != record.backup_eligible)
    return reject(Reason::kBackupStateInvalid, std::string("BE flag is ") + (ad.flags.backup_eligible ? "1" : "0") +
                                                   " but the credential was registered with BE=" +
                                                   (record.backup_eligible ? "1" : "0"));

  // Steps 20-21: signature over authenticatorData ‖ SHA-256(clientDataJSON), with an allowed algorithm.
  if (std::find(expect.allowed_algorithms.begin(), expect.allowed_algorithms.end(), key.alg) ==
      expect.allowed_algorithms.end())
    return reject(Reason::kAlgorithmNotAllowed, cose_alg_display(static_cast<int64_t>(key.alg)) + " is not an allowed algorithm");
  std::vector<uint8_t> signed_data = ad.raw;
  const Digest32 cd_hash = sha256(cd.raw);
  signed_data.insert(signed_data.end(), cd_hash.begin(), cd_hash.end());
  if (auto r = verify_signature(key, signed_data, response.signature)) return *r;

  // Step 22: a counter that does not advance signals a cloned authenticator. Both zero means the
  // authenticator does not implement counters.
  if ((ad.sign_count != 0 || record.sign_count != 0) && ad.sign_count <= record.sign_count)
    return reject(Reason::kSignCountRollback, "signCount " + std::to_string(ad.sign_count) +
                                                  " is not greater than the stored " + std::to_string(record.sign_count) +
                                                  " (possible cloned authenticator)");

  AssertionResult result;
  result.credential_id = response.raw_id;
  result.sign_count = ad.sign_count;
  result.user_verified = ad.flags.user_verified;
  result.backup_eligible = ad.flags.backup_eligible;
  result.backup_state = ad.flags.backup_state;
  result.extensions_cbor = ad.extensions_cbor;
  return result;
}

}  // namespace custos::passkey
