#include "crypto/passkey/attestation/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

namespace custos::passkey {
namespace {

struct Asn1ObjectDeleter {
  void operator()(ASN1_OBJECT* o) const { ASN1_OBJECT_free(o); }
};
struct BasicConstraintsDeleter {
  void operator()(BASIC_CONSTRAINTS* b) const { BASIC_CONSTRAINTS_free(b); }
};
struct OctetStringDeleter {
  void operator()(ASN1_OCTET_STRING* s) const { ASN1_OCTET_STRING_free(s); }
};

}  // namespace

Verdict<std::vector<X509Ptr>> parse_x5c(const std::vector<std::vector<uint8_t>>& x5c) {
  std::vector<X509Ptr> out;
  for (size_t i = 0; i < x5c.size(); ++i) {
    PASSKEY_ASSIGN_OR_REJECT(X509Ptr cert, parse_certificate_der(x5c[i], "x5c[" + std::to_string(i) + "]"));
    out.push_back(std::move(cert));
  }
  return out;
}

Verdict<std::optional<ExtensionValue>> find_extension(X509* cert, const char* oid, const std::string& what) {
  std::unique_ptr<ASN1_OBJECT, Asn1ObjectDeleter> object(OBJ_txt2obj(oid, 1));
  if (!object) return reject(Reason::kAttestationCertificateInvalid, std::string("bad OID ") + oid);
  const int index = X509_get_ext_by_OBJ(cert, object.get(), -1);
  if (index < 0) return std::optional<ExtensionValue>{};
  if (X509_get_ext_by_OBJ(cert, object.get(), index) >= 0) {
    return reject(Reason::kAttestationCertificateInvalid, what + " has extension " + oid + " twice");
  }
  X509_EXTENSION* ext = X509_get_ext(cert, index);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  ExtensionValue value;
  value.critical = X509_EXTENSION_get_critical(ext) != 0;
  const unsigned char* bytes = ASN1_STRING_get0_data(data);
  const int length = ASN1_STRING_length(data);
  if (bytes != nullptr && length > 0) value.der.assign(bytes, bytes + length);
  return std::optional<ExtensionValue>(std::move(value));
}

std::optional<Rejection> check_version_3(X509* cert, const std::string& what) {
  if (X509_get_version(cert) != X509_VERSION_3) {
    return reject(Reason::kAttestationCertificateInvalid, what + " is not an X.509 version 3 certificate");
  }
  return std::nullopt;
}

std::optional<Rejection> check_not_ca(X509* cert, const std::string& what) {
  int critical = 0;
  std::unique_ptr<BASIC_CONSTRAINTS, BasicConstraintsDeleter> bc(
      static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert, NID_basic_constraints, &critical, nullptr)));
  if (!bc) {
    ERR_clear_error();
    if (critical == -2) return reject(Reason::kAttestationCertificateInvalid, what + " has basicConstraints twice");
    if (critical == -1) return std::nullopt;  // absent: cA defaults to FALSE
    return reject(Reason::kAttestationCertificateInvalid, what + " has an unreadable basicConstraints extension");
  }
  if (bc->ca != 0) {
    return reject(Reason::kAttestationCertificateInvalid, what + " is a CA certificate (basicConstraints cA = TRUE)");
  }
  return std::nullopt;
}

std::optional<Rejection> check_aaguid_extension(X509* cert, const std::array<uint8_t, 16>& aaguid,
                                                const std::string& what) {
  static const char* const kOid = "1.3.6.1.4.1.45724.1.1.4";
  auto found = find_extension(cert, kOid, what);
  if (!found.ok()) return found.rejection();
  if (!found.value().has_value()) return std::nullopt;
  const ExtensionValue& ext = *found.value();
  if (ext.critical) {
    return reject(Reason::kAttestationCertificateInvalid,
                  what + ": extension " + kOid + " (id-fido-gen-ce-aaguid) must not be critical");
  }
  const unsigned char* p = ext.der.data();
  const unsigned char* const start = p;
  std::unique_ptr<ASN1_OCTET_STRING, OctetStringDeleter> inner(
      d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(ext.der.size())));
  ERR_clear_error();
  if (!inner || static_cast<size_t>(p - start) != ext.der.size()) {
    return reject(Reason::kAttestationCertificateInvalid,
                  what + ": extension " + kOid + " (id-fido-gen-ce-aaguid) is not a DER OCTET STRING");
  }
  const int length = ASN1_STRING_length(inner.get());
  const unsigned char* data = ASN1_STRING_get0_data(inner.get());
  if (length != 16 || !std::equal(aaguid.begin(), aaguid.end(), data)) {
    return reject(Reason::kAttestationCertificateInvalid,
                  what + ": extension " + kOid +
                      " (id-fido-gen-ce-aaguid) does not match the AAGUID in the authenticator data");
  }
  return std::nullopt;
}

bool same_public_key(EVP_PKEY* a, EVP_PKEY* b) {
  if (a == nullptr || b == nullptr) return false;
  const int eq = EVP_PKEY_eq(a, b);
  ERR_clear_error();
  return eq == 1;
}

namespace {

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

std::optional<std::vector<uint8_t>> bn_param(EVP_PKEY* key, const char* name, size_t width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1 || raw == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::unique_ptr<BIGNUM, BnDeleter> bn(raw);
  const size_t size = width != 0 ? width : static_cast<size_t>(BN_num_bytes(bn.get()));
  std::vector<uint8_t> out(size);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(size)) < 0) return std::nullopt;
  return out;
}

}  // namespace

std::optional<EcPublicPoint> ec_public_point(EVP_PKEY* key, size_t coordinate_bytes) {
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return std::nullopt;
  char group[64] = {0};
  size_t group_length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &group_length) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  auto x = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, coordinate_bytes);
  auto y = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, coordinate_bytes);
  if (!x || !y) return std::nullopt;
  return EcPublicPoint{std::string(group, group_length), std::move(*x), std::move(*y)};
}

std::optional<RsaPublicKey> rsa_public_key(EVP_PKEY* key) {
  if (key == nullptr || (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA_PSS)) {
    return std::nullopt;
  }
  auto n = bn_param(key, OSSL_PKEY_PARAM_RSA_N, 0);
  auto e = bn_param(key, OSSL_PKEY_PARAM_RSA_E, 0);
  if (!n || !e) return std::nullopt;
  return RsaPublicKey{std::move(*n), std::move(*e)};
}

std::optional<DerElement> read_der(std::span<const uint8_t>& cursor) {
  if (cursor.empty()) return std::nullopt;
  const unsigned char* p = cursor.data();
  long length = 0;
  int tag = 0;
  int tag_class = 0;
  const int flags = ASN1_get_object(&p, &length, &tag, &tag_class, static_cast<long>(cursor.size()));
  ERR_clear_error();
  if ((flags & 0x80) != 0) return std::nullopt;  // error, or the content runs past the input
  if ((flags & 0x01) != 0) return std::nullopt;  // indefinite length: not DER
  const size_t header = static_cast<size_t>(p - cursor.data());  // offset reported by OpenSSL
  if (length < 0 || header > cursor.size() || static_cast<size_t>(length) > cursor.size() - header) {
    return std::nullopt;
  }
  DerElement element;
  element.tag = tag;
  element.tag_class = tag_class;
  element.constructed = (flags & V_ASN1_CONSTRUCTED) != 0;
  element.content = cursor.subspan(header, static_cast<size_t>(length));
  element.whole = cursor.subspan(0, header + static_cast<size_t>(length));
  cursor = cursor.subspan(header + static_cast<size_t>(length));
  return element;
}

std::optional<int64_t> der_small_integer(const DerElement& element) {
  if (element.constructed || element.content.empty() || element.content.size() > 8) return std::nullopt;
  if ((element.content[0] & 0x80) != 0) return std::nullopt;  // negative
  int64_t value = 0;
  for (uint8_t byte : element.content) value = (value << 8) | byte;
  return value;
}

}  // namespace custos::passkey
