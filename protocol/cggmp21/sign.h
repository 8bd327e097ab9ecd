// CGGMP21 online signing (2021 revision Fig 8): one round. Each signer sends
// σ_i = k_i·m + r·χ'_i where χ'_i = χ_i + k_i·τ for a BIP-32 tweak τ (notes §4
// option C: presignatures stay independent of the derivation path). The sum
// is normalised to low-s and verified under the (derived) public key before it
// is output. An invalid signature is traced to the signer whose share fails
// σ_j·Γ = m·Δ_j + r·(S_j + τ·Δ_j).
#pragma once

#include <memory>

#include "crypto/ecdsa.h"
#include "protocol/cggmp21/key_share.h"
#include "protocol/cggmp21/presign.h"
#include "protocol/round.h"
#include "protocol/session.h"

namespace custos::cggmp21 {

inline constexpr const char* kSignProtocol = "cggmp21/sign";

struct SignConfig {
  Digest32 session_id{};
  std::shared_ptr<const KeyShare> share;
  // Consumed: the caller must have durably marked it used before calling sign_start.
  std::shared_ptr<const Presignature> presignature;
  Digest32 digest{};  // the 32-byte message hash to sign
  Scalar tweak;       // total BIP-32 tweak of the derivation path (zero for the root key)
};

struct SignOutput {
  EcdsaSignature signature;  // low-s, verified
  Point public_key;          // the (derived) key it verifies under
  Digest32 digest{};
};

Status check_sign_config(const SignConfig& cfg);
Digest32 sign_ssid(const SignConfig& cfg);

Result<protocol::Transition<SignOutput>> sign_start(const SignConfig& cfg, Rng& rng);
Result<protocol::Session<SignOutput>> make_sign_session(const SignConfig& cfg, Rng& rng,
                                                        protocol::Executor executor = protocol::sequential_executor());

}  // namespace custos::cggmp21
