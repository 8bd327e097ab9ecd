// Passkey gate cost (issue 3): one WebAuthn assertion verification (ES256), end
// to end from the browser's JSON (parse, clientDataJSON, authenticatorData,
// COSE key, signature), against one raw OpenSSL ES256 verification of the same
// signature — the floor. The ratio is measured in the same benchmark run.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bench/bench_common.h"
#include "crypto/hash.h"
#include "crypto/passkey/assertion.h"
#include "crypto/passkey/cose_key.h"
#include "crypto/rng.h"
#include "sim/soft_authenticator.h"

namespace custos::bench {
namespace {

struct AssertionFixture {
  passkey::CredentialRecord record;
  passkey::AssertionExpectations expect;
  std::string json;
  passkey::EvpPkeyPtr pkey;
  std::vector<uint8_t> signed_message;  // authenticatorData ‖ SHA-256(clientDataJSON)
  std::vector<uint8_t> signature;       // DER
};

AssertionFixture make_fixture(sim::SoftKeyType type) {
  AssertionFixture f;
  DeterministicRng rng(77);
  auto auth = sim::SoftAuthenticator::create(type, &rng);
  if (!auth.ok()) std::abort();
  const std::vector<uint8_t> challenge(32, 0x24);
  f.record = auth->credential_record();
  sim::SoftAssertionParts parts = auth->assertion_parts(challenge);
  f.json = auth->assertion_json_from(parts);
  f.expect.challenge = challenge;
  f.expect.origins.allowed_origins = {auth->options().origin};
  f.expect.rp_id = auth->options().rp_id;
  auto key = passkey::parse_cose_key(f.record.public_key_cose);
  if (!key.ok()) std::abort();
  f.pkey = key->pkey;
  f.signed_message = parts.authenticator_data;
  Digest32 h = sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(parts.client_data_json.data()),
                                               parts.client_data_json.size()));
  f.signed_message.insert(f.signed_message.end(), h.begin(), h.end());
  f.signature = parts.signature;
  if (!passkey::verify_assertion(f.json, f.record, f.expect).ok()) {
    std::fprintf(stderr, "passkey bench: the fixture assertion does not verify\n");
    std::abort();
  }
  return f;
}

const AssertionFixture& es256() {
  static const AssertionFixture f = make_fixture(sim::SoftKeyType::kES256);
  return f;
}

// One raw OpenSSL verification (ES256 digests with SHA-256; Ed25519 is one-shot).
bool raw_verify(const AssertionFixture& f, bool es) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, es ? EVP_sha256() : nullptr, nullptr, f.pkey.get()) == 1 &&
            EVP_DigestVerify(ctx, f.signature.data(), f.signature.size(), f.signed_message.data(),
                             f.signed_message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

double raw_verify_cpu_seconds(const AssertionFixture& f, bool es, int count) {
  Stopwatch sw;
  for (int i = 0; i < count; ++i)
    if (!raw_verify(f, es)) std::abort();
  return sw.cpu() / count;
}

void BM_OpenSSL_ES256_Verify(benchmark::State& state) {
  const AssertionFixture& f = es256();
  for (auto _ : state) benchmark::DoNotOptimize(raw_verify(f, true));
}
BENCHMARK(BM_OpenSSL_ES256_Verify)->Unit(benchmark::kMicrosecond);

void run_assertion_benchmark(benchmark::State& state, const AssertionFixture& f, bool es) {
  const double before = raw_verify_cpu_seconds(f, es, 500);
  Stopwatch sw;
  int64_t n = 0;
  for (auto _ : state) {
    auto v = passkey::verify_assertion(f.json, f.record, f.expect);
    if (!v.ok()) state.SkipWithError(v.rejection().to_string().c_str());
    benchmark::DoNotOptimize(v);
    ++n;
  }
  const double per = sw.cpu() / static_cast<double>(n);
  const double after = raw_verify_cpu_seconds(f, es, 500);
  const double baseline = (before + after) / 2;
  state.counters["assertions_per_second"] = 1.0 / per;
  state.counters["raw_verify_us"] = baseline * 1e6;
  state.counters["ratio_to_raw_verify"] = per / baseline;
}

void BM_Passkey_VerifyAssertion_ES256(benchmark::State& state) { run_assertion_benchmark(state, es256(), true); }
BENCHMARK(BM_Passkey_VerifyAssertion_ES256)->Unit(benchmark::kMicrosecond);

void BM_Passkey_VerifyAssertion_EdDSA(benchmark::State& state) {
  static const AssertionFixture f = make_fixture(sim::SoftKeyType::kEdDSA);
  run_assertion_benchmark(state, f, false);
}
BENCHMARK(BM_Passkey_VerifyAssertion_EdDSA)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace custos::bench
