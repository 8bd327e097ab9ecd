#include "crypto/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

namespace custos {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) std::abort();
}
Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }
Sha256::Sha256(const Sha256& other) : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_MD_CTX_copy_ex(ctx_, other.ctx_) != 1) std::abort();
}
Sha256& Sha256::operator=(const Sha256& other) {
  if (this != &other && EVP_MD_CTX_copy_ex(ctx_, other.ctx_) != 1) std::abort();
  return *this;
}
Sha256& Sha256::update(std::span<const uint8_t> data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) std::abort();
  return *this;
}
Digest32 Sha256::finish() const {
  Sha256 copy(*this);
  Digest32 out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(copy.ctx_, out.data(), &len) != 1 || len != 32) std::abort();
  return out;
}

Digest32 sha256(std::span<const uint8_t> data) { return Sha256().update(data).finish(); }

Digest64 sha512(std::span<const uint8_t> data) {
  Digest64 out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha512(), nullptr) != 1) std::abort();
  return out;
}

Digest64 hmac_sha512(std::span<const uint8_t> key, std::span<const uint8_t> data) {
  Digest64 out{};
  unsigned int len = 0;
  // OpenSSL 3's one-shot HMAC() fails when both key and data are empty spans with null
  // data() (which then aborted here); a non-null pointer for an empty span avoids that.
  static const uint8_t kEmpty = 0;
  const uint8_t* key_ptr = key.empty() ? &kEmpty : key.data();
  const uint8_t* data_ptr = data.empty() ? &kEmpty : data.data();
  if (!HMAC(EVP_sha512(), key_ptr, static_cast<int>(key.size()), data_ptr, data.size(), out.data(), &len))
    std::abort();
  return out;
}

}  // namespace custos
