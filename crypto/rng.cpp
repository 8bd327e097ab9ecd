#include "crypto/rng.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "crypto/hash.h"
#include "crypto/secret.h"

namespace custos {

void secure_wipe(void* data, size_t len) { OPENSSL_cleanse(data, len); }

void wipe_string(std::string& s) {
  s.resize(s.capacity());  // the bytes past size() may hold an earlier, longer value
  secure_wipe(s.data(), s.size());
  s.clear();
}

uint64_t Rng::next_u64() {
  uint8_t b[8];
  fill(b);
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v;
}

void OsRng::fill(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::abort();
    }
    done += static_cast<size_t>(n);
  }
}

DeterministicRng::DeterministicRng(uint64_t seed, std::string_view label) : seed_(seed), label_(label) {
  uint64_t len = label.size();
  Sha256 h;
  h.update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&len), sizeof(len)));
  h.update(label);
  h.update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&seed), sizeof(seed)));
  key_ = h.finish();
}

DeterministicRng::~DeterministicRng() {
  secure_wipe(key_.data(), key_.size());
  secure_wipe(block_.data(), block_.size());
}

DeterministicRng DeterministicRng::fork(std::string_view label) const {
  return DeterministicRng(seed_, label_ + "/" + std::string(label));
}

void DeterministicRng::fill(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    if (used_ == block_.size()) {
      // One ChaCha20 block per refill: key = key_, 16-byte IV = counter.
      std::array<uint8_t, 16> iv{};
      std::memcpy(iv.data() + 8, &counter_, sizeof(counter_));
      ++counter_;
      EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
      int outl = 0;
      std::array<uint8_t, 64> zeros{};
      if (!c || EVP_EncryptInit_ex(c, EVP_chacha20(), nullptr, key_.data(), iv.data()) != 1 ||
          EVP_EncryptUpdate(c, block_.data(), &outl, zeros.data(), 64) != 1) {
        std::abort();
      }
      EVP_CIPHER_CTX_free(c);
      used_ = 0;
    }
    size_t take = std::min(out.size() - done, block_.size() - used_);
    std::memcpy(out.data() + done, block_.data() + used_, take);
    used_ += take;
    done += take;
  }
}

}  // namespace custos
