#include "node/storage/sealed_box.h"

#include <openssl/evp.h>

#include <memory>

#include "crypto/rng.h"

namespace custos::node {
namespace {

constexpr std::string_view kAadLabel = "custos/sealed-box/v1";

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Every field length-prefixed, so no two different bindings share an encoding
// (e.g. table "ab" + kind "c" vs table "a" + kind "bc").
void put_field(std::vector<uint8_t>& out, std::span<const uint8_t> b) {
  put_u32(out, static_cast<uint32_t>(b.size()));
  out.insert(out.end(), b.begin(), b.end());
}

std::span<const uint8_t> sv_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::vector<uint8_t> make_aad(const RecordBinding& w, uint8_t box_version) {
  std::vector<uint8_t> aad;
  put_field(aad, sv_bytes(kAadLabel));
  aad.push_back(box_version);
  put_field(aad, sv_bytes(w.table));
  put_field(aad, sv_bytes(w.kind));
  put_field(aad, w.key_id);
  put_field(aad, w.row);
  put_u32(aad, w.format_version);
  return aad;
}

bool int_sized(size_t n) { return n <= static_cast<size_t>(INT32_MAX); }

}  // namespace

std::string short_hex(std::span<const uint8_t> id) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < id.size() && i < 8; ++i) {
    s += hex[id[i] >> 4];
    s += hex[id[i] & 15];
  }
  if (id.size() > 8) s += "…";
  return s;
}

std::string RecordBinding::describe() const {
  std::string s = std::string(table) + " " + std::string(kind) + " record";
  if (!key_id.empty()) s += " (key " + short_hex(key_id);
  if (!row.empty()) s += (key_id.empty() ? " (" : ", ") + std::string("row ") + short_hex(row);
  if (!key_id.empty() || !row.empty()) s += ")";
  return s;
}

Result<std::vector<uint8_t>> seal(const SecretBytes& key, const RecordBinding& where,
                                  std::span<const uint8_t> plaintext) {
  if (key.size() != kSealedKeyBytes) return invalid_argument("seal: key must be 32 bytes");
  if (!int_sized(plaintext.size() + kSealedOverhead)) return invalid_argument("seal: record too large");
  std::vector<uint8_t> aad = make_aad(where, kSealedBoxVersion);
  std::vector<uint8_t> out(kSealedOverhead + plaintext.size());
  out[0] = kSealedBoxVersion;
  uint8_t* nonce = out.data() + 1;
  uint8_t* ct = nonce + kSealedNonceBytes;
  uint8_t* tag = ct + plaintext.size();
  OsRng().fill(std::span<uint8_t>(nonce, kSealedNonceBytes));

  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kSealedNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.expose().data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return internal_error("seal: OpenSSL AES-256-GCM setup failed");
  }
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), ct, &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1) {
    return internal_error("seal: OpenSSL AES-256-GCM encryption failed");
  }
  if (EVP_EncryptFinal_ex(ctx.get(), ct + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kSealedTagBytes, tag) != 1) {
    return internal_error("seal: OpenSSL AES-256-GCM finalisation failed");
  }
  return out;
}

Result<SecretBytes> open_sealed(const SecretBytes& key, const RecordBinding& where, std::span<const uint8_t> blob) {
  if (key.size() != kSealedKeyBytes) return invalid_argument("open: key must be 32 bytes");
  if (blob.size() < kSealedOverhead) {
    return malformed(where.describe() + ": sealed blob is " + std::to_string(blob.size()) +
                     " bytes, shorter than the " + std::to_string(kSealedOverhead) + "-byte minimum (truncated)");
  }
  if (!int_sized(blob.size())) return malformed(where.describe() + ": sealed blob too large");
  if (blob[0] != kSealedBoxVersion) {
    return malformed(where.describe() + ": sealed blob version " + std::to_string(blob[0]) +
                     " is not supported (expected " + std::to_string(kSealedBoxVersion) + ")");
  }
  std::vector<uint8_t> aad = make_aad(where, blob[0]);
  const uint8_t* nonce = blob.data() + 1;
  const size_t ct_len = blob.size() - kSealedOverhead;
  const uint8_t* ct = nonce + kSealedNonceBytes;
  // OpenSSL's SET_TAG takes a non-const pointer; copy the tag rather than cast.
  uint8_t tag[kSealedTagBytes];
  std::copy(ct + ct_len, ct + ct_len + kSealedTagBytes, tag);

  SecretBytes plain(ct_len);
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kSealedNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.expose().data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return internal_error("open: OpenSSL AES-256-GCM setup failed");
  }
  if (ct_len > 0 &&
      EVP_DecryptUpdate(ctx.get(), plain.expose_mut().data(), &len, ct, static_cast<int>(ct_len)) != 1) {
    return internal_error("open: OpenSSL AES-256-GCM decryption failed");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kSealedTagBytes, tag) != 1) {
    return internal_error("open: OpenSSL AES-256-GCM tag setup failed");
  }
  uint8_t final_block[16];
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &len) != 1) {
    // `plain` holds unauthenticated bytes; its destructor wipes them.
    return verify_failed(where.describe() +
                         ": sealed blob does not authenticate (tampered, moved from another row, or sealed "
                         "under another key-encryption key)");
  }
  return plain;
}

}  // namespace custos::node
