// Certificate paths of attestation statements (WebAuthn Level 3 §7.1 steps 22-23): OpenSSL X509_STORE
// verification with the verification time pinned (X509_VERIFY_PARAM_set_time), never the wall clock.
// Trust roots come from a directory of PEM files or from memory; every configured certificate is an
// anchor (X509_V_FLAG_PARTIAL_CHAIN), so a vendor intermediate may be pinned as well as a root.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/x509.h>

#include "crypto/passkey/verdict.h"
#include "crypto/status.h"

namespace custos::passkey {

struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::shared_ptr<X509>;  // shared: certificates are immutable once parsed

// Parses one DER certificate occupying exactly `der` (no trailing bytes).
Verdict<X509Ptr> parse_certificate_der(std::span<const uint8_t> der, const std::string& what);

// The certificates an operator trusts as anchors for one attestation format.
class TrustRoots {
 public:
  // Every certificate in a PEM text (one or more "BEGIN CERTIFICATE" blocks).
  static Result<TrustRoots> from_pem(std::string_view pem);
  // Every *.pem / *.crt file of a directory (not recursive).
  static Result<TrustRoots> from_directory(const std::string& directory);

  void add(X509Ptr cert) { certs_.push_back(std::move(cert)); }
  bool empty() const { return certs_.empty(); }
  size_t size() const { return certs_.size(); }
  const std::vector<X509Ptr>& certs() const { return certs_; }

 private:
  static Result<TrustRoots> load_directory(const std::string& directory);
  std::vector<X509Ptr> certs_;
};

// Roots per attestation format ("packed", "tpm", "android-key", "apple", "fido-u2f").
using TrustRootsByFormat = std::map<std::string, TrustRoots>;

// Loads DIR/<fmt>/*.pem for each format subdirectory present, and DIR/*.pem as roots for every format.
Result<TrustRootsByFormat> load_trust_roots_directory(const std::string& directory);

struct ChainVerification {
  bool anchored = false;  // true: the path ends in a configured root
};

// Verifies the x5c path (leaf first) at `at_unix_seconds`.
// - roots non-empty: the path must chain to one of them (kAttestationChainInvalid otherwise).
// - roots empty and require_anchor: kAttestationTrustRootMissing.
// - roots empty otherwise: everything except the anchor is verified: each certificate is signed by the
//   next one, every certificate is valid at the pinned time, intermediates are CAs. The last certificate
//   of x5c stands in as the anchor, so `anchored` is false and the caller must say so.
Verdict<ChainVerification> verify_certificate_chain(const std::vector<X509Ptr>& x5c, const TrustRoots* roots,
                                                   int64_t at_unix_seconds, bool require_anchor);

}  // namespace custos::passkey
