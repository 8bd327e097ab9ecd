#include "crypto/passkey/attestation/signature.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

namespace custos::passkey {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

enum class KeyKind { kEc, kEd25519, kRsa, kRsaPss };

struct AlgSpec {
  int64_t alg;
  const char* name;
  KeyKind kind;
  const char* curve;  // OpenSSL group name for EC
};

constexpr AlgSpec kAlgs[] = {
    {-7, "ES256", KeyKind::kEc, "prime256v1"},      {-35, "ES384", KeyKind::kEc, "secp384r1"},
    {-36, "ES512", KeyKind::kEc, "secp521r1"},      {-8, "EdDSA", KeyKind::kEd25519, nullptr},
    {-257, "RS256", KeyKind::kRsa, nullptr},        {-258, "RS384", KeyKind::kRsa, nullptr},
    {-259, "RS512", KeyKind::kRsa, nullptr},        {-37, "PS256", KeyKind::kRsaPss, nullptr},
    {-38, "PS384", KeyKind::kRsaPss, nullptr},      {-39, "PS512", KeyKind::kRsaPss, nullptr},
    {-65535, "RS1", KeyKind::kRsa, nullptr},
};

const AlgSpec* find_alg(int64_t alg) {
  for (const auto& spec : kAlgs) {
    if (spec.alg == alg) return &spec;
  }
  return nullptr;
}

std::string ec_group_of(EVP_PKEY* key) {
  char name[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) != 1) return "";
  return std::string(name, len);
}

}  // namespace

std::string attestation_alg_name(int64_t alg) {
  if (const AlgSpec* spec = find_alg(alg)) return spec->name;
  return "COSE alg " + std::to_string(alg);
}

const EVP_MD* cose_alg_digest(int64_t alg) {
  switch (alg) {
    case -7: case -257: case -37: return EVP_sha256();
    case -35: case -258: case -38: return EVP_sha384();
    case -36: case -259: case -39: return EVP_sha512();
    case -65535: return EVP_sha1();
    default: return nullptr;
  }
}

std::optional<Rejection> verify_statement_signature(EVP_PKEY* key, int64_t alg, std::span<const uint8_t> message,
                                                    std::span<const uint8_t> signature,
                                                    const AttestationPolicy& policy, const std::string& what) {
  const AlgSpec* spec = find_alg(alg);
  if (spec == nullptr) {
    return reject(Reason::kAttestationStatementInvalid,
                  what + ": attStmt.alg " + std::to_string(alg) + " is not a supported signature algorithm");
  }
  if (alg == -65535 && !policy.allow_sha1) {
    return reject(Reason::kAttestationInsecureCryptography,
                  what + " is signed with RS1 (RSASSA-PKCS1-v1_5 with SHA-1), which this policy does not accept");
  }
  if (key == nullptr) return reject(Reason::kAttestationStatementInvalid, what + ": no verification key");
  const int base_id = EVP_PKEY_get_base_id(key);
  switch (spec->kind) {
    case KeyKind::kEc: {
      if (base_id != EVP_PKEY_EC) {
        return reject(Reason::kAttestationStatementInvalid, what + ": " + spec->name + " needs an EC key");
      }
      const std::string group = ec_group_of(key);
      if (group != spec->curve) {
        return reject(Reason::kAttestationStatementInvalid,
                      what + ": " + spec->name + " needs curve " + spec->curve + ", the key is on " +
                          (group.empty() ? std::string("an unknown curve") : group));
      }
      break;
    }
    case KeyKind::kEd25519:
      if (base_id != EVP_PKEY_ED25519) {
        return reject(Reason::kAttestationStatementInvalid, what + ": EdDSA needs an Ed25519 key");
      }
      break;
    case KeyKind::kRsa:
    case KeyKind::kRsaPss: {
      if (base_id != EVP_PKEY_RSA && base_id != EVP_PKEY_RSA_PSS) {
        return reject(Reason::kAttestationStatementInvalid, what + ": " + spec->name + " needs an RSA key");
      }
      const int bits = EVP_PKEY_get_bits(key);
      if (bits < policy.min_rsa_bits) {
        return reject(Reason::kAttestationInsecureCryptography,
                      what + ": RSA key of " + std::to_string(bits) + " bits, fewer than " +
                          std::to_string(policy.min_rsa_bits));
      }
      break;
    }
  }

  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) return reject(Reason::kAttestationStatementInvalid, what + ": out of memory");
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = spec->kind == KeyKind::kEd25519 ? nullptr : cose_alg_digest(alg);
  ERR_clear_error();
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) {
    ERR_clear_error();
    return reject(Reason::kAttestationStatementInvalid, what + ": cannot initialise " + spec->name + " verification");
  }
  if (spec->kind == KeyKind::kRsa) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
      ERR_clear_error();
      return reject(Reason::kAttestationStatementInvalid, what + ": cannot select PKCS#1 v1.5 padding");
    }
  } else if (spec->kind == KeyKind::kRsaPss) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1) {
      ERR_clear_error();
      return reject(Reason::kAttestationStatementInvalid, what + ": cannot select PSS padding");
    }
  }
  const int ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size());
  ERR_clear_error();
  if (ok != 1) {
    return reject(Reason::kAttestationStatementInvalid, what + ": the " + spec->name + " signature does not verify");
  }
  return std::nullopt;
}

}  // namespace custos::passkey
