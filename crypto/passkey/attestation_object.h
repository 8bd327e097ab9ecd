// attestationObject (WebAuthn Level 3 §6.5, §7.1 step 12): a CBOR map
//   { "fmt": text, "attStmt": map, "authData": bytes }
// decoded once, strictly, with libcbor through decode_cbor_strict (cbor_strict.h): definite lengths only,
// no tags, exactly those three text keys, no duplicate keys at any depth, nesting depth ≤ 8, total size
// ≤ 256 KiB, no trailing bytes. The attestation statement
// is converted into plain C++ values here so the format verifiers never touch CBOR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "crypto/passkey/verdict.h"

namespace custos::passkey {

inline constexpr size_t kMaxAttestationObjectBytes = 256 * 1024;
inline constexpr size_t kMaxCborDepth = 8;            // the outer map is depth 1
inline constexpr size_t kMaxX5cCertificates = 8;
inline constexpr size_t kMaxCertificateBytes = 8 * 1024;
inline constexpr size_t kMaxFmtLength = 32;

// A value of the attestation statement map, reduced to the shapes the formats of §8 use. Anything else
// (nested maps, floats, tags, arrays that are not all byte strings, ...) is kept only as a type name so a
// format that expects a field can say what it found instead.
struct StatementOther {
  std::string type_name;  // e.g. "map", "array", "float"
};
using StatementValue =
    std::variant<int64_t, std::vector<uint8_t>, std::string, std::vector<std::vector<uint8_t>>, StatementOther>;

// attStmt: text keys (every registered format uses text keys; anything else is rejected at decode).
class AttestationStatement {
 public:
  AttestationStatement() = default;
  explicit AttestationStatement(std::map<std::string, StatementValue> fields) : fields_(std::move(fields)) {}

  bool empty() const { return fields_.empty(); }
  bool has(const std::string& key) const { return fields_.count(key) != 0; }
  const std::map<std::string, StatementValue>& fields() const { return fields_; }

  // Typed access. Each returns kAttestationStatementInvalid naming the key when it is missing or has
  // another type.
  Verdict<int64_t> integer(const std::string& key) const;
  Verdict<std::vector<uint8_t>> bytes(const std::string& key) const;
  Verdict<std::string> text(const std::string& key) const;
  // x5c-style arrays: a non-empty array of byte strings.
  Verdict<std::vector<std::vector<uint8_t>>> byte_strings(const std::string& key) const;

 private:
  std::map<std::string, StatementValue> fields_;
};

struct AttestationObject {
  std::string fmt;
  AttestationStatement statement;
  std::vector<uint8_t> auth_data;  // raw authenticatorData bytes (parsed by parse_authenticator_data)
};

// Decodes `bytes`, which must be exactly one attestationObject. Every failure is
// kAttestationObjectMalformed with a message naming the offending part. The "x5c" member of attStmt,
// when present, must be an array of 1..8 byte strings of at most 8 KiB each.
Verdict<AttestationObject> parse_attestation_object(std::span<const uint8_t> bytes);

}  // namespace custos::passkey
