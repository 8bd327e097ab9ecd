// base64url (RFC 4648 §5, unpadded): WebAuthn's encoding of every byte field and of the challenge.
#include <catch2/catch.hpp>

#include "crypto/passkey/base64url.h"
#include "tests/passkey/passkey_test_util.h"
#include "tests/test_support.h"

namespace custos::passkey {

TEST_CASE("base64url matches the RFC 4648 §10 test vectors (unpadded)", "[passkey][base64url]") {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64url_encode(testing::bytes_of(plain)) == encoded);
    auto decoded = base64url_decode(encoded);
    REQUIRE(decoded.has_value());
    CHECK(std::string(decoded->begin(), decoded->end()) == plain);
  }
}

TEST_CASE("base64url uses - and _ and round-trips random data", "[passkey][base64url]") {
  const std::vector<uint8_t> ff = {0xfb, 0xff, 0xbf};
  CHECK(base64url_encode(ff) == "-_-_");
  CUSTOS_SEEDED_RNG(rng, 7);
  for (size_t len = 0; len < 70; ++len) {
    std::vector<uint8_t> data(len);
    rng.fill(data);
    auto back = base64url_decode(base64url_encode(data));
    REQUIRE(back.has_value());
    CHECK(*back == data);
  }
}

TEST_CASE("strict base64url rejects padding, standard alphabet, whitespace and non-canonical bits", "[passkey][base64url]") {
  CHECK_FALSE(base64url_decode("Zg==").has_value());    // padding
  CHECK_FALSE(base64url_decode("+/+/").has_value());    // standard alphabet
  CHECK_FALSE(base64url_decode("Zm9v\n").has_value());  // whitespace
  CHECK_FALSE(base64url_decode("Zm 9v").has_value());
  CHECK_FALSE(base64url_decode("Z").has_value());       // 6 bits cannot be a byte
  CHECK_FALSE(base64url_decode("Zh").has_value());      // "Zg" with non-zero unused bits: same byte, second spelling
  CHECK_FALSE(base64url_decode("Zm9=").has_value());
}

TEST_CASE("lenient decoder accepts standard base64 with padding but not garbage", "[passkey][base64url]") {
  auto a = base64_any_decode("+/+/");
  REQUIRE(a.has_value());
  CHECK(*a == std::vector<uint8_t>{0xfb, 0xff, 0xbf});
  auto b = base64_any_decode("Zm8=");
  REQUIRE(b.has_value());
  CHECK(std::string(b->begin(), b->end()) == "fo");
  CHECK(base64_any_decode("Zg").has_value());
  CHECK_FALSE(base64_any_decode("Zg=").has_value());   // padding that does not complete a quantum
  CHECK_FALSE(base64_any_decode("Z===").has_value());
  CHECK_FALSE(base64_any_decode("Zm8*").has_value());
}

}  // namespace custos::passkey
