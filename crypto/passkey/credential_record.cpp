#include "crypto/passkey/credential_record.h"

#include "crypto/hex.h"

#include <set>

#include <nlohmann/json.hpp>

#include "crypto/passkey/base64url.h"
#include "crypto/passkey/cose_key.h"
#include "crypto/passkey/display.h"
#include "crypto/passkey/json_strict.h"

namespace custos::passkey {
namespace {

Rejection bad(std::string message) { return reject(Reason::kMalformedResponse, "credential record: " + std::move(message)); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Verdict<CredentialRecord> parse_credential_record(std::string_view json_text) {
  if (json_text.size() > kMaxCredentialRecordBytes) return bad("larger than 64 KiB");
  std::string error;
  auto doc = parse_json_strict(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(json_text.data()), json_text.size()), &error);
  if (!doc) return bad(error);
  if (!doc->is_object()) return bad("not a JSON object");
  static const std::set<std::string> kKnown = {"id",          "publicKey",     "signCount",  "userHandle",
                                               "backupEligible", "backupState", "uvInitialized", "transports",
                                               "aaguid",      "attestationFormat"};
  for (const auto& [name, value] : doc->items())
    if (!kKnown.count(name)) return bad("unknown member \"" + display_value(name) + "\"");

  CredentialRecord rec;
  auto b64_field = [&](const char* name, bool required, size_t min_len, size_t max_len,
                       std::optional<std::vector<uint8_t>>* out) -> std::optional<Rejection> {
    auto it = doc->find(name);
    if (it == doc->end() || it->is_null()) {
      if (required) return bad(std::string("missing \"") + name + "\"");
      return std::nullopt;
    }
    if (!it->is_string()) return bad(std::string("\"") + name + "\" is not a string");
    auto bytes = base64url_decode(it->get_ref<const std::string&>());
    if (!bytes) return bad(std::string("\"") + name + "\" is not unpadded base64url");
    if (bytes->size() < min_len || bytes->size() > max_len)
      return bad(std::string("\"") + name + "\" is " + std::to_string(bytes->size()) + " bytes, allowed " +
                 std::to_string(min_len) + ".." + std::to_string(max_len));
    *out = std::move(*bytes);
    return std::nullopt;
  };
  std::optional<std::vector<uint8_t>> id, key;
  if (auto r = b64_field("id", true, 1, 1023, &id)) return *r;
  if (auto r = b64_field("publicKey", true, 1, kMaxCoseKeyBytes, &key)) return *r;
  if (auto r = b64_field("userHandle", false, 1, 64, &rec.user_handle)) return *r;
  rec.id = std::move(*id);
  rec.public_key_cose = std::move(*key);

  auto count = doc->find("signCount");
  if (count == doc->end() || !count->is_number_unsigned() || count->get<uint64_t>() > 0xffffffffu)
    return bad("\"signCount\" must be an integer in 0..4294967295");
  rec.sign_count = static_cast<uint32_t>(count->get<uint64_t>());
  auto be = doc->find("backupEligible");
  if (be == doc->end() || !be->is_boolean()) return bad("\"backupEligible\" must be a boolean");
  rec.backup_eligible = be->get<bool>();
  for (auto [name, out] : {std::pair{"backupState", &rec.backup_state}, std::pair{"uvInitialized", &rec.uv_initialized}}) {
    auto it = doc->find(name);
    if (it == doc->end()) continue;
    if (!it->is_boolean()) return bad(std::string("\"") + name + "\" must be a boolean");
    *out = it->get<bool>();
  }
  if (auto it = doc->find("transports"); it != doc->end()) {
    if (!it->is_array() || it->size() > 16) return bad("\"transports\" must be an array of at most 16 strings");
    for (const auto& t : *it) {
      if (!t.is_string() || t.get_ref<const std::string&>().size() > 32) return bad("\"transports\" entries must be short strings");
      rec.transports.push_back(t.get<std::string>());
    }
  }
  if (auto it = doc->find("aaguid"); it != doc->end()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() != 32) return bad("\"aaguid\" must be 32 hex digits");
    std::array<uint8_t, 16> aaguid{};
    const std::string& s = it->get_ref<const std::string&>();
    for (size_t i = 0; i < 16; ++i) {
      const int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
      if (hi < 0 || lo < 0) return bad("\"aaguid\" must be 32 hex digits");
      aaguid[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    rec.aaguid = aaguid;
  }
  if (auto it = doc->find("attestationFormat"); it != doc->end()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 64) return bad("\"attestationFormat\" must be a short string");
    rec.attestation_format = it->get<std::string>();
  }
  // Validate the key now so that a broken record is reported as such, not as a failed signature.
  auto parsed = parse_cose_key(rec.public_key_cose);
  if (!parsed.ok()) return parsed.rejection();
  return rec;
}

std::string credential_record_to_json(const CredentialRecord& record) {
  // nlohmann::ordered_json keeps the documented member order.
  nlohmann::ordered_json j;
  j["id"] = base64url_encode(record.id);
  j["publicKey"] = base64url_encode(record.public_key_cose);
  j["signCount"] = record.sign_count;
  if (record.user_handle) j["userHandle"] = base64url_encode(*record.user_handle);
  j["backupEligible"] = record.backup_eligible;
  if (record.backup_state) j["backupState"] = *record.backup_state;
  if (record.uv_initialized) j["uvInitialized"] = *record.uv_initialized;
  if (!record.transports.empty()) j["transports"] = record.transports;
  if (record.aaguid) j["aaguid"] = to_hex(*record.aaguid);
  if (record.attestation_format) j["attestationFormat"] = *record.attestation_format;
  // error_handler::replace: a non-UTF-8 transport string must not throw out of the library.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace custos::passkey
