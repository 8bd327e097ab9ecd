// The field validators on their own, with vectors whose status is known independently
// (RFC 8032 keys, small-order points from the Ed25519 literature, Z85 from libzmq).
#include <catch2/catch.hpp>

#include "config/validate.h"

namespace custos::config {
namespace {

bool accepted(const Checked<Key32>& c) { return std::holds_alternative<Key32>(c); }
std::string problem(const Checked<Key32>& c) { return accepted(c) ? "" : std::get<std::string>(c); }

TEST_CASE("validate: Ed25519 public keys", "[config][validate]") {
  // RFC 8032 §7.1 test 1 public key.
  const auto rfc = parse_ed25519_public_key("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  REQUIRE(accepted(rfc));
  CHECK(std::get<Key32>(rfc)[0] == 0xd7);
  CHECK(accepted(parse_ed25519_public_key("D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A")));
  // y = 2 has no x on the curve; y = 3 has one (and is of large order).
  CHECK(problem(parse_ed25519_public_key("02" + std::string(62, '0'))).find("not a point") != std::string::npos);
  CHECK(accepted(parse_ed25519_public_key("03" + std::string(62, '0'))));
  // Small order: the neutral element (y = 1), a point of order 4 (y = 0), a point of order 8.
  CHECK(problem(parse_ed25519_public_key("01" + std::string(62, '0'))).find("small order") != std::string::npos);
  CHECK(problem(parse_ed25519_public_key(std::string(64, '0'))).find("small order") != std::string::npos);
  CHECK(problem(parse_ed25519_public_key("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"))
            .find("small order") != std::string::npos);
  // Non-canonical: y = p, and x = 0 with the sign bit set.
  CHECK(problem(parse_ed25519_public_key("ed" + std::string(60, 'f') + "7f")).find("canonical") != std::string::npos);
  CHECK(problem(parse_ed25519_public_key("01" + std::string(60, '0') + "80")).find("canonical") != std::string::npos);
  CHECK(problem(parse_ed25519_public_key("abc")) == "not 64 hex characters (has 3)");
}

TEST_CASE("validate: CURVE public keys in Z85", "[config][validate]") {
  // A CURVE public key as printed in the libzmq examples (curve_keygen output).
  const auto k = parse_curve_public_key("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
  REQUIRE(accepted(k));
  CHECK(curve_key_to_z85(std::get<Key32>(k)) == "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
  CHECK(problem(parse_curve_public_key("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI")) == "not 40 Z85 characters (has 39)");
  CHECK(problem(parse_curve_public_key("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI\"")).find("Z85 alphabet") != std::string::npos);
  CHECK(problem(parse_curve_public_key("#####w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID")).find("does not decode") != std::string::npos);
  CHECK(problem(parse_curve_public_key(std::string(40, '0'))).find("all-zero") != std::string::npos);
}

TEST_CASE("validate: endpoints", "[config][validate]") {
  CHECK_FALSE(check_zmq_endpoint("tcp://127.0.0.1:7101", false));
  CHECK_FALSE(check_zmq_endpoint("tcp://node-2.example.net:7102", false));
  CHECK_FALSE(check_zmq_endpoint("tcp://[::1]:7102", false));
  CHECK_FALSE(check_zmq_endpoint("tcp://*:7101", true));
  CHECK(check_zmq_endpoint("tcp://*:7101", false));
  CHECK(check_zmq_endpoint("ipc:///tmp/x", false));
  CHECK(check_zmq_endpoint("tcp://127.0.0.1", false));
  CHECK(check_zmq_endpoint("tcp://127.0.0.1:0", false));
  CHECK(check_zmq_endpoint("tcp://127.0.0.1:65536", false));
  CHECK(check_zmq_endpoint("tcp://300.1.1.1:7101", false));
  CHECK(check_zmq_endpoint("tcp://::1:7101", false));
  CHECK(check_zmq_endpoint("tcp://bad_host:7101", false));
  bool loopback = false;
  CHECK_FALSE(check_host_port("127.0.0.1:7201", &loopback));
  CHECK(loopback);
  CHECK_FALSE(check_host_port("localhost:7201", &loopback));
  CHECK(loopback);
  CHECK_FALSE(check_host_port("[::1]:7201", &loopback));
  CHECK(loopback);
  CHECK_FALSE(check_host_port("10.0.0.5:7201", &loopback));
  CHECK_FALSE(loopback);
  CHECK(check_host_port("10.0.0.5", &loopback));
}

TEST_CASE("validate: origins and rp ids", "[config][validate]") {
  CHECK_FALSE(check_origin("https://wallet.example.com", "wallet.example.com"));
  CHECK_FALSE(check_origin("https://a.wallet.example.com:8443", "wallet.example.com"));
  CHECK_FALSE(check_origin("http://localhost:8080", "localhost"));
  CHECK_FALSE(check_origin("http://127.0.0.1:8080", "127.0.0.1"));
  CHECK(*check_origin("https://badwallet.example.com", "wallet.example.com") ==
        "host badwallet.example.com is neither the rp_id wallet.example.com nor a subdomain of it");
  CHECK(check_origin("http://wallet.example.com", "wallet.example.com")->find("only for localhost") != std::string::npos);
  CHECK(check_origin("https://wallet.example.com/", "")->find("trailing slash") != std::string::npos);
  CHECK(check_origin("https://wallet.example.com/x", "")->find("path") != std::string::npos);
  CHECK(check_origin("https://wallet.example.com?x", "")->find("query") != std::string::npos);
  CHECK(check_origin("https://u@wallet.example.com", "")->find("user information") != std::string::npos);
  CHECK(check_origin("http://localhost:80", "")->find("default port 80") != std::string::npos);
  CHECK_FALSE(check_rp_id("localhost"));
  CHECK_FALSE(check_rp_id("wallet.example.com"));
  CHECK(check_rp_id(""));
  CHECK(check_rp_id("Wallet.example.com"));
  CHECK(check_rp_id("wallet.example.com."));
  CHECK(check_rp_id("wallet.example.com:443"));
  CHECK(check_rp_id("-bad.example.com"));
}

TEST_CASE("validate: names", "[config][validate]") {
  CHECK_FALSE(check_approver_id("alice"));
  CHECK_FALSE(check_approver_id("alice.smith@example.com"));
  CHECK(check_approver_id(""));
  CHECK(check_approver_id("-alice"));
  CHECK(check_approver_id("alice smith"));
  CHECK(check_approver_id(std::string(65, 'a')));
  CHECK_FALSE(check_env_var_name("CUSTOS_KEK_PASSPHRASE"));
  CHECK(check_env_var_name("1ABC"));
  CHECK(check_env_var_name("A-B"));
  CHECK(check_display_name("tab\there"));
}

}  // namespace
}  // namespace custos::config
