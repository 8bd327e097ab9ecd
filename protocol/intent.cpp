#include "protocol/intent.h"

#include <set>

#include <nlohmann/json.hpp>

#include "crypto/hex.h"
#include "crypto/hash.h"
#include "crypto/passkey/base64url.h"
#include "crypto/passkey/json_strict.h"
#include "protocol/wire.h"

namespace custos::protocol {
namespace {

constexpr size_t kMaxPathComponents = 16;
constexpr uint32_t kHardenedBit = 0x80000000u;
constexpr size_t kMaxRawTransactionBytes = 64 * 1024;
constexpr size_t kMinNonceBytes = 16, kMaxNonceBytes = 64;

// Visible ASCII (no spaces, no control characters): identifiers are compared byte for byte by every
// node and shown to approvers, so look-alike Unicode and invisible characters are excluded.
bool visible_ascii(const std::string& s, bool allow_space) {
  for (unsigned char c : s)
    if (c < (allow_space ? 0x20 : 0x21) || c > 0x7e) return false;
  return true;
}

Status check_text(const std::string& value, const char* field, size_t max_len, bool allow_space) {
  if (value.empty()) return invalid_argument(std::string(field) + " is empty");
  if (value.size() > max_len)
    return invalid_argument(std::string(field) + " is " + std::to_string(value.size()) + " bytes, at most " +
                            std::to_string(max_len) + " allowed");
  if (!visible_ascii(value, allow_space))
    return invalid_argument(std::string(field) + " must be printable ASCII" + (allow_space ? "" : " without spaces"));
  return ok_status();
}

// "0", "12", "0.5", "100.000": no sign, no exponent, no leading zeros, at most 78 characters (a
// 256-bit integer has 78 digits). One spelling per number keeps the signed text unambiguous.
bool plain_decimal(const std::string& s) {
  if (s.empty() || s.size() > 78) return false;
  size_t i = 0;
  if (s[0] == '0') {
    i = 1;
  } else {
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == 0 || s[0] == '0') return false;
  }
  if (i == s.size()) return true;
  if (s[i] != '.' || i + 1 == s.size()) return false;
  for (++i; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::string to_hex(const std::string& bytes) { return custos::to_hex(as_bytes(bytes)); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> from_hex(const std::string& text, const char* field) {
  if (text.size() % 2 != 0) return malformed(std::string(field) + " has an odd number of hex digits");
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return malformed(std::string(field) + " is not hex");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

Status validate_intent(const SigningIntent& intent) {
  RETURN_IF_ERROR(check_text(intent.key_id(), "key_id", 128, false));
  if (static_cast<size_t>(intent.derivation_path_size()) > kMaxPathComponents)
    return invalid_argument("derivation_path has " + std::to_string(intent.derivation_path_size()) +
                            " components, at most 16 allowed");
  for (int i = 0; i < intent.derivation_path_size(); ++i) {
    // Threshold keys only support public (non-hardened) derivation: hardened children need the
    // parent private key, which no node has.
    if (intent.derivation_path(i) & kHardenedBit)
      return invalid_argument("derivation_path[" + std::to_string(i) + "] = " + std::to_string(intent.derivation_path(i)) +
                              " is hardened (>= 2^31); only non-hardened components are allowed");
  }
  RETURN_IF_ERROR(check_text(intent.chain(), "chain", 64, false));
  switch (intent.payload_case()) {
    case SigningIntent::kDigest:
      if (intent.digest().size() != 32)
        return invalid_argument("digest is " + std::to_string(intent.digest().size()) + " bytes, must be 32");
      break;
    case SigningIntent::kRawTransaction:
      if (intent.raw_transaction().empty()) return invalid_argument("raw_transaction is empty");
      if (intent.raw_transaction().size() > kMaxRawTransactionBytes)
        return invalid_argument("raw_transaction is " + std::to_string(intent.raw_transaction().size()) +
                                " bytes, at most 65536 allowed");
      break;
    case SigningIntent::PAYLOAD_NOT_SET: return invalid_argument("payload is missing: set digest or raw_transaction");
  }
  if (intent.has_amount() && !plain_decimal(intent.amount()))
    return invalid_argument("amount \"" + intent.amount().substr(0, 80) +
                            "\" is not a plain decimal (digits, optional '.' and digits, no leading zeros)");
  if (intent.has_asset()) RETURN_IF_ERROR(check_text(intent.asset(), "asset", 32, false));
  if (intent.has_destination()) RETURN_IF_ERROR(check_text(intent.destination(), "destination", 256, false));
  const size_t nonce = intent.request_nonce().size();
  if (nonce < kMinNonceBytes || nonce > kMaxNonceBytes)
    return invalid_argument("request_nonce is " + std::to_string(nonce) + " bytes, must be 16..64");
  if (intent.created_at_unix() == 0) return invalid_argument("created_at_unix is missing");
  if (intent.expires_at_unix() <= intent.created_at_unix())
    return invalid_argument("expires_at_unix " + std::to_string(intent.expires_at_unix()) +
                            " is not after created_at_unix " + std::to_string(intent.created_at_unix()));
  RETURN_IF_ERROR(check_text(intent.initiator(), "initiator", 128, true));
  return ok_status();
}

Result<std::vector<uint8_t>> intent_canonical_bytes(const SigningIntent& intent) {
  RETURN_IF_ERROR(validate_intent(intent));
  const WipedBytes body = serialize_deterministic(intent);
  const size_t n = kSigningIntentDomainTag.size();
  std::vector<uint8_t> out(4 + n + body.size());
  out[0] = static_cast<uint8_t>(n >> 24);
  out[1] = static_cast<uint8_t>(n >> 16);
  out[2] = static_cast<uint8_t>(n >> 8);
  out[3] = static_cast<uint8_t>(n);
  std::copy(kSigningIntentDomainTag.begin(), kSigningIntentDomainTag.end(), out.begin() + 4);
  std::copy(body.begin(), body.end(), out.begin() + 4 + static_cast<std::ptrdiff_t>(n));
  return out;
}

Result<SigningIntent> parse_intent_canonical(std::span<const uint8_t> bytes) {
  const size_t header = 4 + kSigningIntentDomainTag.size();
  if (bytes.size() < header) return malformed("signing intent is shorter than its domain tag");
  const uint32_t n = (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
  if (n != kSigningIntentDomainTag.size() ||
      !std::equal(kSigningIntentDomainTag.begin(), kSigningIntentDomainTag.end(), bytes.begin() + 4))
    return malformed("signing intent does not start with the domain tag custos/signing-intent/v1");
  SigningIntent intent;
  RETURN_IF_ERROR(parse_strict(intent, bytes.subspan(header)));
  RETURN_IF_ERROR(validate_intent(intent));
  return intent;
}

Result<SigningIntent> intent_from_json(std::string_view json_text) {
  if (json_text.size() > 256 * 1024) return malformed("intent JSON is larger than 256 KiB");
  std::string error;
  auto doc = passkey::parse_json_strict(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(json_text.data()), json_text.size()), &error);
  if (!doc) return malformed("intent JSON: " + error);
  if (!doc->is_object()) return malformed("intent JSON is not an object");
  static const std::set<std::string> kKnown = {"key_id", "derivation_path", "chain", "digest", "raw_transaction",
                                               "amount", "asset", "destination", "request_nonce",
                                               "created_at_unix", "expires_at_unix", "initiator"};
  for (const auto& [name, value] : doc->items())
    if (!kKnown.count(name)) return malformed("intent JSON has unknown member \"" + name.substr(0, 64) + "\"");

  SigningIntent intent;
  auto str = [&](const char* name, bool required, std::string* out, bool* present) -> Status {
    auto it = doc->find(name);
    if (it == doc->end()) {
      if (required) return malformed(std::string("intent JSON has no \"") + name + "\"");
      if (present) *present = false;
      return ok_status();
    }
    if (!it->is_string()) return malformed(std::string("intent JSON \"") + name + "\" is not a string");
    *out = it->get<std::string>();
    if (present) *present = true;
    return ok_status();
  };
  auto uint = [&](const char* name, uint64_t* out) -> Status {
    auto it = doc->find(name);
    if (it == doc->end() || !it->is_number_unsigned())
      return malformed(std::string("intent JSON \"") + name + "\" must be a non-negative integer");
    *out = it->get<uint64_t>();
    return ok_status();
  };
  std::string text;
  bool present = false;
  RETURN_IF_ERROR(str("key_id", true, &text, nullptr));
  intent.set_key_id(text);
  if (auto it = doc->find("derivation_path"); it != doc->end()) {
    if (!it->is_array()) return malformed("intent JSON \"derivation_path\" is not an array");
    for (const auto& c : *it) {
      if (!c.is_number_unsigned() || c.get<uint64_t>() > 0xffffffffu)
        return malformed("intent JSON \"derivation_path\" entries must be integers in 0..4294967295");
      intent.add_derivation_path(static_cast<uint32_t>(c.get<uint64_t>()));
    }
  }
  RETURN_IF_ERROR(str("chain", true, &text, nullptr));
  intent.set_chain(text);
  const bool has_digest = doc->contains("digest"), has_raw = doc->contains("raw_transaction");
  if (has_digest == has_raw) return malformed("intent JSON must have exactly one of \"digest\" and \"raw_transaction\"");
  RETURN_IF_ERROR(str(has_digest ? "digest" : "raw_transaction", true, &text, nullptr));
  ASSIGN_OR_RETURN(std::string payload, from_hex(text, has_digest ? "digest" : "raw_transaction"));
  if (has_digest)
    intent.set_digest(payload);
  else
    intent.set_raw_transaction(payload);
  RETURN_IF_ERROR(str("amount", false, &text, &present));
  if (present) intent.set_amount(text);
  RETURN_IF_ERROR(str("asset", false, &text, &present));
  if (present) intent.set_asset(text);
  RETURN_IF_ERROR(str("destination", false, &text, &present));
  if (present) intent.set_destination(text);
  RETURN_IF_ERROR(str("request_nonce", true, &text, nullptr));
  auto nonce = passkey::base64url_decode(text);
  if (!nonce) return malformed("intent JSON \"request_nonce\" is not unpadded base64url");
  intent.set_request_nonce(std::string(nonce->begin(), nonce->end()));
  uint64_t t = 0;
  RETURN_IF_ERROR(uint("created_at_unix", &t));
  intent.set_created_at_unix(t);
  RETURN_IF_ERROR(uint("expires_at_unix", &t));
  intent.set_expires_at_unix(t);
  RETURN_IF_ERROR(str("initiator", true, &text, nullptr));
  intent.set_initiator(text);
  RETURN_IF_ERROR(validate_intent(intent));
  return intent;
}

Result<std::string> intent_to_json(const SigningIntent& intent) {
  RETURN_IF_ERROR(validate_intent(intent));
  nlohmann::ordered_json j;
  j["key_id"] = intent.key_id();
  j["derivation_path"] = nlohmann::ordered_json::array();
  for (uint32_t c : intent.derivation_path()) j["derivation_path"].push_back(c);
  j["chain"] = intent.chain();
  if (intent.payload_case() == SigningIntent::kDigest)
    j["digest"] = to_hex(intent.digest());
  else
    j["raw_transaction"] = to_hex(intent.raw_transaction());
  if (intent.has_amount()) j["amount"] = intent.amount();
  if (intent.has_asset()) j["asset"] = intent.asset();
  if (intent.has_destination()) j["destination"] = intent.destination();
  const std::string& nonce = intent.request_nonce();
  j["request_nonce"] = passkey::base64url_encode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(nonce.data()), nonce.size()));
  j["created_at_unix"] = intent.created_at_unix();
  j["expires_at_unix"] = intent.expires_at_unix();
  j["initiator"] = intent.initiator();
  return j.dump(2);  // validated text is ASCII: dump cannot throw
}

}  // namespace custos::protocol
