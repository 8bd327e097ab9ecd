// Pre-generated PUBLIC test-only safe primes (tests/data/paillier_test_keys.txt)
// so that most tests never pay for prime generation. Never use them outside tests.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "crypto/bigint.h"

#ifndef CUSTOS_SOURCE_DIR
#error "CUSTOS_SOURCE_DIR must be defined for test executables"
#endif

namespace custos::testing {

namespace fixtures_internal {

[[noreturn]] inline void fail(const std::string& path, size_t line, const std::string& why) {
  std::fprintf(stderr, "FATAL: test key file %s", path.c_str());
  if (line) std::fprintf(stderr, " line %zu", line);
  std::fprintf(stderr, ": %s\n", why.c_str());
  std::abort();  // a broken fixture is a broken checkout, not a test failure
}

// Canonical form written by tests/tools/gen_test_keys: lowercase hex, no 0x, no leading zero.
inline bool is_canonical_hex(const std::string& s) {
  if (s.empty() || s[0] == '0') return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace fixtures_internal

// Returns every (p, q) pair in the file, in file order. Format: one pair per
// line as "p_hex q_hex"; blank lines and lines starting with '#' are ignored.
// Aborts with a message if the file is missing or malformed.
inline std::vector<std::pair<BigInt, BigInt>> load_test_safe_primes() {
  const std::string path = CUSTOS_SOURCE_DIR "/tests/data/paillier_test_keys.txt";
  std::ifstream in(path);
  if (!in) fixtures_internal::fail(path, 0, "cannot open file");
  std::vector<std::pair<BigInt, BigInt>> out;
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find(' ');
    if (sp == std::string::npos) fixtures_internal::fail(path, lineno, "expected two hex numbers separated by one space");
    std::string p_hex = line.substr(0, sp), q_hex = line.substr(sp + 1);
    if (!fixtures_internal::is_canonical_hex(p_hex) || !fixtures_internal::is_canonical_hex(q_hex))
      fixtures_internal::fail(path, lineno, "expected lowercase hex without 0x or leading zeros");
    out.emplace_back(BigInt::from_hex(p_hex), BigInt::from_hex(q_hex));
  }
  if (in.bad()) fixtures_internal::fail(path, lineno, "read error");
  if (out.empty()) fixtures_internal::fail(path, 0, "no key pairs found");
  return out;
}

}  // namespace custos::testing
