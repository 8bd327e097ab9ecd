// clientDataJSON parsing and checks (WebAuthn L3 §5.8.1, §7.2 steps 9-14).
#include <catch2/catch.hpp>

#include "crypto/passkey/base64url.h"
#include "crypto/passkey/client_data.h"
#include "tests/passkey/passkey_test_util.h"

namespace custos::passkey {
namespace {

using testing::bytes_of;

const std::vector<uint8_t> kChallenge = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

std::string cd_json(const std::string& type, const std::string& challenge, const std::string& origin,
                    const std::string& extra = "") {
  return "{\"type\":\"" + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + origin +
         "\",\"crossOrigin\":false" + extra + "}";
}

OriginPolicy policy() {
  OriginPolicy p;
  p.allowed_origins = {"https://custos.example", "https://approve.custos.example:8443"};
  return p;
}

std::optional<Rejection> check(const std::string& json, const OriginPolicy& p = policy(),
                               const std::string& type = "webauthn.get") {
  auto cd = parse_client_data(bytes_of(json));
  REQUIRE(cd.ok());
  return check_client_data(*cd, type, kChallenge, p);
}

}  // namespace

TEST_CASE("browser clientDataJSON parses and passes", "[passkey][client_data]") {
  const std::string good = cd_json("webauthn.get", base64url_encode(kChallenge), "https://custos.example");
  auto cd = parse_client_data(bytes_of(good));
  REQUIRE(cd.ok());
  CHECK(cd->type == "webauthn.get");
  CHECK(cd->origin == "https://custos.example");
  CHECK_FALSE(cd->cross_origin);
  CHECK(cd->raw == std::vector<uint8_t>(good.begin(), good.end()));
  CHECK_FALSE(check(good).has_value());
  // Unknown members are ignored (§5.8.1.2: Chrome injects "other_keys_can_be_added_here").
  CHECK_FALSE(check(cd_json("webauthn.get", base64url_encode(kChallenge), "https://custos.example",
                            ",\"other_keys_can_be_added_here\":\"do not compare clientDataJSON against a template\""))
                  .has_value());
}

TEST_CASE("clientDataJSON that is not a well-formed object is malformed", "[passkey][client_data]") {
  const std::vector<std::string> bad = {
      "", "[]", "\"webauthn.get\"", "{", "{\"type\":\"webauthn.get\"}",  // missing members
      "{\"type\":1,\"challenge\":\"AA\",\"origin\":\"https://custos.example\"}",
      "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"https://custos.example\",\"crossOrigin\":\"false\"}",
      "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"https://custos.example\",\"topOrigin\":7}",
      // A second "origin": two parsers could disagree on which one counts.
      "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"https://custos.example\",\"origin\":\"https://evil.example\"}",
      "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"https://custos.example\"} trailing",
      "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"\xff\xfe\"}",  // not UTF-8
      "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"o\",\"tokenBinding\":{\"status\":\"maybe\"}}",
      // The draft value, not in the Level 2 enumeration (py_webauthn rejects it too).
      "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"o\",\"tokenBinding\":{\"status\":\"not-supported\"}}",
      "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"o\",\"tokenBinding\":7}",
  };
  for (const auto& json : bad) {
    INFO(json);
    auto cd = parse_client_data(bytes_of(json));
    REQUIRE_FALSE(cd.ok());
    CHECK(cd.rejection().reason == Reason::kClientDataMalformed);
  }
  // Old clients wrote a bare string; it carries nothing and is ignored.
  CHECK(parse_client_data(bytes_of("{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"o\","
                                   "\"tokenBinding\":\"unused\"}"))
            .ok());
  CHECK(parse_client_data(bytes_of("{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"o\","
                                   "\"tokenBinding\":{\"status\":\"present\",\"id\":\"AA\"}}"))
            .ok());
  std::string deep = "{\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"o\",\"x\":" + std::string(40, '[') +
                     std::string(40, ']') + "}";
  CHECK_FALSE(parse_client_data(bytes_of(deep)).ok());
  std::string huge = cd_json("webauthn.get", "AA", "https://custos.example", ",\"pad\":\"" + std::string(70000, 'a') + "\"");
  auto big = parse_client_data(bytes_of(huge));
  REQUIRE_FALSE(big.ok());
  CHECK(big.rejection().reason == Reason::kClientDataMalformed);
}

TEST_CASE("wrong type is rejected", "[passkey][client_data]") {
  const std::string c = base64url_encode(kChallenge);
  for (const std::string& type : std::vector<std::string>{"webauthn.create", "payment.get", "WEBAUTHN.GET", "webauthn.get "}) {
    auto r = check(cd_json(type, c, "https://custos.example"));
    REQUIRE(r.has_value());
    CHECK(r->reason == Reason::kWrongType);
  }
}

TEST_CASE("challenge is compared as the exact unpadded base64url string", "[passkey][client_data]") {
  const std::string c = base64url_encode(kChallenge);
  std::vector<uint8_t> other = kChallenge;
  other[0] ^= 1;
  // Padded, standard-alphabet, truncated, other bytes: all different strings.
  for (const std::string& wrong : std::vector<std::string>{c + "==", c.substr(0, c.size() - 1), base64url_encode(other), std::string(""),
                                  std::string("AQIDBAUGBwgJCgsMDQ4PEA=")}) {
    INFO(wrong);
    auto r = check(cd_json("webauthn.get", wrong, "https://custos.example"));
    REQUIRE(r.has_value());
    CHECK(r->reason == Reason::kChallengeMismatch);
    CHECK(r->message.find("does not match") != std::string::npos);
  }
}

TEST_CASE("origin must match an allowed origin exactly", "[passkey][client_data]") {
  const std::string c = base64url_encode(kChallenge);
  const std::vector<std::string> tricks = {
      "https://custos.example.evil.example",  // suffix
      "https://evil.example",
      "https://evilcustos.example",
      "https://sub.custos.example",            // subdomain
      "http://custos.example",                 // scheme
      "https://custos.example:443",            // explicit default port
      "https://custos.example:8443",           // port of the other allowed origin
      "https://custos.example/",               // trailing slash
      "https://CUSTOS.example",                // case
      "https://custos.example.",               // trailing dot
      "https://custos.exampl",                 // prefix
      "https://approve.custos.example",        // allowed origin without its port
      " https://custos.example",
      "null",
      "",
  };
  for (const auto& origin : tricks) {
    INFO(origin);
    auto r = check(cd_json("webauthn.get", c, origin));
    REQUIRE(r.has_value());
    CHECK(r->reason == Reason::kOriginNotAllowed);
    CHECK(r->message == "origin " + origin + " is not allowed");
  }
  CHECK_FALSE(check(cd_json("webauthn.get", c, "https://approve.custos.example:8443")).has_value());
}

TEST_CASE("origin in a message is escaped", "[passkey][client_data]") {
  auto r = check(cd_json("webauthn.get", base64url_encode(kChallenge), "https://evil.example\\u001b[2J"));
  REQUIRE(r.has_value());
  CHECK(r->message.find('\x1b') == std::string::npos);
  CHECK(r->message.find("\\x1b") != std::string::npos);
}

TEST_CASE("crossOrigin and topOrigin", "[passkey][client_data]") {
  const std::string c = base64url_encode(kChallenge);
  auto cross = [&](const std::string& extra) {
    return "{\"type\":\"webauthn.get\",\"challenge\":\"" + c + "\",\"origin\":\"https://custos.example\",\"crossOrigin\":true" +
           extra + "}";
  };
  OriginPolicy p = policy();
  auto r = check(cross(",\"topOrigin\":\"https://shop.example\""), p);
  REQUIRE(r.has_value());
  CHECK(r->reason == Reason::kCrossOriginNotAllowed);

  p.allow_cross_origin = true;
  p.allowed_top_origins = {"https://shop.example"};
  CHECK_FALSE(check(cross(",\"topOrigin\":\"https://shop.example\""), p).has_value());
  r = check(cross(",\"topOrigin\":\"https://evil.example\""), p);
  REQUIRE(r.has_value());
  CHECK(r->reason == Reason::kTopOriginNotAllowed);
  CHECK(r->message == "topOrigin https://evil.example is not allowed");
  r = check(cross(""), p);
  REQUIRE(r.has_value());
  CHECK(r->reason == Reason::kTopOriginNotAllowed);
  // topOrigin without crossOrigin is not something a browser sends.
  r = check(cd_json("webauthn.get", c, "https://custos.example", ",\"topOrigin\":\"https://shop.example\""), p);
  REQUIRE(r.has_value());
  CHECK(r->reason == Reason::kTopOriginNotAllowed);
}

}  // namespace custos::passkey
