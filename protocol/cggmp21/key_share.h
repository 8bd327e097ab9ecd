// Outputs of key generation and aux-info: the long-lived key material of one
// party, and its versioned serialization (secrets are returned as SecretBytes).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <vector>

#include "crypto/hash.h"
#include "crypto/paillier.h"
#include "crypto/point.h"
#include "crypto/ring_pedersen.h"
#include "crypto/scalar.h"
#include "crypto/secret.h"
#include "protocol/message.h"

namespace custos::cggmp21 {

using protocol::PartyIndex;

// Threshold key share (Fig 5 + Feldman). `threshold` is the number of signers
// needed (the sharing polynomial has degree threshold-1).
struct KeyShare {
  Digest32 key_id{};   // keygen session id; names the key
  Digest32 epoch{};    // changes with every refresh; presignatures are bound to it
  uint32_t threshold = 0;
  PartyIndex self = 0;
  std::vector<PartyIndex> parties;   // all n participants, ascending
  Scalar secret_share;               // x_i
  std::vector<Point> public_shares;  // X_j = x_j·G, in `parties` order
  Point public_key;                  // X
  Digest32 rid{};
  std::array<uint8_t, 32> chain_code{};

  size_t position(PartyIndex j) const;  // index of j in `parties` (aborts if absent)
  const Point& public_share(PartyIndex j) const { return public_shares[position(j)]; }
};

struct PartyAux {
  PaillierPublicKey paillier;
  RingPedersenParams ring_pedersen;
};

// Aux info (Fig 6): own Paillier and ring-Pedersen secrets, everyone's public parameters.
struct AuxInfo {
  Digest32 epoch{};  // aux-info session id bound to the joint ρ
  PartyIndex self = 0;
  std::shared_ptr<const PaillierSecretKey> paillier;
  std::shared_ptr<const RingPedersenSecret> ring_pedersen;
  std::map<PartyIndex, PartyAux> parties;  // includes self
};

// Versioned binary formats ("CUSTOS-KEYSHARE" v1 / "CUSTOS-AUXINFO" v1).
SecretBytes serialize_key_share(const KeyShare& share);
Result<KeyShare> deserialize_key_share(std::span<const uint8_t> bytes);
SecretBytes serialize_aux_info(const AuxInfo& aux);
Result<AuxInfo> deserialize_aux_info(std::span<const uint8_t> bytes);

}  // namespace custos::cggmp21
