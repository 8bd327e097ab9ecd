// COSE_Key decoding (RFC 9052 §7, RFC 9053) and signature verification for ES256 / EdDSA / RS256.
#include <catch2/catch.hpp>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "crypto/hash.h"
#include "crypto/passkey/cose_key.h"
#include "sim/soft_authenticator.h"
#include "tests/passkey/passkey_test_util.h"
#include "tests/test_support.h"

namespace custos::passkey {
namespace {

using testing::b64url;
using testing::hex_bytes;

// A real ES256 credential key (py_webauthn EC2 authentication fixture):
// a5 01 02 03 26 20 01 21 58 20 <x> 22 58 20 <y>
const std::vector<uint8_t> kEs256 =
    *base64url_decode("pQECAyYgASFYIIeDTe-gN8A-zQclHoRnGFWN8ehM1b7yAsa8I8KIvmplIlgg4nFGT5px8o6gpPZZhO01wdy9crDSA_Ngtkx0vGpvPHI");
std::vector<uint8_t> x_of() { return {kEs256.begin() + 10, kEs256.begin() + 42}; }
std::vector<uint8_t> y_of() { return {kEs256.begin() + 45, kEs256.begin() + 77}; }

std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
std::vector<uint8_t> bstr32(const std::vector<uint8_t>& v) { return cat({{0x58, static_cast<uint8_t>(v.size())}, v}); }

Reason reject_reason(const std::vector<uint8_t>& cbor) {
  auto k = parse_cose_key(cbor);
  REQUIRE_FALSE(k.ok());
  return k.rejection().reason;
}

// Minimal DER INTEGER of a big-endian magnitude.
std::vector<uint8_t> der_int(std::vector<uint8_t> v) {
  while (v.size() > 1 && v[0] == 0 && !(v[1] & 0x80)) v.erase(v.begin());
  if (v[0] & 0x80) v.insert(v.begin(), 0);
  return cat({{0x02, static_cast<uint8_t>(v.size())}, v});
}
std::vector<uint8_t> der_sig(const std::vector<uint8_t>& r, const std::vector<uint8_t>& s) {
  auto body = cat({der_int(r), der_int(s)});
  return cat({{0x30, static_cast<uint8_t>(body.size())}, body});
}

const std::vector<uint8_t> kOrder = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

}  // namespace

TEST_CASE("valid ES256, EdDSA and RS256 COSE keys parse", "[passkey][cose]") {
  auto k = parse_cose_key(kEs256);
  REQUIRE(k.ok());
  CHECK(k->alg == CoseAlg::kES256);
  CHECK(k->cbor == kEs256);
  auto okp = parse_cose_key(b64url("pAEBAycgBiFYIMz6_SUFLiDid2Yhlq0YboyJ-CDrIrNpkPUGmJp4D3Dp"));
  REQUIRE(okp.ok());
  CHECK(okp->alg == CoseAlg::kEdDSA);
  auto rsa = parse_cose_key(b64url(
      "pAEDAzkBACBZAQDfV20epzvQP-HtcdDpX-cGzdOxy73WQEvsU7Dnr9UWJophEfpngouvgnRLXaEUn_d8HGkp_HIx8rrpkx4BVs6X_B6ZjhLlezjIdJbLbVeb92"
      "BaEsmNn1HW2N9Xj2QM8cH-yx28_vCjf82ahQ9gyAr552Bn96G22n8jqFRQKdVpO-f-bvpvaP3IQ9F5LCX7CUaxptgbog1SFO6FI6ob5SlVVB00lVXsaYg8cID"
      "ZxCkkENkGiFPgwEaZ7995SCbiyCpUJbMqToLMgojPkAhWeyktu7TlK6UBWdJMHc3FPAIs0lH_2_2hKS-mGI1uZAFVAfW1X-mzKL0czUm2P1UlUox7IUMBAAE"));
  REQUIRE(rsa.ok());
  CHECK(rsa->alg == CoseAlg::kRS256);
}

TEST_CASE("prefix parsing reports the bytes used and keeps what follows", "[passkey][cose]") {
  auto with_tail = cat({kEs256, {0xa1, 0x01, 0x02}});
  size_t used = 0;
  auto k = parse_cose_key_prefix(with_tail, &used);
  REQUIRE(k.ok());
  CHECK(used == kEs256.size());
  CHECK(k->cbor == kEs256);
  auto strict = parse_cose_key(with_tail);  // whole-buffer parse: trailing bytes
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.rejection().reason == Reason::kCoseKeyInvalid);
  CHECK(strict.rejection().message.find("trailing") != std::string::npos);
}

TEST_CASE("malformed EC2 keys are rejected", "[passkey][cose]") {
  const auto x = x_of(), y = y_of();
  const std::vector<uint8_t> head = {0x01, 0x02, 0x03, 0x26};  // kty 2, alg -7
  // 31-byte x
  std::vector<uint8_t> x31(x.begin() + 1, x.end());
  CHECK(reject_reason(cat({{0xa5}, head, {0x20, 0x01, 0x21}, bstr32(x31), {0x22}, bstr32(y)})) == Reason::kCoseKeyInvalid);
  // missing y
  CHECK(reject_reason(cat({{0xa4}, head, {0x20, 0x01, 0x21}, bstr32(x)})) == Reason::kCoseKeyInvalid);
  // compressed point (y = true)
  CHECK(reject_reason(cat({{0xa5}, head, {0x20, 0x01, 0x21}, bstr32(x), {0x22, 0xf5}})) == Reason::kCoseKeyInvalid);
  // wrong curve for ES256: P-384 (crv 2) and Ed25519 (crv 6)
  CHECK(reject_reason(cat({{0xa5}, head, {0x20, 0x02, 0x21}, bstr32(x), {0x22}, bstr32(y)})) == Reason::kCoseKeyInvalid);
  CHECK(reject_reason(cat({{0xa5}, head, {0x20, 0x06, 0x21}, bstr32(x), {0x22}, bstr32(y)})) == Reason::kCoseKeyInvalid);
  // kty OKP with alg ES256
  CHECK(reject_reason(cat({{0xa5, 0x01, 0x01, 0x03, 0x26}, {0x20, 0x01, 0x21}, bstr32(x), {0x22}, bstr32(y)})) ==
        Reason::kCoseKeyInvalid);
  // point not on the curve
  auto y_bad = y;
  y_bad[31] ^= 1;
  auto off = parse_cose_key(cat({{0xa5}, head, {0x20, 0x01, 0x21}, bstr32(x), {0x22}, bstr32(y_bad)}));
  REQUIRE_FALSE(off.ok());
  CHECK(off.rejection().reason == Reason::kCoseKeyInvalid);
  CHECK(off.rejection().message.find("not on the P-256 curve") != std::string::npos);
  // duplicate map key (kty twice)
  auto dup = parse_cose_key(cat({{0xa6}, head, {0x01, 0x02, 0x20, 0x01, 0x21}, bstr32(x), {0x22}, bstr32(y)}));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.rejection().message.find("duplicate") != std::string::npos);
  // the same key label spelt non-minimally (0x18 0x03 = 3) still collides
  CHECK(reject_reason(cat({{0xa6}, head, {0x18, 0x03, 0x26, 0x20, 0x01, 0x21}, bstr32(x), {0x22}, bstr32(y)})) ==
        Reason::kCoseKeyInvalid);
  // indefinite-length map
  auto indef = parse_cose_key(cat({{0xbf}, head, {0x20, 0x01, 0x21}, bstr32(x), {0x22}, bstr32(y), {0xff}}));
  REQUIRE_FALSE(indef.ok());
  CHECK(indef.rejection().message.find("indefinite") != std::string::npos);
  // indefinite-length byte string for x
  CHECK(reject_reason(cat({{0xa5}, head, {0x20, 0x01, 0x21, 0x5f}, bstr32(x), {0xff, 0x22}, bstr32(y)})) ==
        Reason::kCoseKeyInvalid);
  // private key included
  CHECK(reject_reason(cat({{0xa6}, head, {0x20, 0x01, 0x21}, bstr32(x), {0x22}, bstr32(y), {0x23}, bstr32(x)})) ==
        Reason::kCoseKeyInvalid);
  // not a map, empty, truncated
  CHECK(reject_reason({0x80}) == Reason::kCoseKeyInvalid);
  CHECK(reject_reason({}) == Reason::kCoseKeyInvalid);
  CHECK(reject_reason(std::vector<uint8_t>(kEs256.begin(), kEs256.end() - 1)) == Reason::kCoseKeyInvalid);
  // missing alg
  CHECK(reject_reason(cat({{0xa4, 0x01, 0x02, 0x20, 0x01, 0x21}, bstr32(x), {0x22}, bstr32(y)})) == Reason::kCoseKeyInvalid);
}

TEST_CASE("oversized, deep and lying CBOR is rejected before allocation", "[passkey][cose]") {
  // A map declaring 2^32-1 entries.
  CHECK(reject_reason({0xba, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02}) == Reason::kCoseKeyInvalid);
  // A byte string declaring 2^63 bytes.
  CHECK(reject_reason({0xa1, 0x01, 0x5b, 0x80, 0, 0, 0, 0, 0, 0, 0}) == Reason::kCoseKeyInvalid);
  // Nesting five deep: {1: [[[[0]]]]}
  auto deep = parse_cose_key(std::vector<uint8_t>{0xa1, 0x01, 0x81, 0x81, 0x81, 0x81, 0x00});
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.rejection().message.find("nesting") != std::string::npos);
  // 70 KiB COSE key (a byte string value under a private-use label).
  // {<the five ES256 entries>, -65537: h'00...' (0x11800 bytes)}
  std::vector<uint8_t> big = cat({{0xa6}, std::vector<uint8_t>(kEs256.begin() + 1, kEs256.end()),
                                  {0x3a, 0x00, 0x01, 0x00, 0x00, 0x5a, 0x00, 0x01, 0x18, 0x00}});
  big.resize(big.size() + 0x11800, 0);
  auto b = parse_cose_key(big);
  REQUIRE_FALSE(b.ok());
  CHECK(b.rejection().message.find("larger than") != std::string::npos);
  // Tags are not part of COSE_Key encodings.
  CHECK(reject_reason(cat({{0xa5}, {0x01, 0x02, 0x03, 0x26}, {0x20, 0x01, 0x21, 0xc2}, bstr32(x_of()), {0x22}, bstr32(y_of())})) ==
        Reason::kCoseKeyInvalid);
}

TEST_CASE("unsupported algorithms are reported as not allowed, key type mismatches as invalid", "[passkey][cose]") {
  const auto x = x_of(), y = y_of();
  // ES384 (-35), PS256 (-37), ML-DSA-44 (-48): we do not verify these.
  for (uint8_t neg : {0x22, 0x24, 0x2f}) {
    auto k = parse_cose_key(cat({{0xa5, 0x01, 0x02, 0x03, static_cast<uint8_t>(0x38), static_cast<uint8_t>(neg - 0x20)},
                                 {0x20, 0x01, 0x21}, bstr32(x), {0x22}, bstr32(y)}));
    REQUIRE_FALSE(k.ok());
    CHECK(k.rejection().reason == Reason::kAlgorithmNotAllowed);
  }
  // EdDSA with an EC2 kty, Ed448 curve
  CHECK(reject_reason(cat({{0xa4, 0x01, 0x02, 0x03, 0x27, 0x20, 0x06, 0x21}, bstr32(x)})) == Reason::kCoseKeyInvalid);
  CHECK(reject_reason(cat({{0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x07, 0x21}, bstr32(x)})) == Reason::kCoseKeyInvalid);
  // Ed25519 key of 31 bytes
  CHECK(reject_reason(cat({{0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21}, bstr32(std::vector<uint8_t>(31, 9))})) ==
        Reason::kCoseKeyInvalid);
}

std::vector<uint8_t> rsa_modulus(unsigned bits) {
  EVP_PKEY* k = EVP_RSA_gen(bits);
  REQUIRE(k != nullptr);
  BIGNUM* n = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(k, "n", &n) == 1);
  std::vector<uint8_t> out(static_cast<size_t>(BN_num_bytes(n)));
  BN_bn2bin(n, out.data());
  BN_free(n);
  EVP_PKEY_free(k);
  return out;
}

TEST_CASE("RSA keys: at least 2048 bits, no leading zeros, odd exponent", "[passkey][cose]") {
  const std::vector<uint8_t> n1024 = rsa_modulus(1024), n2048 = rsa_modulus(2048);
  const std::vector<uint8_t> e = {0x01, 0x00, 0x01};
  REQUIRE(parse_cose_key(encode_cose_rsa(n2048, e)).ok());
  auto small = parse_cose_key(encode_cose_rsa(n1024, e));
  REQUIRE_FALSE(small.ok());
  CHECK(small.rejection().message.find("1024 bits") != std::string::npos);
  CHECK(reject_reason(encode_cose_rsa(cat({{0x00}, n2048}), e)) == Reason::kCoseKeyInvalid);
  CHECK(reject_reason(encode_cose_rsa(n2048, std::vector<uint8_t>{0x01, 0x00, 0x00})) == Reason::kCoseKeyInvalid);
  CHECK(reject_reason(encode_cose_rsa(n2048, std::vector<uint8_t>{0x01})) == Reason::kCoseKeyInvalid);
  CHECK(reject_reason(encode_cose_rsa(n2048, std::vector<uint8_t>{0x00, 0x01, 0x00, 0x01})) == Reason::kCoseKeyInvalid);
  CHECK(reject_reason(encode_cose_rsa(n2048, e, -7)) == Reason::kCoseKeyInvalid);  // kty RSA with ES256
}

TEST_CASE("ES256 signatures must be strict DER with r, s in [1, n-1]", "[passkey][cose][signature]") {
  auto auth = sim::SoftAuthenticator::create(sim::SoftKeyType::kES256);
  REQUIRE(auth.ok());
  auto key = parse_cose_key(auth->public_key_cose());
  REQUIRE(key.ok());
  const std::vector<uint8_t> ad(37, 0x42);
  const std::string cd = "{}";
  const std::vector<uint8_t> sig = auth->sign(ad, testing::bytes_of(cd));
  std::vector<uint8_t> message = ad;
  const Digest32 h = sha256(testing::bytes_of(cd));
  message.insert(message.end(), h.begin(), h.end());
  REQUIRE_FALSE(verify_signature(*key, message, sig).has_value());

  // Pull r and s out of the DER to rebuild variants.
  REQUIRE(sig[0] == 0x30);
  const size_t rlen = sig[3];
  std::vector<uint8_t> r(sig.begin() + 4, sig.begin() + 4 + static_cast<long>(rlen));
  const size_t soff = 4 + rlen;
  std::vector<uint8_t> s(sig.begin() + static_cast<long>(soff) + 2, sig.end());
  REQUIRE_FALSE(verify_signature(*key, message, der_sig(r, s)).has_value());

  auto expect = [&](const std::vector<uint8_t>& bad, Reason reason) {
    auto rej = verify_signature(*key, message, bad);
    REQUIRE(rej.has_value());
    CHECK(rej->reason == reason);
  };
  // s + n (> n, so ≥ n): same residue, must not verify.
  BIGNUM* bs = BN_bin2bn(s.data(), static_cast<int>(s.size()), nullptr);
  BIGNUM* bn = BN_bin2bn(kOrder.data(), 32, nullptr);
  BN_add(bs, bs, bn);
  std::vector<uint8_t> s_plus_n(static_cast<size_t>(BN_num_bytes(bs)));
  BN_bn2bin(bs, s_plus_n.data());
  BN_free(bs);
  BN_free(bn);
  expect(der_sig(r, s_plus_n), Reason::kSignatureInvalid);
  expect(der_sig(r, kOrder), Reason::kSignatureInvalid);                 // s = n
  expect(der_sig(kOrder, s), Reason::kSignatureInvalid);                 // r = n
  expect(der_sig({0}, s), Reason::kSignatureInvalid);                    // r = 0
  expect(der_sig(r, {0}), Reason::kSignatureInvalid);                    // s = 0
  // Negative s: INTEGER with the high bit set and no 0x00 pad.
  std::vector<uint8_t> neg = cat({{0x30, static_cast<uint8_t>(rlen + 2 + 2 + 32)}, der_int(r), {0x02, 0x20}, std::vector<uint8_t>(32, 0xff)});
  auto rn = verify_signature(*key, message, neg);
  REQUIRE(rn.has_value());
  CHECK((rn->reason == Reason::kSignatureMalformed || rn->reason == Reason::kSignatureInvalid));
  // BER: long-form SEQUENCE length.
  std::vector<uint8_t> ber = cat({{0x30, 0x81, sig[1]}, std::vector<uint8_t>(sig.begin() + 2, sig.end())});
  expect(ber, Reason::kSignatureMalformed);
  // BER: INTEGER r padded with a redundant zero byte.
  std::vector<uint8_t> padded_r = cat({{0x02, static_cast<uint8_t>(r.size() + 1), 0x00}, r});
  auto body = cat({padded_r, der_int(s)});
  expect(cat({{0x30, static_cast<uint8_t>(body.size())}, body}), Reason::kSignatureMalformed);
  // Trailing byte, truncated, raw r‖s instead of DER.
  expect(cat({sig, {0x00}}), Reason::kSignatureMalformed);
  expect(std::vector<uint8_t>(sig.begin(), sig.end() - 1), Reason::kSignatureMalformed);
  auto rs = cat({std::vector<uint8_t>(32 - std::min<size_t>(32, r.size() - (r[0] == 0)), 0),
                 std::vector<uint8_t>(r.begin() + (r[0] == 0), r.end())});
  REQUIRE(rs.size() == 32);
  auto ss = cat({std::vector<uint8_t>(32 - (s.size() - (s[0] == 0)), 0), std::vector<uint8_t>(s.begin() + (s[0] == 0), s.end())});
  auto raw = cat({rs, ss});
  CHECK(verify_signature(*key, message, raw).has_value());
  // ... while the P1363 conversion of the same r‖s verifies.
  auto converted = es256_p1363_to_der(raw);
  REQUIRE(converted.has_value());
  CHECK_FALSE(verify_signature(*key, message, *converted).has_value());
  // A different message fails.
  message[0] ^= 1;
  expect(sig, Reason::kSignatureInvalid);
}

TEST_CASE("EdDSA and RS256 signature length checks", "[passkey][cose][signature]") {
  auto auth = sim::SoftAuthenticator::create(sim::SoftKeyType::kEdDSA);
  REQUIRE(auth.ok());
  auto key = parse_cose_key(auth->public_key_cose());
  REQUIRE(key.ok());
  const std::vector<uint8_t> ad(37, 7);
  auto sig = auth->sign(ad, testing::bytes_of("x"));
  REQUIRE(sig.size() == 64);
  std::vector<uint8_t> message = ad;
  const Digest32 h = sha256(testing::bytes_of("x"));
  message.insert(message.end(), h.begin(), h.end());
  CHECK_FALSE(verify_signature(*key, message, sig).has_value());
  auto longer = sig;
  longer.push_back(0);
  auto r = verify_signature(*key, message, longer);
  REQUIRE(r.has_value());
  CHECK(r->reason == Reason::kSignatureMalformed);
  auto flipped = sig;
  flipped[10] ^= 0x20;
  r = verify_signature(*key, message, flipped);
  REQUIRE(r.has_value());
  CHECK(r->reason == Reason::kSignatureInvalid);
  r = verify_signature(*key, message, std::vector<uint8_t>(2000, 1));
  REQUIRE(r.has_value());
  CHECK(r->reason == Reason::kSignatureMalformed);
}

}  // namespace custos::passkey
