// BIP-32 public derivation: the public-derivation steps of BIP-32 test vectors 1
// and 2 (xpub strings from the BIP text), the invalid xpubs of test vector 5,
// path parsing, Base58 and the tweak-sum identity used by threshold signers.
#include <string>
#include <vector>

#include "crypto/bip32.h"
#include "crypto/hash.h"
#include "crypto/rng.h"
#include "tests/test_support.h"

using namespace custos;

namespace {

std::vector<uint8_t> unhex(std::string_view h) {
  std::vector<uint8_t> out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
  };
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(nib(h[i]) * 16 + nib(h[i + 1])));
  return out;
}

constexpr uint32_t H = kBip32HardenedBit;

// BIP-32 test vector 1 (seed 000102030405060708090a0b0c0d0e0f).
const char* const kV1_m =
    "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
const char* const kV1_m_0H =
    "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw";
const char* const kV1_m_0H_1 =
    "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ";
const char* const kV1_m_0H_1_2H =
    "xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4trkrX7x7DogT5Uv6fcLW5";
const char* const kV1_m_0H_1_2H_2 =
    "xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7fe5JnJ7dh8zL4fiyLHV";
const char* const kV1_m_0H_1_2H_2_1000000000 =
    "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy";

// BIP-32 test vector 2 (seed fffcf9f6...484542).
const char* const kV2_m =
    "xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJY47LJhkJ8UB7WEGuduB";
const char* const kV2_m_0 =
    "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH";
const char* const kV2_m_0_2147483647H =
    "xpub6ASAVgeehLbnwdqV6UKMHVzgqAG8Gr6riv3Fxxpj8ksbH9ebxaEyBLZ85ySDhKiLDBrQSARLq1uNRts8RuJiHjaDMBU4Zn9h8LZNnBC5y4a";
const char* const kV2_m_0_2147483647H_1 =
    "xpub6DF8uhdarytz3FWdA8TvFSvvAh8dP3283MY7p2V4SeE2wyWmG5mg5EwVvmdMVCQcoNJxGoWaU9DCWh89LojfZ537wTfunKau47EL2dhHKon";
const char* const kV2_m_0_2147483647H_1_2147483646H =
    "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL";
const char* const kV2_m_0_2147483647H_1_2147483646H_2 =
    "xpub6FnCn6nSzZAw5Tw7cgR9bi15UV96gLZhjDstkXXxvCLsUXBGXPdSnLFbdpq8p9HmGsApME5hQTZ3emM2rnY5agb9rXpVGyy3bdW6EEgAtqt";

ExtendedPublicKey parse_or_fail(const char* s) {
  auto r = from_xpub(s);
  INFO(s << ": " << r.status());
  REQUIRE(r.ok());
  return *r;
}

void check_step(const char* parent_xpub, uint32_t index, const char* expected_child) {
  INFO("parent " << parent_xpub << " index " << index);
  ExtendedPublicKey parent = parse_or_fail(parent_xpub);
  auto child = derive_child(parent, index);
  REQUIRE(child.ok());
  CHECK(to_xpub(child->first) == expected_child);
  CHECK(child->first == parse_or_fail(expected_child));
  CHECK(parent.key + Point::base_mul(child->second) == child->first.key);
}

}  // namespace

TEST_CASE("bip32: every test-vector xpub round-trips through from_xpub/to_xpub", "[bip32]") {
  for (const char* s : {kV1_m, kV1_m_0H, kV1_m_0H_1, kV1_m_0H_1_2H, kV1_m_0H_1_2H_2, kV1_m_0H_1_2H_2_1000000000, kV2_m,
                        kV2_m_0, kV2_m_0_2147483647H, kV2_m_0_2147483647H_1, kV2_m_0_2147483647H_1_2147483646H,
                        kV2_m_0_2147483647H_1_2147483646H_2}) {
    INFO(s);
    ExtendedPublicKey x = parse_or_fail(s);
    CHECK(to_xpub(x) == s);
  }
  ExtendedPublicKey m = parse_or_fail(kV1_m);
  CHECK(m.depth == 0);
  CHECK(m.parent_fingerprint == 0);
  CHECK(m.child_number == 0);
  ExtendedPublicKey m0h = parse_or_fail(kV1_m_0H);
  CHECK(m0h.depth == 1);
  CHECK(m0h.child_number == (0 | H));
  CHECK(m0h.parent_fingerprint == 0x3442193eu);  // fingerprint of the vector-1 master key
  CHECK(key_fingerprint(m.key) == 0x3442193eu);
  ExtendedPublicKey v2leaf = parse_or_fail(kV2_m_0_2147483647H_1_2147483646H_2);
  CHECK(v2leaf.depth == 5);
  CHECK(v2leaf.child_number == 2);
  CHECK(v2leaf.parent_fingerprint == 0x31a507b8u);
}

TEST_CASE("bip32: test vector 1 public derivation steps", "[bip32]") {
  check_step(kV1_m_0H, 1, kV1_m_0H_1);
  check_step(kV1_m_0H_1_2H, 2, kV1_m_0H_1_2H_2);
  check_step(kV1_m_0H_1_2H_2, 1000000000, kV1_m_0H_1_2H_2_1000000000);
  // m/0H/1 -> m/0H/1/2H is hardened: rejected, and not as an "invalid child".
  auto hard = derive_child(parse_or_fail(kV1_m_0H_1), 2 | H);
  REQUIRE_FALSE(hard.ok());
  CHECK(hard.status().code() == Code::kInvalidArgument);
  CHECK_FALSE(is_bip32_invalid_child(hard.status()));
  CHECK(hard.status().message().find("hardened") != std::string::npos);
}

TEST_CASE("bip32: test vector 2 public derivation steps", "[bip32]") {
  check_step(kV2_m, 0, kV2_m_0);
  check_step(kV2_m_0_2147483647H, 1, kV2_m_0_2147483647H_1);
  check_step(kV2_m_0_2147483647H_1_2147483646H, 2, kV2_m_0_2147483647H_1_2147483646H_2);
  // m/0 -> m/0/2147483647H and m/0/2147483647H/1 -> .../2147483646H are hardened.
  for (auto [parent, index] : {std::pair{kV2_m_0, 2147483647u | H}, std::pair{kV2_m_0_2147483647H_1, 2147483646u | H}}) {
    auto r = derive_child(parse_or_fail(parent), index);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
  // Hardened boundary: 2^31 - 1 is the largest normal index, 2^31 the smallest hardened one.
  CHECK(derive_child(parse_or_fail(kV2_m), 0x7fffffffu).ok());
  CHECK_FALSE(derive_child(parse_or_fail(kV2_m), 0x80000000u).ok());
}

TEST_CASE("bip32: derive_path matches chained steps and sums the tweaks", "[bip32]") {
  SECTION("vector 1: m/0H/1/2H + [2, 1000000000]") {
    ExtendedPublicKey root = parse_or_fail(kV1_m_0H_1_2H);
    std::vector<uint32_t> path = {2, 1000000000};
    auto d = derive_path(root, path);
    REQUIRE(d.ok());
    CHECK(to_xpub(d->xpub) == kV1_m_0H_1_2H_2_1000000000);
    CHECK(root.key + Point::base_mul(d->tweak) == d->xpub.key);
    auto parsed = parse_path("m/2/1000000000");
    REQUIRE(parsed.ok());
    CHECK(*parsed == path);
  }
  SECTION("vector 2: m + [0] and a hardened component in the middle") {
    ExtendedPublicKey root = parse_or_fail(kV2_m);
    std::vector<uint32_t> path = {0};
    auto d = derive_path(root, path);
    REQUIRE(d.ok());
    CHECK(to_xpub(d->xpub) == kV2_m_0);
    CHECK(root.key + Point::base_mul(d->tweak) == d->xpub.key);
    std::vector<uint32_t> hardened = {0, 2147483647u | H, 1};
    auto bad = derive_path(root, hardened);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().code() == Code::kInvalidArgument);
    CHECK(bad.status().message().find("component 1") != std::string::npos);
  }
  SECTION("empty path: the root and a zero tweak") {
    ExtendedPublicKey root = parse_or_fail(kV1_m);
    auto d = derive_path(root, {});
    REQUIRE(d.ok());
    CHECK(d->xpub == root);
    CHECK(d->tweak.is_zero());
  }
  SECTION("random roots and paths") {
    CUSTOS_SEEDED_RNG(rng, 3201);
    for (int iter = 0; iter < 20; ++iter) {
      ExtendedPublicKey root;
      root.key = Point::base_mul(Scalar::random_nonzero(rng));
      rng.fill(root.chain_code);
      root.depth = static_cast<uint8_t>(rng.next_u64() % 4);
      std::vector<uint32_t> path(1 + rng.next_u64() % 6);
      for (auto& i : path) i = static_cast<uint32_t>(rng.next_u64() % H);
      auto d = derive_path(root, path);
      REQUIRE(d.ok());
      // Same result step by step, with the per-step tweaks adding up.
      ExtendedPublicKey cur = root;
      Scalar sum;
      for (uint32_t i : path) {
        auto step = derive_child(cur, i);
        REQUIRE(step.ok());
        CHECK(step->first.parent_fingerprint == key_fingerprint(cur.key));
        CHECK(step->first.child_number == i);
        CHECK(step->first.depth == cur.depth + 1);
        cur = step->first;
        sum += step->second;
      }
      CHECK(d->xpub == cur);
      CHECK(d->tweak == sum);
      CHECK(root.key + Point::base_mul(d->tweak) == d->xpub.key);
      CHECK(size_t{d->xpub.depth} == root.depth + path.size());
      // The serialization round-trips (depth > 0 or the root fields are zero).
      auto back = from_xpub(to_xpub(d->xpub));
      REQUIRE(back.ok());
      CHECK(*back == d->xpub);
    }
  }
}

TEST_CASE("bip32: derivation rejects an identity parent and a depth overflow", "[bip32]") {
  ExtendedPublicKey x = parse_or_fail(kV1_m);
  x.depth = 255;
  auto r = derive_child(x, 0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  ExtendedPublicKey o;
  auto r2 = derive_child(o, 0);
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.status().code() == Code::kInvalidArgument);
}

TEST_CASE("bip32: parse_path", "[bip32]") {
  auto ok = [](std::string_view p) {
    auto r = parse_path(p);
    INFO(p << ": " << r.status());
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(ok("m").empty());
  CHECK(ok("m/0/1/2") == std::vector<uint32_t>{0, 1, 2});
  CHECK(ok("m/2147483647") == std::vector<uint32_t>{2147483647u});
  CHECK(ok("m/44/0/0/0/5") == std::vector<uint32_t>{44, 0, 0, 0, 5});
  for (const char* hardened : {"m/0'", "m/0h", "m/0H", "m/1/2'/3", "m/44h/0/0"}) {
    auto r = parse_path(hardened);
    INFO(hardened);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message().find("hardened") != std::string::npos);
  }
  // 2^31 and above would be a hardened index written as a number.
  for (const char* big : {"m/2147483648", "m/4294967295", "m/99999999999999999999"}) {
    auto r = parse_path(big);
    INFO(big);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
  for (const char* bad : {"", "0/1", "M/0", "m/", "m//1", "m/1/", "m/-1", "m/+1", "m/1a", "m/ 1", "m/1/x", "m0",
                          "/0", "m/0''", "m/0'/"}) {
    auto r = parse_path(bad);
    INFO("'" << bad << "'");
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("bip32: from_xpub rejects the invalid xpubs of test vector 5 and other bad input", "[bip32]") {
  const char* const invalid[] = {
      // pubkey version / prvkey mismatch (key data starts with 00)
      "xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6LBpB85b3D2yc8sfvZU521AAwdZafEz7mnzBBsz4wKY5fTtTQBm",
      // invalid pubkey prefix 04
      "xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6Txnt3siSujt9RCVYsx4qHZGc62TG4McvMGcAUjeuwZdduYEvFn",
      // invalid pubkey prefix 01
      "xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6N8ZMMXctdiCjxTNq964yKkwrkBJJwpzZS4HS2fxvyYUA4q2Xe4",
      // zero depth with non-zero parent fingerprint
      "xpub661no6RGEX3uJkY4bNnPcw4URcQTrSibUZ4NqJEw5eBkv7ovTwgiT91XX27VbEXGENhYRCf7hyEbWrR3FewATdCEebj6znwMfQkhRYHRLpJ",
      // zero depth with non-zero index
      "xpub661MyMwAuDcm6CRQ5N4qiHKrJ39Xe1R1NyfouMKTTWcguwVcfrZJaNvhpebzGerh7gucBvzEQWRugZDuDXjNDRmXzSZe4c7mnTK97pTvGS8",
      // unknown extended key version
      "DMwo58pR1QLEFihHiXPVykYB6fJmsTeHvyTp7hRThAtCX8CvYzgPcn8XnmdfHPmHJiEDXkTiJTVV9rHEBUem2mwVbbNfvT2MTcAqj3nesx8uBf9",
      // invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007 (not on the curve)
      "xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6Q5JXayek4PRsn35jii4veMimro1xefsM58PgBMrvdYre8QyULY",
  };
  for (const char* s : invalid) {
    auto r = from_xpub(s);
    INFO(s << ": " << r.status());
    CHECK_FALSE(r.ok());
    CHECK_FALSE(is_bip32_invalid_child(r.status()));
  }
  // A private extended key (vector 1 master xprv) is refused with a specific message.
  auto xprv = from_xpub(
      "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi");
  REQUIRE_FALSE(xprv.ok());
  CHECK(xprv.status().message().find("private") != std::string::npos);

  std::string good = kV1_m_0H_1;
  // A changed character breaks the checksum.
  std::string flipped = good;
  flipped[20] = flipped[20] == 'a' ? 'b' : 'a';
  CHECK_FALSE(from_xpub(flipped).ok());
  // Characters outside the Base58 alphabet.
  for (char c : {'0', 'O', 'I', 'l', '+', ' '}) {
    std::string bad = good;
    bad[30] = c;
    CHECK_FALSE(from_xpub(bad).ok());
  }
  CHECK_FALSE(from_xpub("").ok());
  CHECK_FALSE(from_xpub(good.substr(0, good.size() - 1)).ok());
  CHECK_FALSE(from_xpub(good + "1").ok());
  // Right checksum, wrong payload length.
  std::vector<uint8_t> short_payload(77, 0x11);
  CHECK_FALSE(from_xpub(base58check_encode(short_payload)).ok());
}

TEST_CASE("bip32: Base58 and Base58Check", "[bip32]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"61", "2g"},
      {"626262", "a3gV"},
      {"636363", "aPEr"},
      {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
      {"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
      {"516b6fcd0f", "ABnLTmg"},
      {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
      {"572e4794", "3EFU7m"},
      {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
      {"10c8511e", "Rt5zm"},
      {"00000000000000000000", "1111111111"},
  };
  for (auto [hex, b58] : vectors) {
    INFO(hex);
    auto bytes = unhex(hex);
    CHECK(base58_encode(bytes) == b58);
    auto back = base58_decode(b58);
    REQUIRE(back.ok());
    CHECK(*back == bytes);
  }
  CUSTOS_SEEDED_RNG(rng, 3202);
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> data(rng.next_u64() % 90);
    rng.fill(data);
    size_t zeros = rng.next_u64() % 4;
    for (size_t k = 0; k < zeros && k < data.size(); ++k) data[k] = 0;
    auto back = base58check_decode(base58check_encode(data));
    REQUIRE(back.ok());
    CHECK(*back == data);
  }
  CHECK_FALSE(base58check_decode("1").ok());  // shorter than a checksum
  CHECK_FALSE(base58_decode(std::string(2000, '2')).ok());  // over the length bound
}

TEST_CASE("bip32: hash160 and fingerprints", "[bip32]") {
  // RIPEMD160(SHA256(pubkey)) of the vector-2 m/0/2147483647H/1/2147483646H/2 key.
  auto key = unhex("024d902e1a2fc7a8755ab5b694c575fce742c48d9ff192e63df5193e4c7afe1f9c");
  auto id = hash160(key);
  CHECK(std::vector<uint8_t>(id.begin(), id.end()) == unhex("26132fdbe7bf89cbc64cf8dafa3f9f88b8666220"));
  auto p = Point::decode(key);
  REQUIRE(p.ok());
  CHECK(key_fingerprint(*p) == 0x26132fdbu);
  CHECK(parse_or_fail(kV2_m_0_2147483647H_1_2147483646H_2).key == *p);
}
