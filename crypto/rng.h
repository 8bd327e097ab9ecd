// Injected randomness. Production code uses OsRng (getrandom); tests and the
// simulator use DeterministicRng so that a run is reproducible from its seed.
// Protocol code never calls the OS RNG directly: it receives an Rng&.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace custos {

class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(std::span<uint8_t> out) = 0;
  uint64_t next_u64();
};

// The operating system's CSPRNG (getrandom(2)). Aborts if the kernel fails,
// because continuing without randomness would be worse.
class OsRng final : public Rng {
 public:
  void fill(std::span<uint8_t> out) override;
};

// ChaCha20 keystream keyed by SHA-256(label || seed). Not for production keys.
class DeterministicRng final : public Rng {
 public:
  explicit DeterministicRng(uint64_t seed, std::string_view label = "custos/test-rng");
  ~DeterministicRng() override;
  DeterministicRng(const DeterministicRng&) = delete;
  DeterministicRng& operator=(const DeterministicRng&) = delete;

  void fill(std::span<uint8_t> out) override;
  uint64_t seed() const { return seed_; }
  // A child generator for one party / purpose, independent of this one's stream.
  DeterministicRng fork(std::string_view label) const;

 private:
  uint64_t seed_;
  std::string label_;
  std::array<uint8_t, 32> key_{};
  uint64_t counter_ = 0;
  std::array<uint8_t, 64> block_{};
  size_t used_ = 64;
};

}  // namespace custos
