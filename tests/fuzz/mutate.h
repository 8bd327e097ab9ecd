// The byte mutations the deterministic fuzz smoke runs apply to their seeds:
// bit flips, truncation, appended junk and byte overwrites, 1 to 4 per input.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace custos::fuzz {

inline void mutate(std::vector<uint8_t>& x, std::mt19937_64& g) {
  const unsigned edits = 1 + g() % 4;
  for (unsigned e = 0; e < edits; ++e) {
    switch (g() % 4) {
      case 0: if (!x.empty()) x[g() % x.size()] ^= static_cast<uint8_t>(1u << (g() % 8)); break;
      case 1: if (!x.empty()) x.resize(g() % x.size()); break;
      case 2: for (unsigned k = g() % 16; k > 0; --k) x.push_back(static_cast<uint8_t>(g())); break;
      default: if (!x.empty()) x[g() % x.size()] = static_cast<uint8_t>(g()); break;
    }
  }
}

}  // namespace custos::fuzz
