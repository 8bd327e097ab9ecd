#include "crypto/passkey/attestation_object.h"

#include <cbor.h>

#include <optional>

#include "crypto/passkey/cbor_strict.h"

namespace custos::passkey {
namespace {

Rejection malformed(std::string message) {
  return reject(Reason::kAttestationObjectMalformed, "attestationObject: " + std::move(message));
}

const char* type_name(const cbor_item_t* item) {
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT: return "unsigned integer";
    case CBOR_TYPE_NEGINT: return "negative integer";
    case CBOR_TYPE_BYTESTRING: return "byte string";
    case CBOR_TYPE_STRING: return "text string";
    case CBOR_TYPE_ARRAY: return "array";
    case CBOR_TYPE_MAP: return "map";
    case CBOR_TYPE_TAG: return "tag";
    case CBOR_TYPE_FLOAT_CTRL: return "simple value or float";
  }
  return "unknown";
}

std::vector<uint8_t> bytes_of(const cbor_item_t* item) {
  const size_t n = cbor_bytestring_length(item);
  const unsigned char* data = cbor_bytestring_handle(item);
  return n == 0 ? std::vector<uint8_t>{} : std::vector<uint8_t>(data, data + n);
}

std::string text_of(const cbor_item_t* item) {
  const size_t n = cbor_string_length(item);
  const unsigned char* data = cbor_string_handle(item);
  return n == 0 ? std::string{} : std::string(reinterpret_cast<const char*>(data), n);
}

// One attStmt value reduced to the StatementValue shapes.
Verdict<StatementValue> convert_value(const std::string& key, const cbor_item_t* value) {
  switch (cbor_typeof(value)) {
    case CBOR_TYPE_UINT: {
      const uint64_t v = cbor_get_int(value);
      if (v > static_cast<uint64_t>(INT64_MAX)) return malformed("attStmt." + key + " does not fit in 64 bits");
      return StatementValue(static_cast<int64_t>(v));
    }
    case CBOR_TYPE_NEGINT: {
      const uint64_t v = cbor_get_int(value);  // the value is -1 - v
      if (v > static_cast<uint64_t>(INT64_MAX)) return malformed("attStmt." + key + " does not fit in 64 bits");
      return StatementValue(static_cast<int64_t>(-1) - static_cast<int64_t>(v));
    }
    case CBOR_TYPE_BYTESTRING:
      return StatementValue(bytes_of(value));
    case CBOR_TYPE_STRING:
      return StatementValue(text_of(value));
    case CBOR_TYPE_ARRAY: {
      const size_t n = cbor_array_size(value);
      std::vector<std::vector<uint8_t>> elements;
      for (size_t i = 0; i < n; ++i) {
        CborItemPtr element(cbor_array_get(value, i));
        if (!element || !cbor_isa_bytestring(element.get())) return StatementValue(StatementOther{"array"});
        elements.push_back(bytes_of(element.get()));
      }
      return StatementValue(std::move(elements));
    }
    default:
      return StatementValue(StatementOther{type_name(value)});
  }
}

// §8 formats carry their certificate path in "x5c"; bound it before anyone parses certificates.
std::optional<Rejection> check_x5c(const StatementValue& value) {
  const auto* certs = std::get_if<std::vector<std::vector<uint8_t>>>(&value);
  if (certs == nullptr) return malformed("attStmt.x5c must be an array of byte strings");
  if (certs->empty()) return malformed("attStmt.x5c is empty");
  if (certs->size() > kMaxX5cCertificates) {
    return malformed("attStmt.x5c has " + std::to_string(certs->size()) + " certificates, more than " +
                     std::to_string(kMaxX5cCertificates));
  }
  for (size_t i = 0; i < certs->size(); ++i) {
    if ((*certs)[i].size() > kMaxCertificateBytes) {
      return malformed("attStmt.x5c[" + std::to_string(i) + "] is " + std::to_string((*certs)[i].size()) +
                       " bytes, more than " + std::to_string(kMaxCertificateBytes));
    }
    if ((*certs)[i].empty()) return malformed("attStmt.x5c[" + std::to_string(i) + "] is empty");
  }
  return std::nullopt;
}

Verdict<AttestationStatement> convert_statement(const cbor_item_t* map) {
  std::map<std::string, StatementValue> fields;
  const size_t n = cbor_map_size(map);
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < n; ++i) {
    if (!cbor_isa_string(pairs[i].key)) {
      return malformed(std::string("attStmt has a ") + type_name(pairs[i].key) + " key; only text keys are defined");
    }
    const std::string key = text_of(pairs[i].key);
    PASSKEY_ASSIGN_OR_REJECT(StatementValue value, convert_value(key, pairs[i].value));
    if (key == "x5c") {
      if (auto r = check_x5c(value)) return *r;
    }
    fields.emplace(key, std::move(value));
  }
  return AttestationStatement(std::move(fields));
}

Rejection wrong_type(const std::string& key, const char* expected) {
  return reject(Reason::kAttestationStatementInvalid, "attStmt." + key + " must be " + expected);
}

Rejection missing(const std::string& key) {
  return reject(Reason::kAttestationStatementInvalid, "attStmt." + key + " is missing");
}

}  // namespace

Verdict<int64_t> AttestationStatement::integer(const std::string& key) const {
  auto it = fields_.find(key);
  if (it == fields_.end()) return missing(key);
  if (const auto* v = std::get_if<int64_t>(&it->second)) return *v;
  return wrong_type(key, "an integer");
}

Verdict<std::vector<uint8_t>> AttestationStatement::bytes(const std::string& key) const {
  auto it = fields_.find(key);
  if (it == fields_.end()) return missing(key);
  if (const auto* v = std::get_if<std::vector<uint8_t>>(&it->second)) return *v;
  return wrong_type(key, "a byte string");
}

Verdict<std::string> AttestationStatement::text(const std::string& key) const {
  auto it = fields_.find(key);
  if (it == fields_.end()) return missing(key);
  if (const auto* v = std::get_if<std::string>(&it->second)) return *v;
  return wrong_type(key, "a text string");
}

Verdict<std::vector<std::vector<uint8_t>>> AttestationStatement::byte_strings(const std::string& key) const {
  auto it = fields_.find(key);
  if (it == fields_.end()) return missing(key);
  if (const auto* v = std::get_if<std::vector<std::vector<uint8_t>>>(&it->second)) {
    if (v->empty()) return wrong_type(key, "a non-empty array of byte strings");
    return *v;
  }
  return wrong_type(key, "an array of byte strings");
}

Verdict<AttestationObject> parse_attestation_object(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return malformed("empty input");
  if (bytes.size() > kMaxAttestationObjectBytes) {
    return malformed(std::to_string(bytes.size()) + " bytes, more than the " +
                     std::to_string(kMaxAttestationObjectBytes) + "-byte limit");
  }
  // Strict decode (cbor_strict.h): definite lengths only, no tags, no duplicate keys at any depth,
  // bounded depth and size, and no trailing bytes.
  std::string error;
  CborItemPtr root = decode_cbor_strict(bytes, CborLimits{kMaxAttestationObjectBytes, kMaxCborDepth}, nullptr, &error);
  if (!root) return malformed(error);
  if (!cbor_isa_map(root.get())) return malformed(std::string("top level is a ") + type_name(root.get()) + ", not a map");

  const size_t n = cbor_map_size(root.get());
  const cbor_pair* pairs = cbor_map_handle(root.get());
  const cbor_item_t* fmt = nullptr;
  const cbor_item_t* att_stmt = nullptr;
  const cbor_item_t* auth_data = nullptr;
  for (size_t i = 0; i < n; ++i) {
    if (!cbor_isa_string(pairs[i].key)) {
      return malformed(std::string("the map has a ") + type_name(pairs[i].key) + " key; only fmt, attStmt, authData are allowed");
    }
    const std::string key = text_of(pairs[i].key);
    if (key == "fmt") {
      fmt = pairs[i].value;
    } else if (key == "attStmt") {
      att_stmt = pairs[i].value;
    } else if (key == "authData") {
      auth_data = pairs[i].value;
    } else {
      return malformed("unexpected key \"" + key + "\"; only fmt, attStmt, authData are allowed");
    }
  }
  if (fmt == nullptr) return malformed("fmt is missing");
  if (att_stmt == nullptr) return malformed("attStmt is missing");
  if (auth_data == nullptr) return malformed("authData is missing");
  if (!cbor_isa_string(fmt)) return malformed(std::string("fmt is a ") + type_name(fmt) + ", not a text string");
  if (!cbor_isa_map(att_stmt)) return malformed(std::string("attStmt is a ") + type_name(att_stmt) + ", not a map");
  if (!cbor_isa_bytestring(auth_data)) {
    return malformed(std::string("authData is a ") + type_name(auth_data) + ", not a byte string");
  }

  AttestationObject out;
  out.fmt = text_of(fmt);
  if (out.fmt.empty() || out.fmt.size() > kMaxFmtLength) {
    return malformed("fmt must be 1.." + std::to_string(kMaxFmtLength) + " characters");
  }
  for (char c : out.fmt) {
    // Registered identifiers are printable US-ASCII (WebAuthn §8.1, RFC 8809).
    if (c < 0x21 || c > 0x7e) return malformed("fmt contains a character outside printable US-ASCII");
  }
  PASSKEY_ASSIGN_OR_REJECT(out.statement, convert_statement(att_stmt));
  out.auth_data = bytes_of(auth_data);
  return out;
}

}  // namespace custos::passkey
