// Wycheproof ECDSA secp256k1/SHA-256 vectors (C2SP/wycheproof testvectors_v1)
// through custos::ecdsa_verify_der (libsecp256k1) and, for signatures that are
// strict DER with 0 < r, s < q, through ecdsa_verify_openssl and ecdsa_verify.
//
//  * ecdsa_secp256k1_sha256_test.json: plain ECDSA, so high-s signatures are
//    valid -> allow_high_s = true.
//  * ecdsa_secp256k1_sha256_bitcoin_test.json: Bitcoin rules, high-s is
//    invalid (malleability) -> allow_high_s = false.
//
// Parse-level differences (documented, not failures):
//  * OpenSSL has no low-s rule, so in the bitcoin file a high-s signature that
//    is "invalid" for Wycheproof verifies under OpenSSL exactly when its low-s
//    twin (r, q - s) does; the test checks that equivalence instead.
//  * Signatures that are not strict DER (BER lengths, padding, trailing bytes,
//    wrong tags...) or whose r/s are 0, negative or >= q cannot be expressed as
//    an EcdsaSignature (two Scalars); only ecdsa_verify_der sees them, and it
//    must reject them (they are all "invalid" in both files; the test asserts it).
#include <openssl/bn.h>
#include <openssl/ec.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/point.h"
#include "crypto/scalar.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

std::vector<uint8_t> from_hex(const std::string& h) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  bool ok = h.size() % 2 == 0;
  std::vector<uint8_t> out;
  for (size_t i = 0; ok && i < h.size(); i += 2) {
    int a = nib(h[i]), b = nib(h[i + 1]);
    ok = a >= 0 && b >= 0;
    out.push_back(static_cast<uint8_t>(a * 16 + b));
  }
  if (!ok) FAIL("bad hex in vector file: " << h);
  return out;
}

// Strict-DER parse through OpenSSL (independent of libsecp256k1): d2i must
// consume everything and i2d must reproduce the input byte for byte; r and s
// must be in [1, q). Otherwise nullopt.
std::optional<EcdsaSignature> parse_der_strict(const std::vector<uint8_t>& der) {
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) return std::nullopt;
  std::optional<EcdsaSignature> out;
  unsigned char* again = nullptr;
  int len = i2d_ECDSA_SIG(sig, &again);
  bool canonical = p == der.data() + der.size() && len == static_cast<int>(der.size()) &&
                   std::equal(der.begin(), der.end(), again);
  OPENSSL_free(again);
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  if (canonical && !BN_is_negative(r) && !BN_is_negative(s) && BN_num_bytes(r) <= 32 && BN_num_bytes(s) <= 32) {
    std::array<uint8_t, 32> rb{}, sb{};
    BN_bn2binpad(r, rb.data(), 32);
    BN_bn2binpad(s, sb.data(), 32);
    auto rs = Scalar::from_bytes(rb);
    auto ss = Scalar::from_bytes(sb);
    if (rs.ok() && ss.ok() && !rs->is_zero() && !ss->is_zero()) {
      EcdsaSignature e;
      e.r = *rs;
      e.s = *ss;
      out = e;
    }
  }
  ECDSA_SIG_free(sig);
  return out;
}

struct Tally {
  size_t total = 0, valid = 0, invalid = 0, openssl_checked = 0, high_s_twins = 0;
};

Tally run_file(const std::string& name, bool bitcoin) {
  const std::string path = std::string(CUSTOS_SHARED_DIR) + "/vectors/wycheproof/" + name;
  std::ifstream in(path);
  INFO("vector file " << path);
  REQUIRE(in.good());
  nlohmann::json j = nlohmann::json::parse(in);
  REQUIRE(j["algorithm"] == "ECDSA");
  Tally t;
  for (const auto& group : j["testGroups"]) {
    REQUIRE(group["publicKey"]["curve"] == "secp256k1");
    REQUIRE(group["sha"] == "SHA-256");
    auto pk = Point::decode_sec1(from_hex(group["publicKey"]["uncompressed"].get<std::string>()));
    REQUIRE(pk.ok());
    for (const auto& tc : group["tests"]) {
      ++t.total;
      const int id = tc["tcId"].get<int>();
      const std::string result = tc["result"].get<std::string>();
      INFO(name << " tcId " << id << " (" << tc["comment"].get<std::string>() << ") flags " << tc["flags"].dump()
                << " expected " << result);
      REQUIRE((result == "valid" || result == "invalid"));
      const bool expected = result == "valid";
      (expected ? t.valid : t.invalid)++;
      auto msg = from_hex(tc["msg"].get<std::string>());
      Digest32 digest = sha256(msg);
      auto der = from_hex(tc["sig"].get<std::string>());

      CHECK(ecdsa_verify_der(*pk, digest, der, /*allow_high_s=*/!bitcoin) == expected);

      auto sig = parse_der_strict(der);
      if (!sig) {
        CHECK_FALSE(expected);  // only invalid vectors fail to parse as strict DER with in-range r, s
        continue;
      }
      ++t.openssl_checked;
      bool ossl = ecdsa_verify_openssl(*pk, digest, *sig);
      // The compact (two-Scalar) path agrees with the DER path.
      CHECK(ecdsa_verify(*pk, digest, *sig, !bitcoin) == expected);
      if (bitcoin && sig->s.is_high()) {
        // Bitcoin rejects every high-s signature; OpenSSL has no such rule.
        CHECK_FALSE(expected);
        EcdsaSignature twin = *sig;
        normalize_low_s(twin);
        CHECK(ossl == ecdsa_verify_openssl(*pk, digest, twin));
        CHECK(ossl == ecdsa_verify(*pk, digest, twin, false));
        ++t.high_s_twins;
      } else {
        CHECK(ossl == expected);
      }
    }
  }
  CHECK(t.total == j["numberOfTests"].get<size_t>());
  return t;
}

}  // namespace

TEST_CASE("wycheproof: ecdsa_secp256k1_sha256_test.json (high-s allowed)", "[wycheproof][ecdsa]") {
  Tally t = run_file("ecdsa_secp256k1_sha256_test.json", /*bitcoin=*/false);
  CHECK(t.total == 476);
  CHECK(t.valid == 168);
  CHECK(t.invalid == 308);
  CHECK(t.openssl_checked >= t.valid);
  CHECK(t.high_s_twins == 0);
}

TEST_CASE("wycheproof: ecdsa_secp256k1_sha256_bitcoin_test.json (low-s required)", "[wycheproof][ecdsa]") {
  Tally t = run_file("ecdsa_secp256k1_sha256_bitcoin_test.json", /*bitcoin=*/true);
  CHECK(t.total == 463);
  CHECK(t.valid == 162);
  CHECK(t.invalid == 301);
  CHECK(t.openssl_checked >= t.valid);
  CHECK(t.high_s_twins > 0);
}

TEST_CASE("ecdsa: empty and truncated DER are rejected without aborting", "[ecdsa]") {
  // Regression: an empty span (null data()) used to reach libsecp256k1's ARG_CHECK and abort.
  auto pk = Point::base_mul(Scalar::from_u64(1));
  Digest32 digest = sha256(as_bytes("msg"));
  CHECK_FALSE(ecdsa_verify_der(pk, digest, {}, true));
  CHECK_FALSE(ecdsa_verify_der(pk, digest, {}, false));
  std::vector<uint8_t> empty;
  CHECK_FALSE(ecdsa_verify_der(pk, digest, empty, true));
  const std::vector<uint8_t> tiny = {0x30, 0x00};
  CHECK_FALSE(ecdsa_verify_der(pk, digest, tiny, true));
  // Identity key and wrong digest length.
  const std::vector<uint8_t> sig = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
  CHECK_FALSE(ecdsa_verify_der(Point(), digest, sig, true));
  CHECK_FALSE(ecdsa_verify_der(pk, std::span<const uint8_t>(digest.data(), 31), sig, true));
}
