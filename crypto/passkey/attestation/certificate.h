// X.509 helpers shared by the attestation formats (WebAuthn Level 3 §8.2.1, §8.3.1, §8.4, §8.8):
// certificate paths from x5c, extension lookup by OID, the id-fido-gen-ce-aaguid check, and a DER TLV
// cursor built on OpenSSL's ASN1_get_object for the few extensions OpenSSL has no type for.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "crypto/passkey/attestation/cert_chain.h"
#include "crypto/passkey/verdict.h"

namespace custos::passkey {

// Parses every x5c entry (leaf first); names the failing index.
Verdict<std::vector<X509Ptr>> parse_x5c(const std::vector<std::vector<uint8_t>>& x5c);

struct ExtensionValue {
  std::vector<uint8_t> der;  // contents of the extnValue OCTET STRING
  bool critical = false;
};

// The extension with dotted OID `oid`, if present exactly once. Present twice is an error.
Verdict<std::optional<ExtensionValue>> find_extension(X509* cert, const char* oid, const std::string& what);

std::optional<Rejection> check_version_3(X509* cert, const std::string& what);
// basicConstraints absent, or present with cA = FALSE.
std::optional<Rejection> check_not_ca(X509* cert, const std::string& what);
// id-fido-gen-ce-aaguid (1.3.6.1.4.1.45724.1.1.4): if present it must be non-critical and hold an OCTET
// STRING equal to the authenticator data's AAGUID.
std::optional<Rejection> check_aaguid_extension(X509* cert, const std::array<uint8_t, 16>& aaguid,
                                                const std::string& what);

// True when both keys are the same public key (OpenSSL EVP_PKEY_eq).
bool same_public_key(EVP_PKEY* a, EVP_PKEY* b);

// Public key components, fixed-width big-endian (EC coordinates) or minimal big-endian (RSA n, e).
struct EcPublicPoint {
  std::string group;  // OpenSSL group name, e.g. "prime256v1"
  std::vector<uint8_t> x, y;
};
std::optional<EcPublicPoint> ec_public_point(EVP_PKEY* key, size_t coordinate_bytes);
struct RsaPublicKey {
  std::vector<uint8_t> n, e;
};
std::optional<RsaPublicKey> rsa_public_key(EVP_PKEY* key);

// One DER element read by ASN1_get_object. tag_class is V_ASN1_UNIVERSAL, V_ASN1_CONTEXT_SPECIFIC, ...
struct DerElement {
  int tag = 0;
  int tag_class = 0;
  bool constructed = false;
  std::span<const uint8_t> content;
  std::span<const uint8_t> whole;  // header and content, for d2i_* of the element
};

// Reads the element at the front of `cursor` and advances it past the element. nullopt when the bytes
// are not a definite-length DER element inside `cursor`.
std::optional<DerElement> read_der(std::span<const uint8_t>& cursor);

// A small non-negative INTEGER or ENUMERATED element (content ≤ 8 bytes), or nullopt.
std::optional<int64_t> der_small_integer(const DerElement& element);

}  // namespace custos::passkey
