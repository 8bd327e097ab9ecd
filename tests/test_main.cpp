// Catch2 entry point shared by every test executable. Tests that use a
// DeterministicRng print its seed on failure through test_support.h.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
