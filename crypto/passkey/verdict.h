// Outcome of a WebAuthn check: a value, or a Rejection carrying a stable reason
// code and a message a human understands ("origin https://evil.example is not
// allowed"). Never a bare false: operators read these to learn why an approval
// was refused (custos-passkey prints them verbatim).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "crypto/status.h"

namespace custos::passkey {

// Stable codes; reason_code() gives the snake_case name printed by the CLI and
// logged by the node. Add new codes at the end of a group, never renumber.
enum class Reason {
  // Response envelope (the browser's PublicKeyCredential JSON)
  kMalformedResponse,         // missing/ill-typed field, bad base64url
  kCredentialIdMismatch,      // id / rawId disagree, or not the stored credential
  // clientDataJSON
  kClientDataMalformed,       // not JSON, not an object, field of wrong type, too large
  kWrongType,                 // type is not webauthn.get / webauthn.create
  kChallengeMismatch,
  kOriginNotAllowed,
  kCrossOriginNotAllowed,
  kTopOriginNotAllowed,
  // authenticatorData
  kAuthenticatorDataMalformed,  // truncated, trailing bytes, bad flags/extension layout
  kRpIdHashMismatch,
  kUserNotPresent,
  kUserNotVerified,
  kBackupStateInvalid,        // BS set without BE, or BE differs from the stored record
  kSignCountRollback,         // clone signal
  kUserHandleMismatch,
  // keys and signatures
  kCoseKeyInvalid,            // malformed COSE key, kty/crv/alg disagree, point not on curve
  kAlgorithmNotAllowed,
  kSignatureMalformed,        // non-DER ES256, wrong length EdDSA/RS256
  kSignatureInvalid,
  // registration / attestation
  kAttestationObjectMalformed,  // CBOR errors, trailing bytes, limits exceeded
  kAttestedCredentialMissing,
  kAttestationFormatUnsupported,
  kAttestationStatementInvalid, // attStmt fields wrong or its signature does not verify
  kAttestationCertificateInvalid, // leaf requirements (OIDs, AAGUID extension, key usage ...)
  kAttestationChainInvalid,     // chain does not reach a configured root at the verification time
  kAttestationTrustRootMissing, // format requires roots and none are configured
  kAttestationInsecureCryptography, // SHA-1 or an RSA key under 2048 bits in the attestation statement
};

// snake_case name of a reason, e.g. "origin_not_allowed".
const char* reason_code(Reason reason);

struct Rejection {
  Reason reason;
  std::string message;

  // "reject: <code>: <message>" as printed by custos-passkey.
  std::string to_string() const;
  // The same rejection as a custos::Status (code kVerifyFailed or kMalformed)
  // for callers that only speak Status; the message keeps the reason code.
  Status to_status() const;
};

inline Rejection reject(Reason reason, std::string message) { return Rejection{reason, std::move(message)}; }

// A checked value or the first rejection met. Checks run in the order of the
// WebAuthn Level 3 verification procedure, so the first failure is the one the
// specification would report.
template <typename T>
class [[nodiscard]] Verdict {
 public:
  Verdict(T value) : value_(std::move(value)) {}                 // NOLINT: implicit by design
  Verdict(Rejection rejection) : rejection_(std::move(rejection)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const T& value() const& { check(); return *value_; }
  T& value() & { check(); return *value_; }
  T&& value() && { check(); return std::move(*value_); }
  const T* operator->() const { return &value(); }
  const T& operator*() const& { return value(); }
  // Only meaningful when !ok().
  const Rejection& rejection() const { return *rejection_; }

 private:
  void check() const {
    if (!ok()) std::abort();
  }
  std::optional<T> value_;
  std::optional<Rejection> rejection_;
};

}  // namespace custos::passkey

// Propagates a rejection from a Verdict<U> or a bare std::optional<Rejection>.
#define PASSKEY_ASSIGN_OR_REJECT(lhs, expr)                                      \
  auto CUSTOS_CONCAT(passkey_verdict_, __LINE__) = (expr);                       \
  if (!CUSTOS_CONCAT(passkey_verdict_, __LINE__).ok())                           \
    return CUSTOS_CONCAT(passkey_verdict_, __LINE__).rejection();                \
  lhs = std::move(CUSTOS_CONCAT(passkey_verdict_, __LINE__)).value()
