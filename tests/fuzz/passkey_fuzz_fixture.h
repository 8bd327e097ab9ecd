// A fixed credential and matching expectations for the passkey fuzz target, and
// valid responses from the software authenticator as seeds, so that mutations
// start from inputs that pass every check.
#pragma once

#include <string>
#include <vector>

#include "crypto/passkey/assertion.h"
#include "crypto/passkey/registration.h"
#include "crypto/rng.h"
#include "sim/soft_authenticator.h"

namespace custos::fuzz {

struct PasskeyFixture {
  passkey::CredentialRecord record;
  passkey::AssertionExpectations assertion_expect;
  passkey::RegistrationOptions registration_options;
  std::vector<std::string> seeds;  // valid assertion and registration JSON texts
};

inline const PasskeyFixture& passkey_fixture() {
  static const PasskeyFixture fx = [] {
    PasskeyFixture f;
    const std::vector<uint8_t> challenge(32, 0x42);
    DeterministicRng rng(2026);
    auto auth = sim::SoftAuthenticator::create(sim::SoftKeyType::kES256, &rng);
    if (!auth.ok()) std::abort();
    f.seeds.push_back(auth->registration_json(challenge, sim::SoftAttestation::kPacked));
    f.seeds.push_back(auth->registration_json(challenge, sim::SoftAttestation::kNone));
    f.record = auth->credential_record();
    f.seeds.push_back(auth->assertion_json(challenge));
    f.seeds.push_back(auth->assertion_json(challenge));
    f.assertion_expect.challenge = challenge;
    f.assertion_expect.origins.allowed_origins = {auth->options().origin};
    f.assertion_expect.rp_id = auth->options().rp_id;
    f.registration_options.expected_challenge = challenge;
    f.registration_options.origins.allowed_origins = {auth->options().origin};
    f.registration_options.rp_ids = {auth->options().rp_id};
    return f;
  }();
  return fx;
}

}  // namespace custos::fuzz
