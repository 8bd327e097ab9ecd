#include "crypto/ecdsa.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "crypto/bigint.h"

namespace custos {

std::array<uint8_t, 64> EcdsaSignature::compact() const {
  std::array<uint8_t, 64> out{};
  auto rb = r.to_bytes();
  auto sb = s.to_bytes();
  std::copy(rb.begin(), rb.end(), out.begin());
  std::copy(sb.begin(), sb.end(), out.begin() + 32);
  return out;
}

std::vector<uint8_t> EcdsaSignature::der() const {
  secp256k1_ecdsa_signature sig;
  auto c = compact();
  if (!secp256k1_ecdsa_signature_parse_compact(secp_context(), &sig, c.data())) return {};
  std::vector<uint8_t> out(72);
  size_t len = out.size();
  secp256k1_ecdsa_signature_serialize_der(secp_context(), out.data(), &len, &sig);
  out.resize(len);
  return out;
}

void normalize_low_s(EcdsaSignature& sig) {
  if (sig.s.is_high()) {
    sig.s = -sig.s;
    sig.recovery_id ^= 1;
  }
}

namespace {
bool verify_parsed(const Point& pk, std::span<const uint8_t> digest32, secp256k1_ecdsa_signature& sig,
                   bool allow_high_s) {
  if (pk.is_identity() || digest32.size() != 32) return false;
  if (allow_high_s) secp256k1_ecdsa_signature_normalize(secp_context(), &sig, &sig);
  return secp256k1_ecdsa_verify(secp_context(), &sig, digest32.data(), pk.raw()) == 1;
}
}  // namespace

bool ecdsa_verify(const Point& pk, std::span<const uint8_t> digest32, const EcdsaSignature& sig, bool allow_high_s) {
  if (sig.r.is_zero() || sig.s.is_zero()) return false;
  secp256k1_ecdsa_signature parsed;
  auto c = sig.compact();
  if (!secp256k1_ecdsa_signature_parse_compact(secp_context(), &parsed, c.data())) return false;
  return verify_parsed(pk, digest32, parsed, allow_high_s);
}

bool ecdsa_verify_der(const Point& pk, std::span<const uint8_t> digest32, std::span<const uint8_t> der,
                      bool allow_high_s) {
  // An empty span may have a null data(), which libsecp256k1's ARG_CHECK turns into an abort.
  if (der.empty()) return false;
  secp256k1_ecdsa_signature parsed;
  if (!secp256k1_ecdsa_signature_parse_der(secp_context(), &parsed, der.data(), der.size())) return false;
  // parse_der accepts only strict DER; re-serialising must give the same bytes (rejects e.g. padding tricks).
  std::vector<uint8_t> again(72);
  size_t len = again.size();
  secp256k1_ecdsa_signature_serialize_der(secp_context(), again.data(), &len, &parsed);
  again.resize(len);
  if (!std::equal(again.begin(), again.end(), der.begin(), der.end())) return false;
  return verify_parsed(pk, digest32, parsed, allow_high_s);
}

bool ecdsa_verify_openssl(const Point& pk, std::span<const uint8_t> digest32, const EcdsaSignature& sig) {
  if (pk.is_identity() || digest32.size() != 32) return false;
  auto pub = pk.encode_uncompressed();
  bool ok = false;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* kctx = nullptr;
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* vctx = nullptr;
  ECDSA_SIG* esig = nullptr;
  unsigned char* der = nullptr;
  int der_len = 0;
  do {
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp256k1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()))
      break;
    params = OSSL_PARAM_BLD_to_param(bld);
    kctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    if (!params || !kctx || EVP_PKEY_fromdata_init(kctx) <= 0 ||
        EVP_PKEY_fromdata(kctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
      break;
    esig = ECDSA_SIG_new();
    auto rb = sig.r.to_bytes();
    auto sb = sig.s.to_bytes();
    BIGNUM* r = BN_bin2bn(rb.data(), 32, nullptr);
    BIGNUM* s = BN_bin2bn(sb.data(), 32, nullptr);
    if (!esig || !r || !s || !ECDSA_SIG_set0(esig, r, s)) {
      BN_free(r);
      BN_free(s);
      break;
    }
    der_len = i2d_ECDSA_SIG(esig, &der);
    if (der_len <= 0) break;
    vctx = EVP_PKEY_CTX_new(key, nullptr);
    if (!vctx || EVP_PKEY_verify_init(vctx) <= 0) break;
    ok = EVP_PKEY_verify(vctx, der, der_len, digest32.data(), digest32.size()) == 1;
  } while (false);
  OPENSSL_free(der);
  ECDSA_SIG_free(esig);
  EVP_PKEY_CTX_free(vctx);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(kctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return ok;
}

}  // namespace custos
