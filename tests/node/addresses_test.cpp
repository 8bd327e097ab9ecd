// Address encodings of node/api/addresses.h and Keccak-256 of node/api/keccak.h,
// pinned by published vectors (sources named at each test).
#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/point.h"
#include "node/api/addresses.h"
#include "node/api/keccak.h"

using namespace custos;
using namespace custos::node;

namespace {

std::string hex(std::span<const uint8_t> b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

std::vector<uint8_t> unhex(std::string_view h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

}  // namespace

TEST_CASE("keccak256: the empty string and \"abc\" (Keccak team / Ethereum vectors)", "[addresses][keccak]") {
  CHECK(hex(keccak256({})) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  CHECK(hex(keccak256(as_bytes("abc"))) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  // The padding is the only difference from SHA3-256 (FIPS 202 vector for "abc"): proves the domain byte matters.
  CHECK(hex(sha3_256(as_bytes("abc"))) == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
}

TEST_CASE("keccak sponge: SHA3-256 agrees with OpenSSL at every length around the 136-byte rate", "[addresses][keccak]") {
  // Same permutation and absorbing as keccak256, so agreement at 0..300 bytes
  // (one, two and three blocks, and the padding byte colliding with the last
  // byte at length 135) checks the multi-block path no fixed vector above reaches.
  std::vector<uint8_t> msg;
  for (size_t len = 0; len <= 300; ++len) {
    std::array<uint8_t, 32> want{};
    unsigned int n = 0;
    REQUIRE(EVP_Digest(msg.data(), msg.size(), want.data(), &n, EVP_sha3_256(), nullptr) == 1);
    REQUIRE(n == 32);
    INFO("length " << len);
    REQUIRE(sha3_256(msg) == want);
    msg.push_back(static_cast<uint8_t>(len * 7 + 1));
  }
}

TEST_CASE("eip55: the EIP-55 test vectors, from any input case; bad input refused", "[addresses][eip55]") {
  // https://eips.ethereum.org/EIPS/eip-55 "Test Cases" (all caps, all lower, normal).
  const char* vectors[] = {
      "52908400098527886E0F7030069857D2E4169EE7", "8617E340B3D01FA5F11F306F4090FD50E238070D",
      "de709f2102306220921060314715629080e2fb77", "27b1fdb04752bbc536007a920d24acb045561c26",
      "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
      "dbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "D1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
  };
  for (const char* v : vectors) {
    std::string want(v);
    std::string lower = want, upper = want;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto a = eip55_checksum(lower);
    auto b = eip55_checksum(upper);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(*a == want);
    CHECK(*b == want);
  }
  CHECK(eip55_checksum("52908400098527886E0F7030069857D2E4169EE").status().code() == Code::kInvalidArgument);
  CHECK(eip55_checksum("0x52908400098527886E0F7030069857D2E4169E").status().code() == Code::kInvalidArgument);
  CHECK(eip55_checksum("g2908400098527886E0F7030069857D2E4169EE7").status().code() == Code::kInvalidArgument);
}

TEST_CASE("ethereum_address: private key 1 (the generator)", "[addresses][ethereum]") {
  CHECK(ethereum_address(Point::generator()) == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  CHECK(ethereum_address(Point::identity()).empty());
}

TEST_CASE("bech32: BIP-173 valid checksums; bad hrp, data and length refused", "[addresses][bech32]") {
  // BIP-173 "Test vectors", valid Bech32 strings (lower-cased).
  auto empty = bech32_encode("a", {});
  REQUIRE(empty.ok());
  CHECK(*empty == "a12uel5l");
  std::vector<uint8_t> all32;
  for (uint8_t i = 0; i < 32; ++i) all32.push_back(i);
  auto every = bech32_encode("abcdef", all32);
  REQUIRE(every.ok());
  CHECK(*every == "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw");

  CHECK_FALSE(bech32_encode("", {}).ok());
  CHECK_FALSE(bech32_encode("BC", {}).ok());
  CHECK_FALSE(bech32_encode("b c", {}).ok());
  std::vector<uint8_t> bad{0, 32};
  CHECK_FALSE(bech32_encode("bc", bad).ok());
  std::vector<uint8_t> long_data(82, 0);  // 2 + 1 + 82 + 6 = 91 > 90
  CHECK_FALSE(bech32_encode("bc", long_data).ok());
  long_data.pop_back();  // exactly 90 is allowed
  CHECK(bech32_encode("bc", long_data).ok());
}

TEST_CASE("bitcoin addresses of the generator: BIP-173 P2WPKH and P2PKH", "[addresses][bitcoin]") {
  // The BIP-173 P2WPKH vector's key is G's compressed encoding; check that first.
  auto g = Point::decode(unhex("0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"));
  REQUIRE(g.ok());
  REQUIRE(*g == Point::generator());
  CHECK(bitcoin_p2wpkh_address(*g) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  CHECK(bitcoin_p2wpkh_address(*g, false) == "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx");
  CHECK(bitcoin_p2pkh_address(*g) == "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH");
  // Testnet (version 0x6f) of the same hash160, computed independently with a Python base58check.
  CHECK(bitcoin_p2pkh_address(*g, false) == "mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r");
  CHECK(bitcoin_p2wpkh_address(Point::identity()).empty());
  CHECK(bitcoin_p2pkh_address(Point::identity()).empty());
}
