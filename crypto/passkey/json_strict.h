// Strict JSON parsing with nlohmann-json for untrusted WebAuthn inputs: no exceptions escape, duplicate
// member names are rejected (two parsers that keep the first and the last "origin" must never
// disagree about what was approved), nesting is bounded, and the input size is bounded by the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

namespace custos::passkey {

// The parsed document, or nullopt with *error set ("not valid JSON", "duplicate member \"type\"", ...).
std::optional<nlohmann::json> parse_json_strict(std::span<const uint8_t> bytes, std::string* error,
                                                int max_depth = 16);

}  // namespace custos::passkey
