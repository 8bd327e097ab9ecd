// Loading the registration ("create") cases of the upstream WebAuthn fixture sets in
// CUSTOS_SHARED_DIR/vectors (README.md there describes them) and turning each into RegistrationOptions.
// The vectors are read at run time, never copied into the repository.
#pragma once

#include <cstdint>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/passkey/base64url.h"
#include "crypto/passkey/registration.h"

namespace custos::passkey::testing {

inline std::string vectors_dir() { return std::string(CUSTOS_SHARED_DIR) + "/vectors"; }

inline nlohmann::json load_vector_file(const std::string& relative) {
  std::ifstream in(vectors_dir() + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());  // test code: a broken fixture file may throw
}

// 2025-01-01T00:00:00Z: the verification time used when a fixture lists none (README.md "Per-case
// expectations" lists the times that must be pinned; certificates in the other cases are valid then).
inline constexpr int64_t kDefaultPinnedTime = 1735689600;

// ISO 8601 "2025-01-30T23:59:59.000Z" → unix seconds.
inline int64_t iso8601_to_unix(const std::string& iso) {
  std::tm tm{};
  std::istringstream in(iso.substr(0, 19));
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  return static_cast<int64_t>(timegm(&tm));
}

// "https://host:port/path" → "https://host:port" (webauthn-rs configures origins as URLs).
inline std::string url_origin(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto path = url.find('/', scheme_end + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

// (Named apart from passkey_test_util.h's bytes_of, which returns a span: the same name and parameters with
// another return type in two test files would be an ODR violation.)
inline std::vector<uint8_t> byte_vector_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

struct RegistrationCase {
  std::string source;   // "py_webauthn", "simplewebauthn", "webauthn-rs", "rp-proxy"
  std::string name;     // upstream test name (made unique with a suffix when repeated)
  std::string upstream_verdict;  // "accept" / "reject" as the upstream test asserts
  bool mocked = false;           // upstream patched internals: parse fixture only
  std::optional<std::string> not_applicable;  // why the case cannot be run (e.g. a JS function as challenge)
  nlohmann::json response;       // the browser JSON
  RegistrationOptions options;
};


inline std::vector<std::string> string_or_list(const nlohmann::json& v) {
  if (v.is_array()) return v.get<std::vector<std::string>>();
  return {v.get<std::string>()};
}

inline std::vector<uint8_t> b64url_bytes(const nlohmann::json& marked) {
  // {"$b64url": "..."} marks bytes in the extracted fixtures.
  auto decoded = base64url_decode(marked.at("$b64url").get<std::string>());
  return decoded ? *decoded : std::vector<uint8_t>{};
}

// Makes names unique: the second "test_verify_attestation_from_yubikey_firefox" becomes "...#2".
inline std::string unique_name(std::map<std::string, int>& seen, const std::string& name) {
  const int n = ++seen[name];
  return n == 1 ? name : name + "#" + std::to_string(n);
}

// py_webauthn: params are verify_registration_response keyword arguments. Library defaults:
// require_user_verification=False, require_user_presence=True.
inline std::vector<RegistrationCase> load_py_webauthn_cases() {
  const auto doc = load_vector_file("py_webauthn/py_webauthn-cases.json");
  std::vector<RegistrationCase> out;
  std::map<std::string, int> seen;
  for (const auto& c : doc.at("cases")) {
    if (c.at("kind") != "registration") continue;
    RegistrationCase rc;
    rc.source = "py_webauthn";
    rc.name = unique_name(seen, c.at("name").get<std::string>());
    rc.upstream_verdict = c.at("verdict").get<std::string>();
    rc.mocked = c.at("usesMocks").get<bool>();
    rc.response = c.at("response");
    const auto& p = c.at("params");
    rc.options.expected_challenge = b64url_bytes(p.at("expected_challenge"));
    rc.options.origins.allowed_origins = string_or_list(p.at("expected_origin"));
    rc.options.rp_ids = {p.at("expected_rp_id").get<std::string>()};
    rc.options.require_user_verification = p.value("require_user_verification", false);
    rc.options.require_user_presence = p.value("require_user_presence", true);
    rc.options.verification_time = kDefaultPinnedTime;
    for (const auto& note : c.at("notes")) {
      const std::string text = note.get<std::string>();
      const auto at = text.find("datetime(");
      if (at == std::string::npos) continue;
      int y = 0, mo = 0, d = 0;
      std::sscanf(text.c_str() + at, "datetime(%d, %d, %d", &y, &mo, &d);
      char iso[32];
      std::snprintf(iso, sizeof(iso), "%04d-%02d-%02dT00:00:00", y, mo, d);
      rc.options.verification_time = iso8601_to_unix(iso);
    }
    out.push_back(std::move(rc));
  }
  return out;
}

// SimpleWebAuthn: params are verifyRegistrationResponse options. Library defaults:
// requireUserVerification=true, requireUserPresence=true; expectedChallenge is the base64url string.
inline std::vector<RegistrationCase> load_simplewebauthn_cases() {
  const auto doc = load_vector_file("simplewebauthn/simplewebauthn-cases.json");
  std::vector<RegistrationCase> out;
  std::map<std::string, int> seen;
  for (const auto& c : doc.at("cases")) {
    if (c.at("kind") != "registration") continue;
    RegistrationCase rc;
    rc.source = "simplewebauthn";
    rc.name = unique_name(seen, c.at("name").get<std::string>());
    rc.upstream_verdict = c.at("verdict").get<std::string>();
    rc.mocked = c.at("usesMocks").get<bool>();
    if (!c.contains("params") || c.at("params").is_null()) {
      rc.not_applicable = "params not extracted upstream (TypeScript arrow function)";
      out.push_back(std::move(rc));
      continue;
    }
    const auto& p = c.at("params");
    if (p.at("expectedChallenge").is_object()) {
      rc.not_applicable = "expectedChallenge is a JavaScript function; challenges here are bytes";
      out.push_back(std::move(rc));
      continue;
    }
    rc.response = c.at("response");
    const std::string challenge = p.at("expectedChallenge").get<std::string>();
    auto decoded = base64url_decode(challenge);
    // A challenge string that is not canonical base64url can never equal clientData.challenge (which
    // the client produced by encoding bytes); keep its text bytes so the comparison fails.
    rc.options.expected_challenge = decoded ? *decoded : byte_vector_of(challenge);
    rc.options.origins.allowed_origins = string_or_list(p.at("expectedOrigin"));
    if (p.contains("expectedRPID")) rc.options.rp_ids = string_or_list(p.at("expectedRPID"));
    rc.options.require_user_verification = p.value("requireUserVerification", true);
    rc.options.require_user_presence = p.value("requireUserPresence", true);
    rc.options.verification_time = kDefaultPinnedTime;
    if (c.contains("verificationTime") && c.at("verificationTime").is_string()) {
      rc.options.verification_time = iso8601_to_unix(c.at("verificationTime").get<std::string>());
    }
    out.push_back(std::move(rc));
  }
  return out;
}

inline int64_t webauthn_rs_alg(const std::string& name) {
  static const std::map<std::string, int64_t> kAlgs = {
      {"ES256", -7},   {"ES384", -35},  {"ES512", -36},  {"EDDSA", -8},   {"RS256", -257}, {"RS384", -258},
      {"RS512", -259}, {"PS256", -37},  {"PS384", -38},  {"PS512", -39},  {"INSECURE_RS1", -65535}};
  auto it = kAlgs.find(name);
  return it == kAlgs.end() ? 0 : it->second;
}

// webauthn-rs: one case per create response, with the register call that follows it (the last call when
// several follow). UserVerificationPolicy::Required → UV required; Preferred/Discouraged → not required.
inline std::vector<RegistrationCase> load_webauthn_rs_cases() {
  const auto doc = load_vector_file("webauthn-rs/webauthn-rs-core-cases.json");
  std::vector<RegistrationCase> out;
  std::map<std::string, int> seen;
  for (const auto& t : doc.at("tests")) {
    std::optional<RegistrationCase> current;
    std::string rp_id;
    std::vector<std::string> origins;
    std::vector<uint8_t> challenge;
    auto flush = [&]() {
      if (current) out.push_back(std::move(*current));
      current.reset();
    };
    for (const auto& s : t.at("steps")) {
      const std::string kind = s.at("kind").get<std::string>();
      if (kind == "rp") {
        rp_id = s.at("rpId").get<std::string>();
        origins.clear();
        for (const auto& o : s.at("origins")) origins.push_back(url_origin(o.get<std::string>()));
      } else if (kind == "challenge") {
        auto decoded = base64url_decode(s.at("b64url").get<std::string>());
        challenge = decoded ? *decoded : std::vector<uint8_t>{};
      } else if (kind == "response") {
        if (!s.at("json").at("response").contains("attestationObject")) {
          flush();
          continue;
        }
        flush();
        current.emplace();
        current->source = "webauthn-rs";
        current->name = unique_name(seen, t.at("name").get<std::string>());
        current->response = s.at("json");
      } else if (kind == "call" && current && s.at("fn") == "register_credential_internal") {
        const std::string args = s.at("args").get<std::string>();
        current->options.require_user_verification = args.find("UserVerificationPolicy::Required") != std::string::npos;
        current->options.require_user_presence = true;
        current->options.allowed_algorithms.clear();
        size_t at = 0;
        while ((at = args.find("COSEAlgorithm::", at)) != std::string::npos) {
          at += 15;
          size_t end = at;
          while (end < args.size() && (std::isalnum(static_cast<unsigned char>(args[end])) || args[end] == '_')) ++end;
          current->options.allowed_algorithms.push_back(webauthn_rs_alg(args.substr(at, end - at)));
        }
      } else if (kind == "assert" && current) {
        const std::string text = s.at("text").get<std::string>();
        const bool is_error = text.find("is_err()") != std::string::npos || text.find("Err(") != std::string::npos;
        current->upstream_verdict = is_error ? "reject" : "accept";
      }
    }
    flush();
  }
  // rp/challenge steps may follow the response in the source order: apply the test's final values.
  for (auto& rc : out) {
    for (const auto& t : doc.at("tests")) {
      if (rc.name.rfind(t.at("name").get<std::string>(), 0) != 0) continue;
      for (const auto& s : t.at("steps")) {
        if (s.at("kind") == "rp") {
          rc.options.rp_ids = {s.at("rpId").get<std::string>()};
          rc.options.origins.allowed_origins.clear();
          for (const auto& o : s.at("origins")) rc.options.origins.allowed_origins.push_back(url_origin(o.get<std::string>()));
        } else if (s.at("kind") == "challenge" && rc.options.expected_challenge.empty()) {
          auto decoded = base64url_decode(s.at("b64url").get<std::string>());
          if (decoded) rc.options.expected_challenge = *decoded;
        }
      }
    }
    rc.options.verification_time = kDefaultPinnedTime;
  }
  return out;
}

// webauthn-rp-proxy register-start/finish: rpId localhost, origin http://localhost:8443, policy
// "required" (UV required), credential_algorithms ES256 and RS256.
inline RegistrationCase load_rp_proxy_case() {
  const auto finish = load_vector_file("webauthn-rs/rp-proxy/register-finish.json");
  RegistrationCase rc;
  rc.source = "rp-proxy";
  rc.name = "register-finish";
  rc.upstream_verdict = "accept";
  rc.response = finish.at("register_public_key_credential");
  const auto& state = finish.at("passkey_registration").at("rs");
  auto challenge = base64url_decode(state.at("challenge").get<std::string>());
  rc.options.expected_challenge = challenge ? *challenge : std::vector<uint8_t>{};
  rc.options.rp_ids = {finish.at("rp_id").get<std::string>()};
  rc.options.origins.allowed_origins = {finish.at("rp_origin").get<std::string>()};
  rc.options.require_user_verification = state.at("policy") == "required";
  rc.options.allowed_algorithms.clear();
  for (const auto& a : state.at("credential_algorithms")) rc.options.allowed_algorithms.push_back(webauthn_rs_alg(a.get<std::string>()));
  rc.options.verification_time = kDefaultPinnedTime;
  return rc;
}


// The three webauthntest.azurewebsites.net TPM responses (py_webauthn) carry attestationObject in the
// standard base64 alphabet (README.md), and two of them also pad clientDataJSON with '='. Only for those
// three inputs, base64_any_decode both fields and re-encode them as base64url before the strict verifier
// sees them; every other input goes through unchanged.
inline bool uses_standard_base64(const RegistrationCase& rc) {
  return rc.source == "py_webauthn" && !rc.options.origins.allowed_origins.empty() &&
         rc.options.origins.allowed_origins.front() == "https://webauthntest.azurewebsites.net";
}

inline std::string response_text(const RegistrationCase& rc) {
  nlohmann::json response = rc.response;
  if (uses_standard_base64(rc)) {
    for (const char* name : {"attestationObject", "clientDataJSON"}) {
      auto& field = response["response"][name];
      auto decoded = base64_any_decode(field.get<std::string>());
      if (decoded) field = base64url_encode(*decoded);
    }
  }
  return response.dump();
}

}  // namespace custos::passkey::testing
