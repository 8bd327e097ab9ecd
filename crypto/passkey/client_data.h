// clientDataJSON (WebAuthn Level 3 §5.8.1, §7.1 steps 5-12, §7.2 steps 9-14), parsed as JSON with
// nlohmann-json (never template-matched), size-bounded.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/passkey/verdict.h"

namespace custos::passkey {

struct ClientData {
  std::string type;                    // "webauthn.get" or "webauthn.create"
  std::string challenge_b64url;        // exactly as sent (unpadded base64url)
  std::string origin;
  bool cross_origin = false;
  std::optional<std::string> top_origin;
  // tokenBinding.status when the (Level 2, since removed) member is present: "present", "supported"
  // or "not-supported"; any other value is rejected at parse time.
  std::optional<std::string> token_binding_status;
  std::vector<uint8_t> raw;            // the exact bytes, hashed for the signature
};

struct OriginPolicy {
  std::vector<std::string> allowed_origins;      // exact string match, e.g. "https://custos.example"
  bool allow_cross_origin = false;
  std::vector<std::string> allowed_top_origins;  // checked only when crossOrigin is true and allowed
};

// Largest clientDataJSON accepted (browsers send a few hundred bytes).
inline constexpr size_t kMaxClientDataBytes = 64 * 1024;

// Parses clientDataJSON: a JSON object (duplicate member names rejected, nesting ≤ 16) with string
// type/challenge/origin, optional boolean crossOrigin, optional string topOrigin. Other members are
// ignored, as §5.8.1.2 requires for forward compatibility.
Verdict<ClientData> parse_client_data(std::span<const uint8_t> json_bytes);

// Checks type, challenge (exact string compare against base64url(expected_challenge)), origin,
// crossOrigin/topOrigin. Returns the first failure.
std::optional<Rejection> check_client_data(const ClientData& cd, const std::string& expected_type,
                                           std::span<const uint8_t> expected_challenge,
                                           const OriginPolicy& origins);

}  // namespace custos::passkey
