#include "node/transport/envelope_signer.h"

#include <openssl/evp.h>

namespace custos::node {

namespace internal {
void EvpPkeyFree::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
}  // namespace internal

namespace {
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
}  // namespace

Result<Key32> ed25519_public_from_seed(const SecretBytes& seed) {
  if (seed.size() != 32) return invalid_argument("Ed25519 private key must be 32 bytes");
  internal::EvpPkeyPtr k(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.expose().data(), 32));
  if (!k) return internal_error("OpenSSL rejected the Ed25519 private key");
  Key32 pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(k.get(), pub.data(), &len) != 1 || len != pub.size())
    return internal_error("OpenSSL could not derive the Ed25519 public key");
  return pub;
}

Result<EnvelopeSigner> EnvelopeSigner::from_seed(const SecretBytes& seed) {
  ASSIGN_OR_RETURN(Key32 pub, ed25519_public_from_seed(seed));
  internal::EvpPkeyPtr k(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.expose().data(), 32));
  if (!k) return internal_error("OpenSSL rejected the Ed25519 private key");
  return EnvelopeSigner(std::move(k), pub);
}

Status EnvelopeSigner::sign(protocol::Message& m) const {
  std::vector<uint8_t> bytes = protocol::signing_bytes(m);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::vector<uint8_t> sig(kEd25519SignatureBytes);
  size_t len = sig.size();
  // Ed25519 is "one-shot": no digest is named, EVP_DigestSign hashes internally.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, bytes.data(), bytes.size()) != 1 || len != sig.size())
    return internal_error("Ed25519 signing failed");
  m.signature = std::move(sig);
  return ok_status();
}

Result<EnvelopeVerifier> EnvelopeVerifier::from_public(const Key32& public_key) {
  internal::EvpPkeyPtr k(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  if (!k) return invalid_argument("not an Ed25519 public key");
  return EnvelopeVerifier(std::move(k));
}

bool EnvelopeVerifier::verify(const protocol::Message& m) const {
  if (m.signature.size() != kEd25519SignatureBytes) return false;
  std::vector<uint8_t> bytes = protocol::signing_bytes(m);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), m.signature.data(), m.signature.size(), bytes.data(), bytes.size()) == 1;
}

}  // namespace custos::node
