// Secret byte strings: move-only, wiped on destruction, printed as <redacted>.
// Readable only through the explicit `expose()` accessor so that every read of
// a secret is visible in review.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace custos {

// Overwrites memory in a way the compiler may not elide (OPENSSL_cleanse).
void secure_wipe(void* data, size_t len);

// An allocator that wipes every buffer it frees, including the old buffer when a
// container grows. For byte strings that are mostly public but sometimes carry a
// secret (protocol payloads and frames carry keygen and refresh shares): a copy
// can be made freely and none of them outlives its owner in freed memory.
// `Base` is the allocator that really allocates; tests substitute one that
// inspects the buffer it is given back.
template <class T, class Base = std::allocator<T>>
struct WipingAllocator : Base {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = WipingAllocator<U, typename std::allocator_traits<Base>::template rebind_alloc<U>>;
  };
  WipingAllocator() = default;
  explicit WipingAllocator(const Base& base) noexcept : Base(base) {}
  template <class U, class B>
  WipingAllocator(const WipingAllocator<U, B>& o) noexcept : Base(static_cast<const B&>(o)) {}
  T* allocate(size_t n) { return std::allocator_traits<Base>::allocate(*this, n); }
  void deallocate(T* p, size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator_traits<Base>::deallocate(*this, p, n);
  }
  friend bool operator==(const WipingAllocator& a, const WipingAllocator& b) {
    return static_cast<const Base&>(a) == static_cast<const Base&>(b);
  }
};

using WipedBytes = std::vector<uint8_t, WipingAllocator<uint8_t>>;

// Wipes a string's whole buffer (capacity, not only size) and empties it.
void wipe_string(std::string& s);

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : bytes_(n, 0) {}
  explicit SecretBytes(std::span<const uint8_t> data) : bytes_(data.begin(), data.end()) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : bytes_(std::move(o.bytes_)) { o.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      bytes_ = std::move(o.bytes_);
      o.bytes_.clear();
    }
    return *this;
  }
  ~SecretBytes() { wipe(); }

  SecretBytes clone() const { return SecretBytes(std::span<const uint8_t>(bytes_)); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::span<const uint8_t> expose() const { return bytes_; }
  std::span<uint8_t> expose_mut() { return bytes_; }

 private:
  void wipe() {
    if (!bytes_.empty()) secure_wipe(bytes_.data(), bytes_.size());
  }
  std::vector<uint8_t> bytes_;
};

inline std::ostream& operator<<(std::ostream& os, const SecretBytes&) { return os << "<redacted>"; }

}  // namespace custos
