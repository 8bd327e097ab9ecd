#include "crypto/passkey/client_data.h"

#include <algorithm>

#include "crypto/passkey/base64url.h"
#include "crypto/passkey/display.h"
#include "crypto/passkey/json_strict.h"

namespace custos::passkey {
namespace {

Rejection malformed_cd(std::string message) { return reject(Reason::kClientDataMalformed, std::move(message)); }

}  // namespace

// WebAuthn L3 §7.2 steps 9-10 (§7.1 steps 5-6): UTF-8 decode and JSON-parse clientDataJSON.
Verdict<ClientData> parse_client_data(std::span<const uint8_t> json_bytes) {
  if (json_bytes.size() > kMaxClientDataBytes)
    return malformed_cd("clientDataJSON is " + std::to_string(json_bytes.size()) + " bytes, more than " +
                        std::to_string(kMaxClientDataBytes));
  std::string error;
  auto doc = parse_json_strict(json_bytes, &error);
  if (!doc) return malformed_cd("clientDataJSON: " + error);
  if (!doc->is_object()) return malformed_cd("clientDataJSON is not a JSON object");

  ClientData cd;
  auto required_string = [&](const char* name, std::string* out) -> std::optional<Rejection> {
    auto it = doc->find(name);
    if (it == doc->end()) return malformed_cd(std::string("clientDataJSON has no \"") + name + "\"");
    if (!it->is_string()) return malformed_cd(std::string("clientDataJSON \"") + name + "\" is not a string");
    *out = it->get<std::string>();
    return std::nullopt;
  };
  if (auto r = required_string("type", &cd.type)) return *r;
  if (auto r = required_string("challenge", &cd.challenge_b64url)) return *r;
  if (auto r = required_string("origin", &cd.origin)) return *r;

  if (auto it = doc->find("crossOrigin"); it != doc->end()) {
    if (!it->is_boolean()) return malformed_cd("clientDataJSON \"crossOrigin\" is not a boolean");
    cd.cross_origin = it->get<bool>();
  }
  if (auto it = doc->find("topOrigin"); it != doc->end()) {
    if (!it->is_string()) return malformed_cd("clientDataJSON \"topOrigin\" is not a string");
    cd.top_origin = it->get<std::string>();
  }
  // Level 2 tokenBinding (removed in Level 3; Custos does not use token binding). A dictionary must
  // carry a status of the Level 2 enumeration {"present", "supported"}: anything else (e.g. the draft
  // value "not-supported") is a client we do not understand. Some old clients wrote a bare string
  // ("unused") instead of a dictionary; that says nothing and is ignored.
  if (auto it = doc->find("tokenBinding"); it != doc->end() && !it->is_string()) {
    if (!it->is_object()) return malformed_cd("clientDataJSON \"tokenBinding\" is neither an object nor a string");
    auto status = it->find("status");
    if (status == it->end() || !status->is_string())
      return malformed_cd("clientDataJSON \"tokenBinding\" has no string \"status\"");
    const std::string s = status->get<std::string>();
    if (s != "present" && s != "supported")
      return malformed_cd("clientDataJSON tokenBinding status \"" + display_value(s) + "\" is not recognised");
    cd.token_binding_status = s;
  }
  cd.raw.assign(json_bytes.begin(), json_bytes.end());
  return cd;
}

// §7.2 steps 11-14 (§7.1 steps 7-10).
std::optional<Rejection> check_client_data(const ClientData& cd, const std::string& expected_type,
                                           std::span<const uint8_t> expected_challenge,
                                           const OriginPolicy& origins) {
  if (cd.type != expected_type)
    return reject(Reason::kWrongType,
                  "clientDataJSON type \"" + display_value(cd.type) + "\" is not \"" + expected_type + "\"");
  // Compare the encoded strings, not decoded bytes: the client must echo exactly what we issued, and
  // a padded or non-canonical spelling that decodes to the same bytes is not what a browser sends.
  const std::string expected = base64url_encode(expected_challenge);
  if (cd.challenge_b64url != expected)
    return reject(Reason::kChallengeMismatch, "challenge " + display_value(cd.challenge_b64url) +
                                                  " does not match the expected challenge " + expected);
  // Exact string match: no prefix/suffix, scheme, port, case or trailing-slash normalisation.
  if (std::find(origins.allowed_origins.begin(), origins.allowed_origins.end(), cd.origin) ==
      origins.allowed_origins.end())
    return reject(Reason::kOriginNotAllowed, "origin " + display_value(cd.origin) + " is not allowed");
  if (cd.cross_origin) {
    if (!origins.allow_cross_origin)
      return reject(Reason::kCrossOriginNotAllowed,
                    "crossOrigin is true (embedded in another site's frame) and cross-origin use is not allowed");
    if (!cd.top_origin)
      return reject(Reason::kTopOriginNotAllowed, "crossOrigin is true but clientDataJSON has no topOrigin");
    if (std::find(origins.allowed_top_origins.begin(), origins.allowed_top_origins.end(), *cd.top_origin) ==
        origins.allowed_top_origins.end())
      return reject(Reason::kTopOriginNotAllowed, "topOrigin " + display_value(*cd.top_origin) + " is not allowed");
  } else if (cd.top_origin) {
    // §5.8.1: topOrigin is only set for cross-origin calls; its presence otherwise is a forged or
    // confused client.
    return reject(Reason::kTopOriginNotAllowed,
                  "topOrigin " + display_value(*cd.top_origin) + " is present although crossOrigin is false");
  }
  return std::nullopt;
}

}  // namespace custos::passkey
