// SHA-256 / SHA-512 / HMAC-SHA512 helpers over OpenSSL EVP.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace custos {

using Digest32 = std::array<uint8_t, 32>;
using Digest64 = std::array<uint8_t, 64>;

// Incremental SHA-256. Copyable (the copy forks the running state).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256& other);

  Sha256& update(std::span<const uint8_t> data);
  Sha256& update(std::string_view s) {
    return update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  Digest32 finish() const;  // does not disturb the running state

 private:
  EVP_MD_CTX* ctx_;
};

Digest32 sha256(std::span<const uint8_t> data);
Digest64 sha512(std::span<const uint8_t> data);
Digest64 hmac_sha512(std::span<const uint8_t> key, std::span<const uint8_t> data);

inline std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace custos
