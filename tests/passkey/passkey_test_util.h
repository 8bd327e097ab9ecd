// Helpers for the passkey tests: vectors are read at run time from CUSTOS_SHARED_DIR (never copied
// into the repository), plus hex/base64url conversions and JSON access.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/passkey/base64url.h"

namespace custos::passkey::testing {

inline std::string shared_path(const std::string& relative) { return std::string(CUSTOS_SHARED_DIR) + "/" + relative; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::json load_vector_json(const std::string& relative) {
  return nlohmann::json::parse(read_text(shared_path("vectors/" + relative)));
}

inline std::vector<uint8_t> hex_bytes(const std::string& hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  REQUIRE(hex.size() % 2 == 0);
  std::vector<uint8_t> out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    REQUIRE(hi >= 0);
    REQUIRE(lo >= 0);
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

inline std::string hex_string(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

inline std::vector<uint8_t> b64url(const std::string& text) {
  auto out = base64url_decode(text);
  INFO("base64url " << text);
  REQUIRE(out.has_value());
  return *out;
}

inline std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace custos::passkey::testing
