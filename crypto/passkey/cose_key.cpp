#include "crypto/passkey/cose_key.h"

#include <map>
#include <mutex>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "crypto/passkey/cbor_strict.h"

namespace custos::passkey {
namespace {

// COSE labels and values (RFC 9052 §7.1, RFC 9053 §7, RFC 8230 §4).
constexpr int64_t kLabelKty = 1, kLabelAlg = 3;
constexpr int64_t kLabelCrv = -1, kLabelX = -2, kLabelY = -3, kLabelD = -4;  // EC2 / OKP
constexpr int64_t kLabelN = -1, kLabelE = -2;                                // RSA
constexpr int64_t kKtyOkp = 1, kKtyEc2 = 2, kKtyRsa = 3;
constexpr int64_t kCrvP256 = 1, kCrvEd25519 = 6;
constexpr int kMinRsaBits = 2048, kMaxRsaBits = 8192;

// Order n of P-256 (SEC 2 §2.4.2): r and s must lie in [1, n-1].
constexpr uint8_t kP256Order[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
                                    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17,
                                    0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

Rejection invalid(std::string message) { return reject(Reason::kCoseKeyInvalid, "COSE key: " + std::move(message)); }

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

EvpPkeyPtr wrap(EVP_PKEY* k) { return EvpPkeyPtr(k, EvpPkeyDeleter{}); }

// Builds a public EVP_PKEY of `type` ("EC", "RSA") from OSSL parameters.
EvpPkeyPtr pkey_from_params(const char* type, OSSL_PARAM* params) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
    return nullptr;
  EvpPkeyPtr out = wrap(pkey);
  // OpenSSL's own public-key validation: point on the curve and not the identity for EC; for RSA,
  // n odd and not trivially small, e odd and > 1. The quick variant skips only the EC order check
  // n·P = O, which is implied for P-256 (cofactor 1) and cost as much as the signature check itself.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) return nullptr;
  return out;
}

// Fetches a definite byte string parameter of exactly `len` bytes (0 = any length).
std::optional<std::vector<uint8_t>> bytes_param(const std::map<int64_t, const cbor_item_t*>& params, int64_t label) {
  auto it = params.find(label);
  if (it == params.end() || !cbor_isa_bytestring(it->second)) return std::nullopt;
  return cbor_bytes(it->second);
}

Verdict<EvpPkeyPtr> ec2_key(const std::map<int64_t, const cbor_item_t*>& params, int64_t alg) {
  int64_t crv = 0;
  auto crv_it = params.find(kLabelCrv);
  if (crv_it == params.end() || !cbor_int_value(crv_it->second, &crv)) return invalid("EC2 key has no integer crv");
  // ES256 is ECDSA over P-256 only (RFC 9053 §2.1): any other curve is a mismatch, not a variant.
  if (crv != kCrvP256)
    return invalid("curve " + std::to_string(crv) + " does not match " + cose_alg_display(alg) + " (needs P-256, crv 1)");
  if (params.count(kLabelD)) return invalid("EC2 key contains a private key (d)");
  auto x = bytes_param(params, kLabelX);
  if (!x) return invalid("EC2 key has no byte-string x");
  auto y_it = params.find(kLabelY);
  if (y_it == params.end()) return invalid("EC2 key has no y coordinate");
  if (cbor_isa_float_ctrl(y_it->second)) return invalid("EC2 key uses point compression (boolean y), not accepted");
  auto y = bytes_param(params, kLabelY);
  if (!y) return invalid("EC2 key y is not a byte string");
  if (x->size() != 32) return invalid("EC2 x is " + std::to_string(x->size()) + " bytes, P-256 needs 32");
  if (y->size() != 32) return invalid("EC2 y is " + std::to_string(y->size()) + " bytes, P-256 needs 32");
  std::vector<uint8_t> point{0x04};
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return invalid("cannot build the EC key");
  std::unique_ptr<OSSL_PARAM, ParamDeleter> ossl_params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyPtr pkey = ossl_params ? pkey_from_params("EC", ossl_params.get()) : nullptr;
  if (!pkey) return invalid("EC2 point is not on the P-256 curve");
  return pkey;
}

Verdict<EvpPkeyPtr> okp_key(const std::map<int64_t, const cbor_item_t*>& params, int64_t alg) {
  int64_t crv = 0;
  auto crv_it = params.find(kLabelCrv);
  if (crv_it == params.end() || !cbor_int_value(crv_it->second, &crv)) return invalid("OKP key has no integer crv");
  if (crv != kCrvEd25519)
    return invalid("curve " + std::to_string(crv) + " does not match " + cose_alg_display(alg) + " (needs Ed25519, crv 6)");
  if (params.count(kLabelD)) return invalid("OKP key contains a private key (d)");
  auto x = bytes_param(params, kLabelX);
  if (!x) return invalid("OKP key has no byte-string x");
  if (x->size() != 32) return invalid("Ed25519 x is " + std::to_string(x->size()) + " bytes, needs 32");
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x->data(), x->size());
  if (pkey == nullptr) return invalid("Ed25519 public key rejected by OpenSSL");
  return wrap(pkey);
}

Verdict<EvpPkeyPtr> rsa_key(const std::map<int64_t, const cbor_item_t*>& params) {
  // RFC 8230 §4: labels -3 .. -12 are private-key parts.
  for (int64_t label = -3; label >= -12; --label)
    if (params.count(label)) return invalid("RSA key contains private-key parameter " + std::to_string(label));
  auto n = bytes_param(params, kLabelN);
  auto e = bytes_param(params, kLabelE);
  if (!n || !e) return invalid("RSA key needs byte-string n and e");
  // RFC 8230 §4: unsigned big-endian "without leading zero octets", which keeps one encoding per key.
  if (n->empty() || (*n)[0] == 0) return invalid("RSA modulus is empty or has a leading zero byte");
  if (e->empty() || (*e)[0] == 0 || e->size() > 8) return invalid("RSA exponent is empty, too long or has a leading zero byte");
  BnPtr bn_n(BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr));
  BnPtr bn_e(BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr));
  if (!bn_n || !bn_e) return invalid("cannot read RSA parameters");
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits) return invalid("RSA modulus is " + std::to_string(bits) + " bits, at least 2048 are required");
  if (bits > kMaxRsaBits) return invalid("RSA modulus is " + std::to_string(bits) + " bits, at most 8192 are accepted");
  if (!BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) return invalid("RSA exponent must be odd and greater than 1");
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
    return invalid("cannot build the RSA key");
  std::unique_ptr<OSSL_PARAM, ParamDeleter> ossl_params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyPtr pkey = ossl_params ? pkey_from_params("RSA", ossl_params.get()) : nullptr;
  if (!pkey) return invalid("RSA public key rejected by OpenSSL");
  return pkey;
}

std::optional<Rejection> verify_es256(EVP_PKEY* pkey, std::span<const uint8_t> message, std::span<const uint8_t> sig) {
  // Strict DER (X.690 §10): decode, require every byte used, re-encode and require identical bytes.
  // That rejects BER length forms, padded or negative integers and trailing garbage, so one
  // signature has one encoding.
  const unsigned char* p = sig.data();
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  if (!parsed) return reject(Reason::kSignatureMalformed, "ES256 signature is not a DER SEQUENCE of two INTEGERs");
  if (p != sig.data() + sig.size())
    return reject(Reason::kSignatureMalformed,
                  "ES256 signature has " + std::to_string(sig.data() + sig.size() - p) + " trailing bytes");
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(parsed.get(), &der);
  const bool same = der_len > 0 && static_cast<size_t>(der_len) == sig.size() && std::equal(sig.begin(), sig.end(), der);
  OPENSSL_free(der);
  if (!same) return reject(Reason::kSignatureMalformed, "ES256 signature is BER, not strict DER");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(parsed.get(), &r, &s);
  BnPtr order(BN_bin2bn(kP256Order, sizeof(kP256Order), nullptr));
  if (!order) return reject(Reason::kSignatureInvalid, "out of memory");
  for (const auto& [name, v] : {std::pair{"r", r}, std::pair{"s", s}}) {
    if (BN_is_negative(v)) return reject(Reason::kSignatureMalformed, std::string("ES256 ") + name + " is negative");
    if (BN_is_zero(v)) return reject(Reason::kSignatureInvalid, std::string("ES256 ") + name + " is zero");
    if (BN_cmp(v, order.get()) >= 0)
      return reject(Reason::kSignatureInvalid, std::string("ES256 ") + name + " is not below the group order");
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey) != 1)
    return reject(Reason::kSignatureInvalid, "cannot initialise ES256 verification");
  if (EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), message.data(), message.size()) != 1)
    return reject(Reason::kSignatureInvalid, "ES256 signature does not verify with the credential public key");
  return std::nullopt;
}

std::optional<Rejection> verify_eddsa(EVP_PKEY* pkey, std::span<const uint8_t> message, std::span<const uint8_t> sig) {
  if (sig.size() != 64)
    return reject(Reason::kSignatureMalformed, "EdDSA signature is " + std::to_string(sig.size()) + " bytes, Ed25519 needs 64");
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey) != 1)
    return reject(Reason::kSignatureInvalid, "cannot initialise Ed25519 verification");
  // OpenSSL rejects S ≥ L (RFC 8032 §5.1.7 step 1), so malleated signatures fail here.
  if (EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), message.data(), message.size()) != 1)
    return reject(Reason::kSignatureInvalid, "EdDSA signature does not verify with the credential public key");
  return std::nullopt;
}

std::optional<Rejection> verify_rs256(EVP_PKEY* pkey, std::span<const uint8_t> message, std::span<const uint8_t> sig) {
  const int modulus_bytes = EVP_PKEY_get_size(pkey);
  if (modulus_bytes <= 0 || sig.size() != static_cast<size_t>(modulus_bytes))
    return reject(Reason::kSignatureMalformed, "RS256 signature is " + std::to_string(sig.size()) +
                                                   " bytes, the modulus is " + std::to_string(modulus_bytes));
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
    return reject(Reason::kSignatureInvalid, "cannot initialise RS256 verification");
  if (EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), message.data(), message.size()) != 1)
    return reject(Reason::kSignatureInvalid, "RS256 signature does not verify with the credential public key");
  return std::nullopt;
}

cbor_pair pair(int64_t label, cbor_item_t* value) { return cbor_pair{cbor_move(cbor_build_int(label)), cbor_move(value)}; }

std::vector<uint8_t> encode_map(std::initializer_list<std::pair<int64_t, cbor_item_t*>> entries) {
  CborItemPtr map(cbor_new_definite_map(entries.size()));
  for (const auto& [label, value] : entries) cbor_map_add(map.get(), pair(label, value));
  return cbor_encode(map.get());
}

cbor_item_t* bstr(std::span<const uint8_t> b) { return cbor_build_bytestring(b.data(), b.size()); }

}  // namespace

std::string cose_alg_display(int64_t alg) {
  switch (alg) {
    case -7: return "ES256";
    case -8: return "EdDSA";
    case -257: return "RS256";
    default: return "COSE algorithm " + std::to_string(alg);
  }
}

Verdict<CoseKey> parse_cose_key_prefix(std::span<const uint8_t> bytes, size_t* consumed) {
  std::string error;
  size_t used = 0;
  CborLimits limits;
  limits.max_bytes = kMaxCoseKeyBytes;
  limits.max_depth = 4;
  CborItemPtr item = decode_cbor_strict(bytes, limits, consumed != nullptr ? &used : nullptr, &error);
  if (!item) return invalid(error);
  if (consumed == nullptr) used = bytes.size();
  if (!cbor_isa_map(item.get())) return invalid("not a CBOR map");

  // Integer labels only carry meaning to us; text labels (private use) are ignored.
  std::map<int64_t, const cbor_item_t*> params;
  const cbor_pair* pairs = cbor_map_handle(item.get());
  for (size_t i = 0; i < cbor_map_size(item.get()); ++i) {
    int64_t label = 0;
    if (cbor_int_value(pairs[i].key, &label)) params[label] = pairs[i].value;
  }
  int64_t kty = 0, alg = 0;
  auto kty_it = params.find(kLabelKty);
  if (kty_it == params.end() || !cbor_int_value(kty_it->second, &kty)) return invalid("no integer kty (label 1)");
  // WebAuthn §5.8.5 requires alg in credential public keys: the key says how it may be used.
  auto alg_it = params.find(kLabelAlg);
  if (alg_it == params.end() || !cbor_int_value(alg_it->second, &alg)) return invalid("no integer alg (label 3)");

  CoseKey key;
  switch (alg) {
    case static_cast<int64_t>(CoseAlg::kES256): {
      if (kty != kKtyEc2) return invalid("kty " + std::to_string(kty) + " does not match ES256 (needs EC2, kty 2)");
      PASSKEY_ASSIGN_OR_REJECT(key.pkey, ec2_key(params, alg));
      break;
    }
    case static_cast<int64_t>(CoseAlg::kEdDSA): {
      if (kty != kKtyOkp) return invalid("kty " + std::to_string(kty) + " does not match EdDSA (needs OKP, kty 1)");
      PASSKEY_ASSIGN_OR_REJECT(key.pkey, okp_key(params, alg));
      break;
    }
    case static_cast<int64_t>(CoseAlg::kRS256): {
      if (kty != kKtyRsa) return invalid("kty " + std::to_string(kty) + " does not match RS256 (needs RSA, kty 3)");
      PASSKEY_ASSIGN_OR_REJECT(key.pkey, rsa_key(params));
      break;
    }
    default:
      return reject(Reason::kAlgorithmNotAllowed,
                    cose_alg_display(alg) + " is not supported (ES256 -7, EdDSA -8 and RS256 -257 are)");
  }
  key.alg = static_cast<CoseAlg>(alg);
  key.cbor.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(used));
  if (consumed != nullptr) *consumed = used;
  return key;
}

// Accepted keys are memoized by their exact bytes: building an OpenSSL EC key
// sets up the P-256 group each time, which cost 2.5× the signature check itself,
// and a node verifies the same approvers' stored keys over and over. Only valid
// keys are kept (a rejection is recomputed), the key objects are immutable and
// shared, and the cache is bounded (cleared when full).
Verdict<CoseKey> parse_cose_key(std::span<const uint8_t> bytes) {
  static std::mutex mu;
  static std::map<std::vector<uint8_t>, CoseKey> cache;
  constexpr size_t kMaxCached = 1024;
  std::vector<uint8_t> key(bytes.begin(), bytes.end());
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  Verdict<CoseKey> parsed = parse_cose_key_prefix(bytes, nullptr);
  if (parsed.ok()) {
    std::lock_guard<std::mutex> lock(mu);
    if (cache.size() >= kMaxCached) cache.clear();
    cache.emplace(std::move(key), parsed.value());
  }
  return parsed;
}

std::optional<Rejection> verify_signature(const CoseKey& key, std::span<const uint8_t> message,
                                          std::span<const uint8_t> signature) {
  if (!key.pkey) return reject(Reason::kCoseKeyInvalid, "no public key");
  if (signature.empty()) return reject(Reason::kSignatureMalformed, "signature is empty");
  if (signature.size() > kMaxSignatureBytes)
    return reject(Reason::kSignatureMalformed, "signature is " + std::to_string(signature.size()) + " bytes, more than " +
                                                   std::to_string(kMaxSignatureBytes));
  // The key type was fixed by the algorithm at parse time; check again so a hand-built CoseKey with a
  // mismatched EVP_PKEY cannot reach the wrong verifier.
  const int type = EVP_PKEY_get_base_id(key.pkey.get());
  switch (key.alg) {
    case CoseAlg::kES256:
      if (type != EVP_PKEY_EC) return reject(Reason::kCoseKeyInvalid, "ES256 key is not an EC key");
      return verify_es256(key.pkey.get(), message, signature);
    case CoseAlg::kEdDSA:
      if (type != EVP_PKEY_ED25519) return reject(Reason::kCoseKeyInvalid, "EdDSA key is not an Ed25519 key");
      return verify_eddsa(key.pkey.get(), message, signature);
    case CoseAlg::kRS256:
      if (type != EVP_PKEY_RSA) return reject(Reason::kCoseKeyInvalid, "RS256 key is not an RSA key");
      return verify_rs256(key.pkey.get(), message, signature);
  }
  return reject(Reason::kAlgorithmNotAllowed, "unknown algorithm");
}

std::vector<uint8_t> encode_cose_ec2(std::span<const uint8_t> x, std::span<const uint8_t> y, int64_t alg, int64_t crv) {
  return encode_map({{kLabelKty, cbor_build_int(kKtyEc2)},
                     {kLabelAlg, cbor_build_int(alg)},
                     {kLabelCrv, cbor_build_int(crv)},
                     {kLabelX, bstr(x)},
                     {kLabelY, bstr(y)}});
}

std::vector<uint8_t> encode_cose_okp(std::span<const uint8_t> x, int64_t alg, int64_t crv) {
  return encode_map({{kLabelKty, cbor_build_int(kKtyOkp)},
                     {kLabelAlg, cbor_build_int(alg)},
                     {kLabelCrv, cbor_build_int(crv)},
                     {kLabelX, bstr(x)}});
}

std::vector<uint8_t> encode_cose_rsa(std::span<const uint8_t> n, std::span<const uint8_t> e, int64_t alg) {
  return encode_map({{kLabelKty, cbor_build_int(kKtyRsa)}, {kLabelAlg, cbor_build_int(alg)}, {kLabelN, bstr(n)}, {kLabelE, bstr(e)}});
}

std::optional<std::vector<uint8_t>> encode_cose_public_key(const EVP_PKEY* pkey) {
  if (pkey == nullptr) return std::nullopt;
  const int type = EVP_PKEY_get_base_id(pkey);
  if (type == EVP_PKEY_ED25519) {
    uint8_t x[32];
    size_t len = sizeof(x);
    if (EVP_PKEY_get_raw_public_key(pkey, x, &len) != 1 || len != 32) return std::nullopt;
    return encode_cose_okp(x);
  }
  if (type == EVP_PKEY_EC) {
    char group[64] = {0};
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), nullptr) != 1 ||
        std::string(group) != "prime256v1")
      return std::nullopt;
    uint8_t point[65];
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point), &len) != 1 ||
        len != 65 || point[0] != 0x04)
      return std::nullopt;
    return encode_cose_ec2(std::span<const uint8_t>(point + 1, 32), std::span<const uint8_t>(point + 33, 32));
  }
  if (type == EVP_PKEY_RSA) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
      BN_free(n);
      BN_free(e);
      return std::nullopt;
    }
    BnPtr nn(n), ee(e);
    std::vector<uint8_t> nb(static_cast<size_t>(BN_num_bytes(n))), eb(static_cast<size_t>(BN_num_bytes(e)));
    BN_bn2bin(n, nb.data());
    BN_bn2bin(e, eb.data());
    return encode_cose_rsa(nb, eb);
  }
  return std::nullopt;
}

std::optional<std::vector<uint8_t>> es256_p1363_to_der(std::span<const uint8_t> rs) {
  if (rs.size() != 64) return std::nullopt;
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(rs.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(rs.data() + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace custos::passkey
