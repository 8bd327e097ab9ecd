// Ed25519 envelope signatures for simulated parties, as the node transport
// will use: each party signs protocol::signing_bytes of what it sends, and
// receivers (and echo checks) verify against the claimed sender's key.
#pragma once

#include <map>
#include <memory>

#include "protocol/message.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace custos::sim {

class PartySigners {
 public:
  // Deterministic keys from the run seed (simulation only).
  PartySigners(uint64_t seed, const std::vector<protocol::PartyIndex>& parties);
  ~PartySigners();
  PartySigners(const PartySigners&) = delete;
  PartySigners& operator=(const PartySigners&) = delete;

  void sign(protocol::Message& m) const;           // with m.from's key
  bool verify(const protocol::Message& m) const;   // against m.from's key

 private:
  std::map<protocol::PartyIndex, EVP_PKEY*> keys_;
};

}  // namespace custos::sim
