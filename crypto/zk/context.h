// Binding of every Fiat-Shamir challenge to its context (notes §2): the proof
// tag, the session id (for aux-info/refresh this already includes the joint ρ),
// the prover's index and the verifier's index (0 for a proof every party checks).
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/hash.h"
#include "crypto/transcript.h"

namespace custos::zk {

struct ProofContext {
  Digest32 sid{};
  uint64_t prover = 0;
  uint64_t verifier = 0;

  // A transcript already holding tag, sid, prover and verifier.
  Transcript transcript(std::string_view proof_tag) const {
    Transcript t("custos/cggmp21/zk");
    t.append_str("proof", proof_tag);
    t.append("sid", sid);
    t.append_u64("prover", prover);
    t.append_u64("verifier", verifier);
    return t;
  }
};

}  // namespace custos::zk
