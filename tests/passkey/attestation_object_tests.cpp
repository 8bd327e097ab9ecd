// attestationObject decoding (WebAuthn L3 §6.5): strict CBOR, exactly fmt/attStmt/authData, limits.
#include <catch2/catch.hpp>

#include "crypto/passkey/attestation_object.h"
#include "tests/passkey/registration_builder.h"

namespace custos::passkey::testing {
namespace {

std::vector<uint8_t> encode_map(std::vector<std::pair<std::string, cbor_item_t*>> members, bool indefinite = false) {
  CborItemPtr map(indefinite ? cbor_new_indefinite_map() : cbor_new_definite_map(members.size()));
  for (auto& [key, value] : members) cbor_map_add(map.get(), text_pair(key.c_str(), value));
  return cbor_encode(map.get());
}

std::vector<uint8_t> minimal_auth_data() { return std::vector<uint8_t>(37, 0x01); }

void expect_malformed(const std::vector<uint8_t>& bytes, const std::string& fragment) {
  auto v = parse_attestation_object(bytes);
  REQUIRE_FALSE(v.ok());
  INFO(v.rejection().to_string());
  CHECK(v.rejection().reason == Reason::kAttestationObjectMalformed);
  CHECK(v.rejection().message.find(fragment) != std::string::npos);
}

TEST_CASE("a well-formed attestationObject decodes into fmt, statement and authData", "[passkey][attestation_object]") {
  CborItemPtr statement(cbor_new_definite_map(3));
  cbor_map_add(statement.get(), text_pair("alg", cbor_build_int(-7)));
  cbor_map_add(statement.get(), text_pair("sig", bytes_item({1, 2, 3})));
  CborItemPtr x5c(cbor_new_definite_array(1));
  cbor_array_push(x5c.get(), cbor_move(bytes_item({0x30, 0x00})));
  cbor_map_add(statement.get(), text_pair("x5c", cbor_incref(x5c.get())));
  const auto bytes = build_attestation_object("packed", cbor_incref(statement.get()), minimal_auth_data());
  auto v = parse_attestation_object(bytes);
  REQUIRE(v.ok());
  CHECK(v->fmt == "packed");
  CHECK(v->auth_data == minimal_auth_data());
  CHECK(v->statement.integer("alg").value() == -7);
  CHECK(v->statement.bytes("sig").value() == std::vector<uint8_t>{1, 2, 3});
  CHECK(v->statement.byte_strings("x5c").value().size() == 1);
  auto wrong = v->statement.bytes("alg");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.rejection().reason == Reason::kAttestationStatementInvalid);
  CHECK_FALSE(v->statement.integer("ver").ok());
}

TEST_CASE("trailing bytes after the attestationObject are rejected", "[passkey][attestation_object]") {
  auto bytes = build_attestation_object("none", cbor_new_definite_map(0), minimal_auth_data());
  REQUIRE(parse_attestation_object(bytes).ok());
  bytes.push_back(0xf6);
  expect_malformed(bytes, "trailing");
}

TEST_CASE("oversized and empty attestationObjects are rejected", "[passkey][attestation_object]") {
  const auto big = build_attestation_object("none", cbor_new_definite_map(0),
                                            std::vector<uint8_t>(kMaxAttestationObjectBytes, 0));
  expect_malformed(big, "262144-byte limit");
  expect_malformed({}, "empty");
}

TEST_CASE("indefinite-length items are rejected", "[passkey][attestation_object]") {
  const auto indefinite = encode_map({{"fmt", cbor_build_string("none")},
                                      {"attStmt", cbor_new_definite_map(0)},
                                      {"authData", bytes_item(minimal_auth_data())}},
                                     true);
  auto v = parse_attestation_object(indefinite);
  REQUIRE_FALSE(v.ok());
  CHECK(v.rejection().reason == Reason::kAttestationObjectMalformed);
  CHECK(v.rejection().message.find("indefinite") != std::string::npos);
}

TEST_CASE("duplicate keys are rejected", "[passkey][attestation_object]") {
  const auto duplicate = encode_map({{"fmt", cbor_build_string("none")},
                                     {"fmt", cbor_build_string("packed")},
                                     {"attStmt", cbor_new_definite_map(0)},
                                     {"authData", bytes_item(minimal_auth_data())}});
  auto v = parse_attestation_object(duplicate);
  REQUIRE_FALSE(v.ok());
  CHECK(v.rejection().reason == Reason::kAttestationObjectMalformed);
  CHECK(v.rejection().message.find("duplicate") != std::string::npos);
}

TEST_CASE("missing, extra and ill-typed members are rejected", "[passkey][attestation_object]") {
  auto ad = [] { return bytes_item(minimal_auth_data()); };
  expect_malformed(encode_map({{"attStmt", cbor_new_definite_map(0)}, {"authData", ad()}}), "fmt is missing");
  expect_malformed(encode_map({{"fmt", cbor_build_string("none")}, {"authData", ad()}}), "attStmt is missing");
  expect_malformed(encode_map({{"fmt", cbor_build_string("none")}, {"attStmt", cbor_new_definite_map(0)}}),
                   "authData is missing");
  expect_malformed(encode_map({{"fmt", cbor_build_string("none")},
                               {"attStmt", cbor_new_definite_map(0)},
                               {"authData", ad()},
                               {"extra", cbor_build_int(1)}}),
                   "unexpected key");
  expect_malformed(encode_map({{"fmt", cbor_build_int(1)}, {"attStmt", cbor_new_definite_map(0)}, {"authData", ad()}}),
                   "fmt is a");
  expect_malformed(encode_map({{"fmt", cbor_build_string("none")}, {"attStmt", cbor_new_definite_array(0)}, {"authData", ad()}}),
                   "attStmt is a");
  expect_malformed(encode_map({{"fmt", cbor_build_string("none")}, {"attStmt", cbor_new_definite_map(0)},
                               {"authData", cbor_build_string("text")}}),
                   "authData is a");
  expect_malformed(encode_map({{"fmt", cbor_build_string("")}, {"attStmt", cbor_new_definite_map(0)}, {"authData", ad()}}),
                   "fmt must be");
  CborItemPtr top(cbor_new_definite_array(0));
  expect_malformed(cbor_encode(top.get()), "not a map");
}

TEST_CASE("x5c limits: at most 8 certificates of at most 8 KiB", "[passkey][attestation_object]") {
  auto with_x5c = [](size_t count, size_t size) {
    cbor_item_t* statement = cbor_new_definite_map(1);
    cbor_item_t* x5c = cbor_new_definite_array(count);
    for (size_t i = 0; i < count; ++i) cbor_array_push(x5c, cbor_move(bytes_item(std::vector<uint8_t>(size, 0x30))));
    cbor_map_add(statement, text_pair("x5c", x5c));
    return build_attestation_object("packed", statement, std::vector<uint8_t>(37, 1));
  };
  CHECK(parse_attestation_object(with_x5c(8, kMaxCertificateBytes)).ok());
  expect_malformed(with_x5c(9, 100), "more than 8");
  expect_malformed(with_x5c(1, kMaxCertificateBytes + 1), "more than 8192");
  expect_malformed(with_x5c(0, 0), "x5c is empty");
  cbor_item_t* statement = cbor_new_definite_map(1);
  cbor_map_add(statement, text_pair("x5c", cbor_build_string("not an array")));
  expect_malformed(build_attestation_object("packed", statement, minimal_auth_data()), "array of byte strings");
}

TEST_CASE("nesting deeper than 8 levels is rejected", "[passkey][attestation_object]") {
  auto nested = [](int levels) {
    cbor_item_t* inner = cbor_build_int(0);
    for (int i = 0; i < levels; ++i) {
      cbor_item_t* array = cbor_new_definite_array(1);
      cbor_array_push(array, cbor_move(inner));
      inner = array;
    }
    cbor_item_t* statement = cbor_new_definite_map(1);
    cbor_map_add(statement, text_pair("deep", inner));
    return build_attestation_object("packed", statement, minimal_auth_data());
  };
  CHECK(parse_attestation_object(nested(5)).ok());  // depth 2 (map, attStmt) + 5 arrays + 1 leaf = 8
  auto v = parse_attestation_object(nested(7));
  REQUIRE_FALSE(v.ok());
  CHECK(v.rejection().reason == Reason::kAttestationObjectMalformed);
}

TEST_CASE("attStmt keys must be text", "[passkey][attestation_object]") {
  cbor_item_t* statement = cbor_new_definite_map(1);
  cbor_map_add(statement, int_pair(1, cbor_build_int(2)));
  expect_malformed(build_attestation_object("packed", statement, minimal_auth_data()), "only text keys");
}

}  // namespace
}  // namespace custos::passkey::testing
