// Wiping of freed buffers: WipingAllocator (protocol payloads, frames) and wipe_string.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/secret.h"

using namespace custos;

namespace {

// Records, for every buffer it is given back, whether all of its bytes were zero.
struct FreedBuffers {
  std::vector<bool> zeroed;
  size_t allocated = 0;
};

template <class T>
struct RecordingAllocator {
  using value_type = T;
  FreedBuffers* log = nullptr;
  RecordingAllocator() = default;
  explicit RecordingAllocator(FreedBuffers* l) : log(l) {}
  template <class U>
  RecordingAllocator(const RecordingAllocator<U>& o) noexcept : log(o.log) {}
  T* allocate(size_t n) {
    ++log->allocated;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) noexcept {
    const auto* b = reinterpret_cast<const uint8_t*>(p);
    log->zeroed.push_back(std::all_of(b, b + n * sizeof(T), [](uint8_t x) { return x == 0; }));
    std::allocator<T>().deallocate(p, n);
  }
  friend bool operator==(const RecordingAllocator& a, const RecordingAllocator& b) { return a.log == b.log; }
};

using Recorded = std::vector<uint8_t, WipingAllocator<uint8_t, RecordingAllocator<uint8_t>>>;

}  // namespace

TEST_CASE("WipingAllocator: every buffer a vector frees is zero, including those it outgrew", "[wipe]") {
  FreedBuffers log;
  {
    Recorded v{WipingAllocator<uint8_t, RecordingAllocator<uint8_t>>(RecordingAllocator<uint8_t>(&log))};
    for (int i = 0; i < 5000; ++i) v.push_back(static_cast<uint8_t>(0xA5 ^ i));  // several reallocations
    Recorded copy = v;
    CHECK(copy == v);
    copy.assign(3, 0x77);
    copy.shrink_to_fit();  // frees the large buffer of the copy
  }
  REQUIRE(log.allocated >= 5);  // the test exercised growth, not one buffer
  CHECK(log.zeroed.size() == log.allocated);
  CHECK(std::count(log.zeroed.begin(), log.zeroed.end(), false) == 0);
}

TEST_CASE("WipingAllocator: the recording allocator alone sees the data (the check above can fail)", "[wipe]") {
  FreedBuffers log;
  {
    std::vector<uint8_t, RecordingAllocator<uint8_t>> v{RecordingAllocator<uint8_t>(&log)};
    v.assign(64, 0x5C);
  }
  REQUIRE(log.zeroed.size() == 1);
  CHECK_FALSE(log.zeroed[0]);
}

TEST_CASE("WipedBytes compares, copies and moves like a byte vector", "[wipe]") {
  WipedBytes a{1, 2, 3};
  WipedBytes b = a;
  CHECK(a == b);
  WipedBytes c = std::move(b);
  CHECK(c == a);
  c.push_back(4);
  CHECK(c != a);
  CHECK(c.size() == 4);
}

TEST_CASE("wipe_string zeroes the whole buffer, past size() as well, and empties the string", "[wipe]") {
  std::string s(200, 'k');  // on the heap: longer than any small-string buffer
  s.resize(20);             // the tail keeps the old bytes; capacity is unchanged
  const size_t cap = s.capacity();
  REQUIRE(cap >= 200);
  const char* buf = s.data();
  REQUIRE(buf[100] == 'k');
  wipe_string(s);
  CHECK(s.empty());
  REQUIRE(s.data() == buf);  // clear() keeps the buffer, so it can be inspected
  CHECK(std::all_of(buf, buf + cap, [](char ch) { return ch == 0; }));
}
