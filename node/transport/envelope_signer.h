// Ed25519 signatures over envelopes (DESIGN §4): the signed bytes are
// protocol::signing_bytes(m), i.e. the envelope with seq 0 and no signature,
// so a retransmission (new seq) needs no re-signing and a broadcast signed
// once can be quoted verbatim as evidence in an echo or a complaint.
//
// Both classes are immutable after construction and safe to use from several
// threads at once (each call makes its own OpenSSL context).
#pragma once

#include <memory>
#include <span>

#include "crypto/secret.h"
#include "crypto/status.h"
#include "node/transport/identity.h"
#include "protocol/message.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace custos::node {

inline constexpr size_t kEd25519SignatureBytes = 64;

namespace internal {
struct EvpPkeyFree {
  void operator()(EVP_PKEY* k) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
}  // namespace internal

class EnvelopeSigner {
 public:
  // `seed` is the 32-byte Ed25519 private key.
  static Result<EnvelopeSigner> from_seed(const SecretBytes& seed);

  // Sets m.signature to the signature of signing_bytes(m).
  Status sign(protocol::Message& m) const;
  const Key32& public_key() const { return public_; }

 private:
  EnvelopeSigner(internal::EvpPkeyPtr key, const Key32& pub) : key_(std::move(key)), public_(pub) {}
  internal::EvpPkeyPtr key_;
  Key32 public_{};
};

class EnvelopeVerifier {
 public:
  static Result<EnvelopeVerifier> from_public(const Key32& public_key);

  // True only for a 64-byte signature valid for signing_bytes(m) under this key.
  bool verify(const protocol::Message& m) const;

 private:
  explicit EnvelopeVerifier(internal::EvpPkeyPtr key) : key_(std::move(key)) {}
  internal::EvpPkeyPtr key_;
};

}  // namespace custos::node
