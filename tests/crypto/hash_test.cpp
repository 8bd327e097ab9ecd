// SHA-256 / SHA-512 / HMAC-SHA512 known answers, incremental hashing and empty inputs.
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

template <size_t N>
std::string hex(const std::array<uint8_t, N>& d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 15]);
  }
  return s;
}

}  // namespace

TEST_CASE("hash: SHA-256 and SHA-512 known answers", "[hash]") {
  CHECK(hex(sha256(as_bytes("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256({})) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha512({})) ==
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a5"
        "38327af927da3e");
  CHECK(hex(sha512(as_bytes("abc"))) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9"
        "ac94fa54ca49f");
}

TEST_CASE("hash: incremental SHA-256 and forking", "[hash]") {
  std::string a(1000, 'a');
  Sha256 h;
  for (int i = 0; i < 10; ++i) h.update(std::string_view(a).substr(static_cast<size_t>(i) * 100, 100));
  CHECK(hex(h.finish()) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  CHECK(h.finish() == sha256(as_bytes(a)));  // finish() does not disturb the state
  Sha256 fork = h;
  fork.update("x");
  CHECK(h.finish() == sha256(as_bytes(a)));
  CHECK(fork.finish() == sha256(as_bytes(a + "x")));
  Sha256 assigned;
  assigned = fork;
  CHECK(assigned.finish() == fork.finish());
  Sha256 empty;
  empty.update(std::span<const uint8_t>());
  CHECK(empty.finish() == sha256({}));
}

TEST_CASE("hash: HMAC-SHA512 (RFC 4231) and empty inputs", "[hash]") {
  std::vector<uint8_t> key1(20, 0x0b);
  CHECK(hex(hmac_sha512(key1, as_bytes("Hi There"))) ==
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e6"
        "96c203a126854");
  CHECK(hex(hmac_sha512(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))) ==
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636"
        "e070a38bce737");
  // Regression: empty key and empty data used to abort inside OpenSSL's one-shot HMAC().
  CHECK(hex(hmac_sha512({}, {})) ==
        "b936cee86c9f87aa5d3c6f2e84cb5a4239a5fe50480a6ec66b70ab5b1f4ac6730c6c515421b327ec1d69402e53dfb49ad7381eb067b338fd7b0"
        "cb22247225d47");
  CHECK(hmac_sha512({}, as_bytes("x")) != hmac_sha512(as_bytes("k"), as_bytes("x")));
  CHECK(hmac_sha512(as_bytes("k"), {}) != hmac_sha512(as_bytes("k"), as_bytes("x")));
}
