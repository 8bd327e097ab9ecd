#include "sim/soft_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>

namespace custos::sim {
namespace {

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Free<BIGNUM, BN_clear_free>>;
using P8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Free<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;

passkey::EvpPkeyPtr wrap(EVP_PKEY* k) { return passkey::EvpPkeyPtr(k, passkey::EvpPkeyDeleter{}); }

}  // namespace

Result<passkey::EvpPkeyPtr> p256_key_from_scalar(std::span<const uint8_t> d_bytes) {
  if (d_bytes.size() != 32) return out_of_range("P-256 private key is not 32 bytes");
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), EC_GROUP_free);
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> bn_ctx(BN_CTX_new(), BN_CTX_free);
  BnPtr d(BN_bin2bn(d_bytes.data(), 32, nullptr));
  if (!group || !bn_ctx || !d) return internal_error("P-256 key: out of memory");
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
    return out_of_range("P-256 private key is not in [1, n-1]");
  // EVP_PKEY_fromdata does not derive the public point, so compute it here.
  std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> pub(EC_POINT_new(group.get()), EC_POINT_free);
  uint8_t point[65];
  if (!pub || EC_POINT_mul(group.get(), pub.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
      EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, point, sizeof(point), bn_ctx.get()) != 65)
    return internal_error("P-256 key: cannot compute the public point");
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)) != 1)
    return internal_error("P-256 key: cannot build parameters");
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr),
                                                                  EVP_PKEY_CTX_free);
  EVP_PKEY* k = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &k, EVP_PKEY_KEYPAIR, params.get()) != 1)
    return internal_error("P-256 key: OpenSSL refused the key");
  return wrap(k);
}

Result<passkey::EvpPkeyPtr> ed25519_key_from_seed(std::span<const uint8_t> seed) {
  if (seed.size() != 32) return out_of_range("Ed25519 private key is not 32 bytes");
  EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
  if (k == nullptr) return internal_error("Ed25519 key: OpenSSL refused the key");
  return wrap(k);
}

Result<SecretBytes> private_key_pkcs8(EVP_PKEY* key) {
  P8Ptr p8(EVP_PKEY2PKCS8(key));
  if (!p8) return internal_error("cannot encode the private key as PKCS#8");
  unsigned char* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &der);
  if (len <= 0) return internal_error("cannot encode the private key as PKCS#8");
  SecretBytes out(std::span<const uint8_t>(der, static_cast<size_t>(len)));
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

Result<SecretBytes> private_key_secret_from_pkcs8(std::span<const uint8_t> der, SoftKeyType type) {
  const unsigned char* p = der.data();
  P8Ptr p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!p8) return malformed("not a PKCS#8 PrivateKeyInfo (DER)");
  if (p != der.data() + der.size()) return malformed("trailing bytes after the PKCS#8 PrivateKeyInfo");
  passkey::EvpPkeyPtr key = wrap(EVP_PKCS82PKEY(p8.get()));
  if (!key) return malformed("PKCS#8 holds no usable private key");
  SecretBytes secret(32);
  if (type == SoftKeyType::kES256) {
    char group[64] = {};
    size_t group_len = 0;
    if (!EVP_PKEY_is_a(key.get(), "EC") ||
        EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &group_len) != 1 ||
        std::strcmp(group, "prime256v1") != 0)
      return malformed("PKCS#8 does not hold a P-256 key (key_type is es256)");
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) return malformed("PKCS#8 P-256 key has no private scalar");
    BnPtr d(raw);
    if (BN_num_bytes(d.get()) > 32 || BN_bn2binpad(d.get(), secret.expose_mut().data(), 32) != 32)
      return malformed("PKCS#8 P-256 private scalar is longer than 32 bytes");
  } else {
    size_t len = 32;
    if (!EVP_PKEY_is_a(key.get(), "ED25519") ||
        EVP_PKEY_get_raw_private_key(key.get(), secret.expose_mut().data(), &len) != 1 || len != 32)
      return malformed("PKCS#8 does not hold an Ed25519 key (key_type is eddsa)");
  }
  return secret;
}

Result<passkey::EvpPkeyPtr> key_from_secret(std::span<const uint8_t> secret, SoftKeyType type) {
  return type == SoftKeyType::kES256 ? p256_key_from_scalar(secret) : ed25519_key_from_seed(secret);
}

}  // namespace custos::sim
