// Wycheproof signature vectors for the three WebAuthn algorithms, run through the same path an
// assertion takes: the vector's public key is encoded as a COSE key, parsed by parse_cose_key (so the
// key checks run too) and the signature goes through verify_signature.
//
// - ES256, DER file: the wire format WebAuthn uses. Every "valid" must verify, every "invalid"
//   (BER/non-minimal encodings, r or s = 0 or ≥ n, trailing bytes, wrong values) must be rejected.
// - ES256, P1363 file: r ‖ s is converted with es256_p1363_to_der() and then verified (DER path).
//   A P1363 signature whose length is not 64 is rejected by the conversion.
// - Ed25519: 64-byte signatures; OpenSSL rejects non-canonical S (SignatureMalleability).
// - RS256 (RSASSA-PKCS1-v1_5/SHA-256, 2048-bit): the one "acceptable" case is reported and may go
//   either way; the test prints which way it went.
#include <catch2/catch.hpp>

#include <map>

#include "crypto/passkey/cose_key.h"
#include "tests/passkey/passkey_test_util.h"

namespace custos::passkey {
namespace {

using testing::hex_bytes;
using testing::load_vector_json;

struct Tally {
  int valid_accepted = 0, invalid_rejected = 0, acceptable_accepted = 0, acceptable_rejected = 0;
  int total = 0;
};

// Runs every test of every group, with `make_key` turning a group into a COSE key and `prepare`
// turning a vector signature into what verify_signature receives (nullopt = rejected before it).
template <class MakeKey, class Prepare>
Tally run_file(const std::string& file, MakeKey make_key, Prepare prepare) {
  const nlohmann::json doc = load_vector_json("wycheproof/" + file);
  Tally tally;
  for (const auto& group : doc["testGroups"]) {
    const std::vector<uint8_t> cose = make_key(group);
    auto key = parse_cose_key(cose);
    INFO(file << " group key " << group.value("publicKeyDer", std::string()));
    REQUIRE(key.ok());
    for (const auto& t : group["tests"]) {
      const std::string result = t["result"].get<std::string>();
      const std::vector<uint8_t> msg = hex_bytes(t["msg"].get<std::string>());
      const std::vector<uint8_t> raw_sig = hex_bytes(t["sig"].get<std::string>());
      std::optional<std::vector<uint8_t>> sig = prepare(raw_sig);
      const bool accepted = sig.has_value() && !verify_signature(*key, msg, *sig).has_value();
      INFO(file << " tcId " << t["tcId"].get<int>() << " (" << t["comment"].get<std::string>() << ") expected "
                << result);
      ++tally.total;
      if (result == "valid") {
        CHECK(accepted);
        tally.valid_accepted += accepted;
      } else if (result == "invalid") {
        CHECK_FALSE(accepted);
        tally.invalid_rejected += !accepted;
      } else {
        REQUIRE(result == "acceptable");
        (accepted ? tally.acceptable_accepted : tally.acceptable_rejected)++;
        WARN(file << " tcId " << t["tcId"].get<int>() << " acceptable case " << t["comment"].get<std::string>()
                  << ": " << (accepted ? "accepted" : "rejected"));
      }
    }
  }
  return tally;
}

std::vector<uint8_t> ec_cose(const nlohmann::json& group) {
  const std::vector<uint8_t> point = hex_bytes(group["publicKey"]["uncompressed"].get<std::string>());
  REQUIRE(point.size() == 65);
  return encode_cose_ec2(std::span<const uint8_t>(point).subspan(1, 32), std::span<const uint8_t>(point).subspan(33, 32));
}

std::vector<uint8_t> strip_leading_zeros(std::vector<uint8_t> v) {
  while (v.size() > 1 && v[0] == 0) v.erase(v.begin());
  return v;
}

}  // namespace

TEST_CASE("wycheproof ecdsa_secp256r1_sha256 (DER) through verify_signature", "[passkey][wycheproof]") {
  Tally t = run_file("ecdsa_secp256r1_sha256_test.json", ec_cose,
                     [](const std::vector<uint8_t>& s) { return std::optional<std::vector<uint8_t>>(s); });
  CHECK(t.total == 484);
  CHECK(t.valid_accepted == 174);
  CHECK(t.invalid_rejected == 310);
}

TEST_CASE("wycheproof ecdsa_secp256r1_sha256 P1363 (converted to DER) through verify_signature", "[passkey][wycheproof]") {
  Tally t = run_file("ecdsa_secp256r1_sha256_p1363_test.json", ec_cose,
                     [](const std::vector<uint8_t>& s) { return es256_p1363_to_der(s); });
  CHECK(t.total == 262);
  CHECK(t.valid_accepted == 173);
  CHECK(t.invalid_rejected == 89);
}

TEST_CASE("wycheproof ed25519 through verify_signature", "[passkey][wycheproof]") {
  Tally t = run_file(
      "ed25519_test.json",
      [](const nlohmann::json& g) { return encode_cose_okp(hex_bytes(g["publicKey"]["pk"].get<std::string>())); },
      [](const std::vector<uint8_t>& s) { return std::optional<std::vector<uint8_t>>(s); });
  CHECK(t.total == 151);
  CHECK(t.valid_accepted == 88);
  CHECK(t.invalid_rejected == 63);
}

TEST_CASE("wycheproof rsa_signature_2048_sha256 (PKCS#1 v1.5) through verify_signature", "[passkey][wycheproof]") {
  Tally t = run_file(
      "rsa_signature_2048_sha256_test.json",
      [](const nlohmann::json& g) {
        return encode_cose_rsa(strip_leading_zeros(hex_bytes(g["publicKey"]["modulus"].get<std::string>())),
                               strip_leading_zeros(hex_bytes(g["publicKey"]["publicExponent"].get<std::string>())));
      },
      [](const std::vector<uint8_t>& s) { return std::optional<std::vector<uint8_t>>(s); });
  CHECK(t.total == 259);
  CHECK(t.valid_accepted == 9);
  CHECK(t.invalid_rejected == 249);
  CHECK(t.acceptable_accepted + t.acceptable_rejected == 1);
}

}  // namespace custos::passkey
