// RFC 4648 §5 base64url without padding (WebAuthn's encoding) and, for the few fixtures that need it,
// a lenient decoder that also accepts the standard alphabet and padding.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace custos::passkey {

std::string base64url_encode(std::span<const uint8_t> bytes);
// Strict: only A-Z a-z 0-9 - _, no padding, no whitespace, non-canonical trailing bits rejected.
std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text);
// Lenient: also + / and '=' padding. Used only where an input source is known to use standard base64.
std::optional<std::vector<uint8_t>> base64_any_decode(std::string_view text);

}  // namespace custos::passkey
