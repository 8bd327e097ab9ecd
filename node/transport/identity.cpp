#include "node/transport/identity.h"

#include <zmq.h>

namespace custos::node {

Result<Key32> curve_public_from_secret(const SecretBytes& secret) {
  if (secret.size() != 32) return invalid_argument("CURVE secret key must be 32 bytes");
  // libzmq derives public keys only from Z85 text; the text copy of the
  // secret is wiped before returning.
  char z85_secret[41] = {};
  char z85_public[41] = {};
  bool ok = zmq_z85_encode(z85_secret, secret.expose().data(), 32) != nullptr &&
            zmq_curve_public(z85_public, z85_secret) == 0;
  secure_wipe(z85_secret, sizeof z85_secret);
  if (!ok) return internal_error("libzmq could not derive the CURVE public key (built without CURVE?)");
  Key32 pub{};
  if (zmq_z85_decode(pub.data(), z85_public) == nullptr) return internal_error("Z85 decode of a CURVE key failed");
  return pub;
}

Result<CurveKeyPair> make_curve_keypair(Rng& rng) {
  CurveKeyPair kp;
  kp.secret = SecretBytes(32);
  rng.fill(kp.secret.expose_mut());
  ASSIGN_OR_RETURN(kp.public_key, curve_public_from_secret(kp.secret));
  return kp;
}

std::string z85_public(const Key32& key) {
  char text[41] = {};
  if (zmq_z85_encode(text, key.data(), key.size()) == nullptr) return "?";
  return std::string(text);
}

}  // namespace custos::node
