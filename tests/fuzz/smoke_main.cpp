// Deterministic mutation run of the fuzz target for ctest (no libFuzzer
// needed): valid encodings of each kind are bit-flipped, truncated, extended
// and spliced many times with a fixed seed; any crash fails the test.
#include <cstdio>
#include <random>
#include <vector>

#include "crypto/zk/sch.h"
#include "node/flows/control.h"
#include "node/transport/frame.h"
#include "protocol/cggmp21/key_share.h"
#include "protocol/message.h"
#include "sim/harness.h"
#include "tests/fuzz/mutate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  using namespace custos;
  unsigned iterations = argc > 1 ? static_cast<unsigned>(std::stoul(argv[1])) : 20000;
  // Seeds: real encodings so mutations reach deep into the decoders.
  auto kg = sim::run_keygen(2, 3, 1);
  std::vector<std::vector<uint8_t>> seeds;
  {
    protocol::Message m;
    m.protocol = "cggmp21/keygen";
    m.round = 2;
    m.from = 1;
    m.payload = {1, 2, 3};
    {
      auto b = protocol::encode_envelope(m);
      seeds.emplace_back(b.begin(), b.end());
    }
    {
      auto b = protocol::encode_echo({{1, {4, 5}, {6}}});
      seeds.emplace_back(b.begin(), b.end());
    }
    {
      auto b = protocol::encode_complaint(protocol::Complaint{2, {m}});
      seeds.emplace_back(b.begin(), b.end());
    }
    seeds.push_back(node::encode_keygen_request(node::KeygenRequest{{}, 2, {1, 2, 3}}));
    seeds.push_back(node::encode_ack_frame(std::vector<uint64_t>{1, 2, 300}));
  }
  auto ks = cggmp21::serialize_key_share(kg.outputs.at(1));
  seeds.emplace_back(ks.expose().begin(), ks.expose().end());
  DeterministicRng rng(3);
  seeds.push_back(zk::encode(zk::sch_prove_direct(zk::ProofContext{}, Point::base_mul(Scalar::from_u64(5)),
                                                  Scalar::from_u64(5), {}, rng)));
  std::mt19937_64 g(12345);
  for (unsigned it = 0; it < iterations; ++it) {
    std::vector<uint8_t> x = seeds[g() % seeds.size()];
    custos::fuzz::mutate(x, g);
    x.insert(x.begin(), static_cast<uint8_t>(g()));  // decoder selector
    LLVMFuzzerTestOneInput(x.data(), x.size());
  }
  std::printf("fuzz smoke: %u inputs, no crash\n", iterations);
  return 0;
}
