// Field validators of the node config. Each checks one value and either
// returns the decoded value or a problem text that completes the sentence
// "<path.to.field>: ..." (e.g. "not 40 Z85 characters"). Values that may be
// key material are never echoed in a problem text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "config/node_config.h"

namespace custos::config {

// A decoded value or the text of the problem.
template <typename T>
using Checked = std::variant<T, std::string>;

// CURVE public key: exactly 40 Z85 characters that decode to 32 bytes, not all zero.
Checked<Key32> parse_curve_public_key(std::string_view z85);
std::string curve_key_to_z85(const Key32& key);

// Ed25519 public key: 64 hex digits encoding a canonical point on the curve
// that OpenSSL accepts and that is not of small order (RFC 8032 §5.1.3
// decoding; OpenSSL's EVP_PKEY_new_raw_public_key alone does not check the point).
Checked<Key32> parse_ed25519_public_key(std::string_view hex);

// Exactly 64 hex digits (either case) -> 32 bytes.
Checked<Key32> parse_hex32(std::string_view hex);
std::string hex32(const Key32& bytes);

// "tcp://host:port": host an IPv4 literal, a bracketed IPv6 literal or a DNS
// name (or "*" when `allow_wildcard`, for the node's own bind address); port 1..65535.
std::optional<std::string> check_zmq_endpoint(std::string_view endpoint, bool allow_wildcard);

// "host:port" for the API; sets *loopback when the host is 127.x.x.x, [::1] or localhost.
std::optional<std::string> check_host_port(std::string_view host_port, bool* loopback);

// Relying-party id: a lowercase DNS name ("localhost" allowed) or an IPv4 literal;
// no scheme, port, path or trailing dot.
std::optional<std::string> check_rp_id(std::string_view rp_id);

// A serialized web origin as browsers put it in clientDataJSON: "https://host[:port]"
// (lowercase, no default port, no path, query, fragment, user info or trailing
// slash); "http://" only for localhost and 127.0.0.1. The host must be rp_id or a
// subdomain of it (WebAuthn §5.1.3 step 8, the registrable-suffix rule).
std::optional<std::string> check_origin(std::string_view origin, std::string_view rp_id);

// Approver ids: [A-Za-z0-9][A-Za-z0-9._@-]{0,63}.
std::optional<std::string> check_approver_id(std::string_view id);

// Environment variable names: [A-Za-z_][A-Za-z0-9_]{0,127}.
std::optional<std::string> check_env_var_name(std::string_view name);

// Node and peer names (for logs): 1..64 printable ASCII characters.
std::optional<std::string> check_display_name(std::string_view name);

}  // namespace custos::config
