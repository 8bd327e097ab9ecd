// Deterministic mutation run of the passkey fuzz target under ctest (a libFuzzer
// build is -DCUSTOS_FUZZ=ON with clang). Seeds are valid responses from the
// software authenticator, so mutations reach deep into the verifiers; any crash,
// sanitizer report or accepted mutant of a signature-covered byte fails.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "tests/fuzz/passkey_fuzz_fixture.h"
#include "tests/fuzz/mutate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  const custos::fuzz::PasskeyFixture& fx = custos::fuzz::passkey_fixture();
  // `--write-seeds DIR` writes the valid responses, with their selector byte, as a starting corpus for
  // the libFuzzer build (random bytes rarely make valid JSON, let alone a valid response).
  if (argc > 2 && std::string(argv[1]) == "--write-seeds") {
    for (size_t i = 0; i < fx.seeds.size(); ++i) {
      const std::string path = std::string(argv[2]) + "/seed-" + std::to_string(i);
      FILE* f = std::fopen(path.c_str(), "wb");
      if (!f) return 2;
      const char selector = i < 2 ? 1 : 0;  // registrations, then assertions
      std::fputc(selector, f);
      std::fwrite(fx.seeds[i].data(), 1, fx.seeds[i].size(), f);
      std::fclose(f);
    }
    return 0;
  }
  const unsigned iterations = argc > 1 ? static_cast<unsigned>(std::strtoul(argv[1], nullptr, 10)) : 5000;
  // The seeds must verify, or the run only exercises the first failing check.
  if (!custos::passkey::verify_assertion(fx.seeds[2], fx.record, fx.assertion_expect).ok() ||
      !custos::passkey::verify_registration(fx.seeds[0], fx.registration_options).ok()) {
    std::fprintf(stderr, "passkey fuzz smoke: a seed does not verify\n");
    return 1;
  }
  std::mt19937_64 g(4242);
  for (unsigned it = 0; it < iterations; ++it) {
    const unsigned pick = static_cast<unsigned>(g() % fx.seeds.size());
    std::vector<uint8_t> x(fx.seeds[pick].begin(), fx.seeds[pick].end());
    custos::fuzz::mutate(x, g);
    // Seeds 0-1 are registrations (selector 1), 2-3 assertions (selector 0); other selectors feed the
    // same bytes to the parsers.
    uint8_t selector = static_cast<uint8_t>(g() % 3 == 0 ? g() : (pick < 2 ? 1 : 0));
    x.insert(x.begin(), selector);
    LLVMFuzzerTestOneInput(x.data(), x.size());
  }
  std::printf("passkey fuzz smoke: %u inputs, no crash\n", iterations);
  return 0;
}
