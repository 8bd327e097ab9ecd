#include "crypto/passkey/authenticator_data.h"

#include <algorithm>

#include "crypto/passkey/cbor_strict.h"

namespace custos::passkey {
namespace {

Rejection malformed_ad(std::string message) {
  return reject(Reason::kAuthenticatorDataMalformed, "authenticatorData: " + std::move(message));
}

// Bounds-checked reader over the untrusted bytes: every take() states how much it needs.
class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> in) : in_(in) {}
  bool take(size_t n, std::span<const uint8_t>* out) {
    if (n > in_.size() - pos_) return false;
    *out = in_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  void skip(size_t n) { pos_ += std::min(n, in_.size() - pos_); }
  std::span<const uint8_t> rest() const { return in_.subspan(pos_); }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
};

// Flag bits, WebAuthn L3 §6.1 table "flags".
constexpr uint8_t kFlagUp = 0x01, kFlagUv = 0x04, kFlagBe = 0x08, kFlagBs = 0x10, kFlagAt = 0x40, kFlagEd = 0x80;

}  // namespace

Verdict<AuthenticatorData> parse_authenticator_data(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxAuthenticatorDataBytes)
    return malformed_ad(std::to_string(bytes.size()) + " bytes, more than " + std::to_string(kMaxAuthenticatorDataBytes));
  Cursor cur(bytes);
  AuthenticatorData ad;
  std::span<const uint8_t> field;
  if (!cur.take(37, &field))
    return malformed_ad("truncated: " + std::to_string(bytes.size()) + " bytes, the fixed part needs 37");
  std::copy(field.begin(), field.begin() + 32, ad.rp_id_hash.begin());
  const uint8_t f = field[32];
  ad.flags.raw = f;
  ad.flags.user_present = f & kFlagUp;
  ad.flags.user_verified = f & kFlagUv;
  ad.flags.backup_eligible = f & kFlagBe;
  ad.flags.backup_state = f & kFlagBs;
  ad.flags.attested_credential = f & kFlagAt;
  ad.flags.extensions = f & kFlagEd;
  ad.sign_count = (uint32_t{field[33]} << 24) | (uint32_t{field[34]} << 16) | (uint32_t{field[35]} << 8) | field[36];

  // §6.1.3: a credential that is backed up must be backup eligible.
  if (ad.flags.backup_state && !ad.flags.backup_eligible)
    return reject(Reason::kBackupStateInvalid, "BS (backed up) is set but BE (backup eligible) is not");

  if (ad.flags.attested_credential) {
    // §6.5.1 attested credential data.
    AttestedCredential att;
    if (!cur.take(16, &field)) return malformed_ad("truncated in the AAGUID");
    std::copy(field.begin(), field.end(), att.aaguid.begin());
    if (!cur.take(2, &field)) return malformed_ad("truncated in the credential id length");
    const size_t id_len = (size_t{field[0]} << 8) | field[1];
    if (id_len > kMaxCredentialIdBytes)
      return malformed_ad("credential id length " + std::to_string(id_len) + " exceeds 1023");
    if (id_len == 0) return malformed_ad("credential id is empty");
    if (!cur.take(id_len, &field))
      return malformed_ad("truncated: credential id needs " + std::to_string(id_len) + " bytes, " +
                          std::to_string(cur.remaining()) + " remain");
    att.credential_id.assign(field.begin(), field.end());
    if (cur.remaining() == 0) return malformed_ad("AT flag set but the credential public key is missing");
    size_t used = 0;
    PASSKEY_ASSIGN_OR_REJECT(att.public_key, parse_cose_key_prefix(cur.rest(), &used));
    att.public_key_cose = att.public_key.cbor;
    cur.skip(used);
    ad.attested = std::move(att);
  }

  if (ad.flags.extensions) {
    if (cur.remaining() == 0) return malformed_ad("ED flag set but no extensions follow");
    // §6.1: extensions are a CBOR map; it must be the last thing in authenticatorData.
    std::string error;
    CborLimits limits;
    limits.max_bytes = kMaxAuthenticatorDataBytes;
    limits.max_depth = 4;
    CborItemPtr ext = decode_cbor_strict(cur.rest(), limits, nullptr, &error);
    if (!ext) return malformed_ad("extensions: " + error);
    if (!cbor_isa_map(ext.get())) return malformed_ad("extensions are not a CBOR map");
    ad.extensions_cbor.assign(cur.rest().begin(), cur.rest().end());
    cur.skip(cur.remaining());
  }

  if (cur.remaining() != 0) {
    return malformed_ad(std::to_string(cur.remaining()) + " trailing bytes" +
                        (ad.flags.extensions ? "" : " (extension data without the ED flag?)"));
  }
  ad.raw.assign(bytes.begin(), bytes.end());
  return ad;
}

}  // namespace custos::passkey
