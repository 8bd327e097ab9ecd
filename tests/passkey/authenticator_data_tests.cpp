// authenticatorData structure (WebAuthn L3 §6.1, §6.5.1): bounds, flags and what follows them.
#include <catch2/catch.hpp>

#include "crypto/passkey/authenticator_data.h"
#include "tests/passkey/passkey_test_util.h"

namespace custos::passkey {
namespace {

using testing::b64url;

const std::vector<uint8_t> kCose =
    *base64url_decode("pQECAyYgASFYIIeDTe-gN8A-zQclHoRnGFWN8ehM1b7yAsa8I8KIvmplIlgg4nFGT5px8o6gpPZZhO01wdy9crDSA_Ngtkx0vGpvPHI");

std::vector<uint8_t> fixed(uint8_t flags, uint32_t count = 5) {
  std::vector<uint8_t> ad(32, 0xaa);
  ad.push_back(flags);
  for (int shift = 24; shift >= 0; shift -= 8) ad.push_back(static_cast<uint8_t>(count >> shift));
  return ad;
}

std::vector<uint8_t> attested(uint8_t flags, size_t id_len = 16) {
  auto ad = fixed(flags | 0x40, 0);
  ad.insert(ad.end(), 16, 0x11);  // aaguid
  ad.push_back(static_cast<uint8_t>(id_len >> 8));
  ad.push_back(static_cast<uint8_t>(id_len));
  ad.insert(ad.end(), id_len, 0x22);
  ad.insert(ad.end(), kCose.begin(), kCose.end());
  return ad;
}

Rejection rejected(const std::vector<uint8_t>& ad) {
  auto r = parse_authenticator_data(ad);
  REQUIRE_FALSE(r.ok());
  return r.rejection();
}

}  // namespace

TEST_CASE("fixed part: rpIdHash, flags, big-endian signCount", "[passkey][authdata]") {
  auto ad = parse_authenticator_data(fixed(0x01 | 0x04 | 0x08 | 0x10, 0x01020304));
  REQUIRE(ad.ok());
  CHECK(ad->rp_id_hash[0] == 0xaa);
  CHECK(ad->flags.user_present);
  CHECK(ad->flags.user_verified);
  CHECK(ad->flags.backup_eligible);
  CHECK(ad->flags.backup_state);
  CHECK_FALSE(ad->flags.attested_credential);
  CHECK(ad->flags.raw == 0x1d);
  CHECK(ad->sign_count == 0x01020304u);
  CHECK(ad->raw.size() == 37);
}

TEST_CASE("truncated and trailing authenticatorData is rejected", "[passkey][authdata]") {
  const auto full = fixed(1);
  for (size_t n : {0, 1, 32, 33, 36}) {
    auto r = rejected(std::vector<uint8_t>(full.begin(), full.begin() + static_cast<long>(n)));
    CHECK(r.reason == Reason::kAuthenticatorDataMalformed);
    CHECK(r.message.find("truncated") != std::string::npos);
  }
  auto trailing = fixed(1);
  trailing.push_back(0);
  auto r = rejected(trailing);
  CHECK(r.reason == Reason::kAuthenticatorDataMalformed);
  CHECK(r.message.find("trailing") != std::string::npos);
  std::vector<uint8_t> huge = fixed(1);
  huge.resize(70000);
  CHECK(rejected(huge).reason == Reason::kAuthenticatorDataMalformed);
}

TEST_CASE("BS without BE is rejected", "[passkey][authdata]") {
  CHECK(rejected(fixed(0x01 | 0x10)).reason == Reason::kBackupStateInvalid);
}

TEST_CASE("attested credential data is parsed and bounds-checked", "[passkey][authdata]") {
  auto ad = parse_authenticator_data(attested(0x05));
  REQUIRE(ad.ok());
  REQUIRE(ad->attested.has_value());
  CHECK(ad->attested->aaguid[0] == 0x11);
  CHECK(ad->attested->credential_id == std::vector<uint8_t>(16, 0x22));
  CHECK(ad->attested->public_key_cose == kCose);
  CHECK(ad->attested->public_key.alg == CoseAlg::kES256);

  auto cut = attested(0x05);
  cut.resize(cut.size() - 1);  // key truncated
  CHECK(rejected(cut).reason == Reason::kCoseKeyInvalid);
  auto no_key = attested(0x05);
  no_key.resize(37 + 16 + 2 + 16);
  CHECK(rejected(no_key).reason == Reason::kAuthenticatorDataMalformed);
  auto short_id = attested(0x05);
  short_id.resize(37 + 16 + 2 + 3);  // id length says 16, only 3 present
  CHECK(rejected(short_id).reason == Reason::kAuthenticatorDataMalformed);
  CHECK(rejected(attested(0x05, 1024)).message.find("1023") != std::string::npos);
  auto trailing = attested(0x05);
  trailing.push_back(0xa0);  // an (empty) extensions map without the ED flag
  auto r = rejected(trailing);
  CHECK(r.reason == Reason::kAuthenticatorDataMalformed);
  CHECK(r.message.find("ED flag") != std::string::npos);
}

TEST_CASE("extensions must be one CBOR map announced by ED", "[passkey][authdata]") {
  auto with_ext = fixed(0x81);
  const std::vector<uint8_t> ext = {0xa1, 0x6b, 'c', 'r', 'e', 'd', 'P', 'r', 'o', 't', 'e', 'c', 't', 0x02};
  with_ext.insert(with_ext.end(), ext.begin(), ext.end());
  auto ad = parse_authenticator_data(with_ext);
  REQUIRE(ad.ok());
  CHECK(ad->extensions_cbor == ext);

  CHECK(rejected(fixed(0x81)).message.find("ED flag set but no extensions") != std::string::npos);
  auto not_map = fixed(0x81);
  not_map.push_back(0x01);
  CHECK(rejected(not_map).reason == Reason::kAuthenticatorDataMalformed);
  auto two = with_ext;
  two.push_back(0xa0);
  CHECK(rejected(two).reason == Reason::kAuthenticatorDataMalformed);
  auto indefinite = fixed(0x81);
  indefinite.insert(indefinite.end(), {0xbf, 0x01, 0x02, 0xff});
  CHECK(rejected(indefinite).reason == Reason::kAuthenticatorDataMalformed);
  auto ext_no_ed = fixed(0x01);
  ext_no_ed.insert(ext_no_ed.end(), ext.begin(), ext.end());
  CHECK(rejected(ext_no_ed).reason == Reason::kAuthenticatorDataMalformed);
}

}  // namespace custos::passkey
