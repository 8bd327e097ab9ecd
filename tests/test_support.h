// Helpers shared by tests: seeded RNGs whose seed is printed when a check fails.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "crypto/rng.h"

namespace custos::testing {

// Seeds come from CUSTOS_TEST_SEED when set (to replay a failure), else `fallback`.
inline uint64_t test_seed(uint64_t fallback) {
  if (const char* s = std::getenv("CUSTOS_TEST_SEED")) return std::stoull(s);
  return fallback;
}

}  // namespace custos::testing

// Declares `rng` seeded with `seed` and records the seed so Catch2 prints it on failure.
#define CUSTOS_SEEDED_RNG(rng, seed)                                 \
  const uint64_t rng##_seed_value = ::custos::testing::test_seed(seed); \
  INFO("rng seed = " << rng##_seed_value << " (replay with CUSTOS_TEST_SEED)"); \
  ::custos::DeterministicRng rng(rng##_seed_value)
