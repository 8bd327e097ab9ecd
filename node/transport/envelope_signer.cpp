#include "node/transport/envelope_signer.h"

#include <sodium.h>

#include <utility>

namespace custos::node {

namespace {
Status init_sodium() {
  // Idempotent and thread-safe; picks the CPU-specific implementations.
  if (sodium_init() < 0) return internal_error("libsodium failed to initialise");
  return ok_status();
}
}  // namespace

namespace {
// libsodium's 64-byte secret key (seed || public key) and the public key, from the 32-byte seed.
Result<std::pair<SecretBytes, Key32>> expand_seed(const SecretBytes& seed) {
  if (seed.size() != crypto_sign_SEEDBYTES) return invalid_argument("Ed25519 private key must be 32 bytes");
  RETURN_IF_ERROR(init_sodium());
  Key32 pub{};
  SecretBytes expanded(crypto_sign_SECRETKEYBYTES);
  if (crypto_sign_seed_keypair(pub.data(), expanded.expose_mut().data(), seed.expose().data()) != 0)
    return internal_error("libsodium rejected the Ed25519 private key");
  return std::make_pair(std::move(expanded), pub);
}
}  // namespace

Result<Key32> ed25519_public_from_seed(const SecretBytes& seed) {
  ASSIGN_OR_RETURN(auto keys, expand_seed(seed));
  return keys.second;
}

Result<EnvelopeSigner> EnvelopeSigner::from_seed(const SecretBytes& seed) {
  ASSIGN_OR_RETURN(auto keys, expand_seed(seed));
  return EnvelopeSigner(std::move(keys.first), keys.second);
}

Status EnvelopeSigner::sign(protocol::Message& m) const {
  WipedBytes bytes = protocol::signing_bytes(m);
  std::vector<uint8_t> sig(kEd25519SignatureBytes);
  if (crypto_sign_detached(sig.data(), nullptr, bytes.data(), bytes.size(), expanded_.expose().data()) != 0)
    return internal_error("Ed25519 signing failed");
  m.signature = std::move(sig);
  return ok_status();
}

Result<EnvelopeVerifier> EnvelopeVerifier::from_public(const Key32& public_key) {
  RETURN_IF_ERROR(init_sodium());
  // The checks libsodium's verification makes on A anyway (canonical encoding, not of small order),
  // made once here so that a bad configured key is refused at start.
  if (crypto_core_ed25519_is_valid_point(public_key.data()) != 1) return invalid_argument("not an Ed25519 public key");
  return EnvelopeVerifier(public_key);
}

bool EnvelopeVerifier::verify(const protocol::Message& m) const {
  if (m.signature.size() != kEd25519SignatureBytes) return false;
  WipedBytes bytes = protocol::signing_bytes(m);
  return crypto_sign_verify_detached(m.signature.data(), bytes.data(), bytes.size(), key_.data()) == 0;
}

}  // namespace custos::node
