// Test helper: builds and mutates registration responses with libcbor and OpenSSL (no hand-written CBOR),
// for the negative tests of the registration and attestation verifiers.
#pragma once

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "crypto/passkey/base64url.h"
#include "crypto/passkey/cbor_strict.h"
#include "crypto/passkey/registration.h"

namespace custos::passkey::testing {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

inline Pkey generate_p256() { return Pkey(EVP_EC_gen("P-256")); }

inline std::vector<uint8_t> bn_bytes(EVP_PKEY* key, const char* name, size_t width) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::vector<uint8_t> out(width);
  BN_bn2binpad(bn, out.data(), static_cast<int>(width));
  BN_free(bn);
  return out;
}

inline cbor_pair int_pair(int64_t label, cbor_item_t* value) {
  return cbor_pair{cbor_move(cbor_build_int(label)), cbor_move(value)};
}
inline cbor_pair text_pair(const char* key, cbor_item_t* value) {
  return cbor_pair{cbor_move(cbor_build_string(key)), cbor_move(value)};
}
inline cbor_item_t* bytes_item(const std::vector<uint8_t>& b) { return cbor_build_bytestring(b.data(), b.size()); }

// COSE_Key for an EC2 P-256 key with the given alg label (normally -7).
inline std::vector<uint8_t> cose_ec2(EVP_PKEY* key, int64_t alg = -7) {
  CborItemPtr map(cbor_new_definite_map(5));
  cbor_map_add(map.get(), int_pair(1, cbor_build_int(2)));
  cbor_map_add(map.get(), int_pair(3, cbor_build_int(alg)));
  cbor_map_add(map.get(), int_pair(-1, cbor_build_int(1)));
  cbor_map_add(map.get(), int_pair(-2, bytes_item(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))));
  cbor_map_add(map.get(), int_pair(-3, bytes_item(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))));
  return cbor_encode(map.get());
}

struct AuthDataSpec {
  std::string rp_id = "custos.example";
  uint8_t flags = 0x45;  // UP | UV | AT
  uint32_t sign_count = 0;
  std::array<uint8_t, 16> aaguid{};
  std::vector<uint8_t> credential_id = std::vector<uint8_t>(16, 0xc1);
  std::vector<uint8_t> cose_key;  // appended when AT is set
};

inline std::vector<uint8_t> build_auth_data(const AuthDataSpec& s) {
  const Digest32 rp_hash = sha256(as_bytes(s.rp_id));
  std::vector<uint8_t> out(rp_hash.begin(), rp_hash.end());
  out.push_back(s.flags);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(s.sign_count >> shift));
  if ((s.flags & 0x40) != 0) {
    out.insert(out.end(), s.aaguid.begin(), s.aaguid.end());
    out.push_back(static_cast<uint8_t>(s.credential_id.size() >> 8));
    out.push_back(static_cast<uint8_t>(s.credential_id.size()));
    out.insert(out.end(), s.credential_id.begin(), s.credential_id.end());
    out.insert(out.end(), s.cose_key.begin(), s.cose_key.end());
  }
  return out;
}

// {"fmt": fmt, "attStmt": att_stmt (consumed), "authData": auth_data}
inline std::vector<uint8_t> build_attestation_object(const std::string& fmt, cbor_item_t* att_stmt,
                                                     const std::vector<uint8_t>& auth_data) {
  CborItemPtr map(cbor_new_definite_map(3));
  cbor_map_add(map.get(), text_pair("fmt", cbor_build_string(fmt.c_str())));
  cbor_map_add(map.get(), text_pair("attStmt", att_stmt));
  cbor_map_add(map.get(), text_pair("authData", bytes_item(auth_data)));
  return cbor_encode(map.get());
}

inline std::string client_data_json(const std::vector<uint8_t>& challenge, const std::string& origin,
                                    const std::string& type = "webauthn.create") {
  nlohmann::json j = {{"type", type}, {"challenge", base64url_encode(challenge)}, {"origin", origin}, {"crossOrigin", false}};
  return j.dump();
}

inline std::string response_json(const std::vector<uint8_t>& raw_id, const std::string& client_data,
                                  const std::vector<uint8_t>& attestation_object) {
  nlohmann::json j = {{"id", base64url_encode(raw_id)},
                      {"rawId", base64url_encode(raw_id)},
                      {"type", "public-key"},
                      {"response",
                       {{"clientDataJSON", base64url_encode(std::vector<uint8_t>(client_data.begin(), client_data.end()))},
                        {"attestationObject", base64url_encode(attestation_object)}}}};
  return j.dump();
}

inline std::vector<uint8_t> sign_es256(EVP_PKEY* key, const std::vector<uint8_t>& message) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  size_t length = 0;
  EVP_DigestSign(ctx, nullptr, &length, message.data(), message.size());
  std::vector<uint8_t> sig(length);
  EVP_DigestSign(ctx, sig.data(), &length, message.data(), message.size());
  sig.resize(length);
  EVP_MD_CTX_free(ctx);
  return sig;
}

// Re-encodes an attestationObject with one top-level or attStmt member replaced (value consumed) or,
// when value is null, removed. `in_statement` selects attStmt.
inline std::vector<uint8_t> rewrite_attestation_object(const std::vector<uint8_t>& original, const std::string& key,
                                                       cbor_item_t* value, bool in_statement = false) {
  cbor_load_result result{};
  CborItemPtr root(cbor_load(original.data(), original.size(), &result));
  auto rebuild = [](cbor_item_t* map, const std::string& k, cbor_item_t* v) {
    const size_t n = cbor_map_size(map);
    cbor_pair* pairs = cbor_map_handle(map);
    bool replaced = false;
    CborItemPtr out(cbor_new_definite_map(n + 1));
    for (size_t i = 0; i < n; ++i) {
      const bool match = cbor_isa_string(pairs[i].key) &&
                         std::string(reinterpret_cast<const char*>(cbor_string_handle(pairs[i].key)),
                                     cbor_string_length(pairs[i].key)) == k;
      if (match) {
        replaced = true;
        if (v != nullptr) cbor_map_add(out.get(), cbor_pair{cbor_move(cbor_build_string(k.c_str())), cbor_move(v)});
      } else {
        cbor_map_add(out.get(), cbor_pair{pairs[i].key, pairs[i].value});
      }
    }
    if (!replaced && v != nullptr) cbor_map_add(out.get(), cbor_pair{cbor_move(cbor_build_string(k.c_str())), cbor_move(v)});
    return out;
  };
  if (!in_statement) return cbor_encode(rebuild(root.get(), key, value).get());
  cbor_item_t* statement = nullptr;
  const size_t n = cbor_map_size(root.get());
  cbor_pair* pairs = cbor_map_handle(root.get());
  for (size_t i = 0; i < n; ++i) {
    if (std::string(reinterpret_cast<const char*>(cbor_string_handle(pairs[i].key)), cbor_string_length(pairs[i].key)) ==
        "attStmt") {
      statement = pairs[i].value;
    }
  }
  CborItemPtr new_statement = rebuild(statement, key, value);
  return cbor_encode(rebuild(root.get(), "attStmt", cbor_incref(new_statement.get())).get());
}

// attStmt member of an encoded attestationObject (a new reference), for tests that copy fields.
inline CborItemPtr statement_member(const std::vector<uint8_t>& attestation_object, const std::string& key) {
  cbor_load_result result{};
  CborItemPtr root(cbor_load(attestation_object.data(), attestation_object.size(), &result));
  cbor_pair* pairs = cbor_map_handle(root.get());
  for (size_t i = 0; i < cbor_map_size(root.get()); ++i) {
    if (std::string(reinterpret_cast<const char*>(cbor_string_handle(pairs[i].key)), cbor_string_length(pairs[i].key)) !=
        "attStmt") {
      continue;
    }
    cbor_pair* members = cbor_map_handle(pairs[i].value);
    for (size_t j = 0; j < cbor_map_size(pairs[i].value); ++j) {
      if (std::string(reinterpret_cast<const char*>(cbor_string_handle(members[j].key)),
                      cbor_string_length(members[j].key)) == key) {
        return CborItemPtr(cbor_incref(members[j].value));
      }
    }
  }
  return nullptr;
}

}  // namespace custos::passkey::testing

namespace custos::passkey::testing {

// A complete registration made by a software P-256 authenticator: "none" or "packed" self attestation.
struct BuiltRegistration {
  std::string response_json;
  RegistrationOptions options;
  std::vector<uint8_t> credential_id;
  std::vector<uint8_t> auth_data;
  std::vector<uint8_t> client_data;
};

struct BuildSpec {
  std::string fmt = "none";            // "none" or "packed" (self)
  AuthDataSpec auth;
  std::string type = "webauthn.create";
  int64_t statement_alg = -7;          // packed attStmt.alg
  std::vector<uint8_t> raw_id_override;  // empty: the credential id
  bool extra_statement_member = false;   // none: add {"x": 1}
};

inline BuiltRegistration build_registration(const BuildSpec& spec_in, EVP_PKEY* key) {
  BuildSpec spec = spec_in;
  if (spec.auth.cose_key.empty()) spec.auth.cose_key = cose_ec2(key);
  BuiltRegistration out;
  out.options.expected_challenge = std::vector<uint8_t>(32, 0x5a);
  out.options.origins.allowed_origins = {"https://custos.example"};
  out.options.rp_ids = {spec.auth.rp_id};
  out.options.verification_time = 1735689600;
  const std::string cd = client_data_json(out.options.expected_challenge, "https://custos.example", spec.type);
  out.client_data.assign(cd.begin(), cd.end());
  out.auth_data = build_auth_data(spec.auth);
  out.credential_id = spec.auth.credential_id;
  cbor_item_t* statement = nullptr;
  if (spec.fmt == "packed") {
    std::vector<uint8_t> message = out.auth_data;
    const Digest32 cd_hash = sha256(out.client_data);
    message.insert(message.end(), cd_hash.begin(), cd_hash.end());
    statement = cbor_new_definite_map(2);
    cbor_map_add(statement, text_pair("alg", cbor_build_int(spec.statement_alg)));
    cbor_map_add(statement, text_pair("sig", bytes_item(sign_es256(key, message))));
  } else {
    statement = cbor_new_definite_map(1);
    if (spec.extra_statement_member) cbor_map_add(statement, text_pair("x", cbor_build_int(1)));
  }
  const auto ao = build_attestation_object(spec.fmt, statement, out.auth_data);
  const auto raw_id = spec.raw_id_override.empty() ? spec.auth.credential_id : spec.raw_id_override;
  out.response_json = response_json(raw_id, cd, ao);
  return out;
}

}  // namespace custos::passkey::testing
