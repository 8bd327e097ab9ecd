// Fuzz target over both WebAuthn verifiers and the parsers under them
// (issue 3: "a libFuzzer target over both verifiers that never crashes").
// The first input byte picks the entry point; the rest is its input. The
// verifiers run against a fixed credential record and fixed expectations, so
// mutated responses reach every check, including signature verification.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/passkey/assertion.h"
#include "crypto/passkey/attestation_object.h"
#include "crypto/passkey/authenticator_data.h"
#include "crypto/passkey/client_data.h"
#include "crypto/passkey/cose_key.h"
#include "crypto/passkey/credential_record.h"
#include "crypto/passkey/registration.h"
#include "tests/fuzz/passkey_fuzz_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using namespace custos::passkey;
  const custos::fuzz::PasskeyFixture& fx = custos::fuzz::passkey_fixture();
  std::span<const uint8_t> in(data + 1, size - 1);
  std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  switch (data[0] % 7) {
    case 0: (void)verify_assertion(text, fx.record, fx.assertion_expect); break;
    case 1: (void)verify_registration(text, fx.registration_options); break;
    case 2: (void)parse_authenticator_data(in); break;
    case 3: (void)parse_cose_key(in); break;
    case 4: (void)parse_attestation_object(in); break;
    case 5: (void)parse_client_data(in); break;
    default: (void)parse_credential_record(text); break;
  }
  return 0;
}
