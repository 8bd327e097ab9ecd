#include "sim/soft_authenticator.h"

#include <cbor.h>

#include <nlohmann/json.hpp>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "crypto/hash.h"
#include "crypto/passkey/base64url.h"
#include "crypto/passkey/cbor_strict.h"
#include "crypto/secret.h"
#include "sim/soft_keys.h"

namespace custos::sim {
namespace {

using passkey::base64url_encode;

void random_bytes(Rng* rng, std::span<uint8_t> out) {
  if (rng != nullptr) {
    rng->fill(out);
  } else if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::abort();  // no randomness: continuing would produce predictable keys
  }
}

passkey::EvpPkeyPtr ed25519_key(Rng* rng) {
  SecretBytes seed(32);
  random_bytes(rng, seed.expose_mut());
  auto key = ed25519_key_from_seed(seed.expose());
  return key.ok() ? *key : nullptr;
}

// P-256 key with d uniform in [1, n-1] by rejection sampling.
passkey::EvpPkeyPtr p256_key(Rng* rng) {
  SecretBytes d(32);
  while (true) {
    random_bytes(rng, d.expose_mut());
    auto key = p256_key_from_scalar(d.expose());
    if (key.ok()) return *key;
    if (key.status().code() != Code::kOutOfRange) return nullptr;
  }
}

std::vector<uint8_t> spki_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return {};
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Result<SoftAuthenticator> SoftAuthenticator::create(SoftKeyType type, Rng* rng, SoftAuthenticatorOptions options) {
  SoftAuthenticator a;
  a.options_ = std::move(options);
  a.alg_ = type == SoftKeyType::kES256 ? passkey::CoseAlg::kES256 : passkey::CoseAlg::kEdDSA;
  passkey::EvpPkeyPtr key = type == SoftKeyType::kES256 ? p256_key(rng) : ed25519_key(rng);
  if (!key) return internal_error("software authenticator: key generation failed");
  RETURN_IF_ERROR(a.set_key(std::move(key)));
  a.credential_id_.resize(32);
  random_bytes(rng, a.credential_id_);
  a.user_handle_.resize(16);
  random_bytes(rng, a.user_handle_);
  return a;
}

Status SoftAuthenticator::set_key(passkey::EvpPkeyPtr key) {
  auto cose = passkey::encode_cose_public_key(key.get());
  if (!cose) return internal_error("software authenticator: cannot encode the public key");
  public_key_cose_ = std::move(*cose);
  public_key_spki_ = spki_der(key.get());
  key_ = std::move(key);
  return ok_status();
}

std::string SoftAuthenticator::client_data_json(const std::string& type, std::span<const uint8_t> challenge) const {
  // §5.8.1.1 serialisation: fixed member order, JSON-escaped strings (nlohmann's dump escapes the way
  // CollectedClientData's "CCDToString" does for the characters browsers emit).
  std::string s = "{\"type\":" + nlohmann::json(type).dump() + ",\"challenge\":" +
                  nlohmann::json(base64url_encode(challenge)).dump() + ",\"origin\":" +
                  nlohmann::json(options_.origin).dump() + ",\"crossOrigin\":" + (options_.cross_origin ? "true" : "false");
  if (options_.cross_origin && options_.top_origin) s += ",\"topOrigin\":" + nlohmann::json(*options_.top_origin).dump();
  return s + "}";
}

std::vector<uint8_t> SoftAuthenticator::authenticator_data(bool with_attested_credential) const {
  // §6.1 layout: rpIdHash ‖ flags ‖ signCount ‖ [attested credential data].
  const Digest32 rp = sha256(as_bytes(options_.rp_id));
  std::vector<uint8_t> ad(rp.begin(), rp.end());
  uint8_t flags = 0;
  if (options_.user_present) flags |= 0x01;
  if (options_.user_verified) flags |= 0x04;
  if (options_.backup_eligible) flags |= 0x08;
  if (options_.backup_state) flags |= 0x10;
  if (with_attested_credential) flags |= 0x40;
  ad.push_back(flags);
  for (int shift = 24; shift >= 0; shift -= 8) ad.push_back(static_cast<uint8_t>(sign_count_ >> shift));
  if (with_attested_credential) {
    ad.insert(ad.end(), options_.aaguid.begin(), options_.aaguid.end());
    ad.push_back(static_cast<uint8_t>(credential_id_.size() >> 8));
    ad.push_back(static_cast<uint8_t>(credential_id_.size()));
    ad.insert(ad.end(), credential_id_.begin(), credential_id_.end());
    ad.insert(ad.end(), public_key_cose_.begin(), public_key_cose_.end());
  }
  return ad;
}

std::vector<uint8_t> SoftAuthenticator::sign(std::span<const uint8_t> authenticator_data,
                                             std::span<const uint8_t> client_data_json) const {
  // §6.3.3 step 11: sign authenticatorData ‖ SHA-256(clientDataJSON).
  std::vector<uint8_t> message(authenticator_data.begin(), authenticator_data.end());
  const Digest32 h = sha256(client_data_json);
  message.insert(message.end(), h.begin(), h.end());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const EVP_MD* md = alg_ == passkey::CoseAlg::kES256 ? EVP_sha256() : nullptr;
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1)
    return {};
  std::vector<uint8_t> sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) return {};
  sig.resize(len);
  return sig;
}

void SoftAuthenticator::advance_counter() {
  if (options_.counter_enabled) ++sign_count_;
}

std::string SoftAuthenticator::registration_json(std::span<const uint8_t> challenge, SoftAttestation attestation) {
  const std::string cdj = client_data_json("webauthn.create", challenge);
  const std::vector<uint8_t> ad = authenticator_data(true);
  // attestationObject (§6.5.4): {"fmt", "attStmt", "authData"} in CTAP2 canonical order.
  passkey::CborItemPtr obj(cbor_new_definite_map(3));
  passkey::CborItemPtr stmt;
  if (attestation == SoftAttestation::kPacked) {
    // §8.2 packed self attestation: alg + sig by the credential key over authData ‖ clientDataHash.
    const std::vector<uint8_t> sig = sign(ad, bytes_of(cdj));
    stmt.reset(cbor_new_definite_map(2));
    cbor_map_add(stmt.get(), {cbor_move(cbor_build_string("alg")), cbor_move(passkey::cbor_build_int(static_cast<int64_t>(alg_)))});
    cbor_map_add(stmt.get(), {cbor_move(cbor_build_string("sig")), cbor_move(cbor_build_bytestring(sig.data(), sig.size()))});
  } else {
    stmt.reset(cbor_new_definite_map(0));
  }
  cbor_map_add(obj.get(), {cbor_move(cbor_build_string("fmt")),
                           cbor_move(cbor_build_string(attestation == SoftAttestation::kPacked ? "packed" : "none"))});
  cbor_map_add(obj.get(), {cbor_move(cbor_build_string("attStmt")), stmt.get()});
  cbor_map_add(obj.get(), {cbor_move(cbor_build_string("authData")), cbor_move(cbor_build_bytestring(ad.data(), ad.size()))});
  const std::vector<uint8_t> att = passkey::cbor_encode(obj.get());

  // RegistrationResponseJSON (§5.1.3): nlohmann::json sorts members, which is the WebIDL dictionary
  // order browsers serialise in.
  nlohmann::json response = {{"clientDataJSON", base64url_encode(bytes_of(cdj))},
                             {"authenticatorData", base64url_encode(ad)},
                             {"transports", nlohmann::json::array({"internal"})},
                             {"publicKeyAlgorithm", static_cast<int64_t>(alg_)},
                             {"attestationObject", base64url_encode(att)}};
  if (!public_key_spki_.empty()) response["publicKey"] = base64url_encode(public_key_spki_);
  nlohmann::json j = {{"id", base64url_encode(credential_id_)},
                      {"rawId", base64url_encode(credential_id_)},
                      {"response", response},
                      {"authenticatorAttachment", options_.attachment},
                      {"clientExtensionResults", nlohmann::json::object()},
                      {"type", "public-key"}};
  return j.dump();
}

SoftAssertionParts SoftAuthenticator::assertion_parts(std::span<const uint8_t> challenge) {
  advance_counter();
  SoftAssertionParts parts;
  parts.client_data_json = client_data_json("webauthn.get", challenge);
  parts.authenticator_data = authenticator_data(false);
  parts.signature = sign(parts.authenticator_data, bytes_of(parts.client_data_json));
  return parts;
}

std::string SoftAuthenticator::assertion_json_from(const SoftAssertionParts& parts) const {
  nlohmann::json response = {{"clientDataJSON", base64url_encode(bytes_of(parts.client_data_json))},
                             {"authenticatorData", base64url_encode(parts.authenticator_data)},
                             {"signature", base64url_encode(parts.signature)}};
  if (options_.include_user_handle) response["userHandle"] = base64url_encode(user_handle_);
  nlohmann::json j = {{"id", base64url_encode(credential_id_)},
                      {"rawId", base64url_encode(credential_id_)},
                      {"response", response},
                      {"authenticatorAttachment", options_.attachment},
                      {"clientExtensionResults", nlohmann::json::object()},
                      {"type", "public-key"}};
  return j.dump();
}

std::string SoftAuthenticator::assertion_json(std::span<const uint8_t> challenge) {
  return assertion_json_from(assertion_parts(challenge));
}

passkey::CredentialRecord SoftAuthenticator::credential_record() const {
  passkey::CredentialRecord r;
  r.id = credential_id_;
  r.public_key_cose = public_key_cose_;
  r.sign_count = sign_count_;
  r.user_handle = user_handle_;
  r.backup_eligible = options_.backup_eligible;
  r.backup_state = options_.backup_state;
  r.uv_initialized = options_.user_verified;
  r.transports = {"internal"};
  r.aaguid = options_.aaguid;
  return r;
}

}  // namespace custos::sim
