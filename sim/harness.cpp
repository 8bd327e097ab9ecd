#include "sim/harness.h"

#include "crypto/transcript.h"
#include "crypto/vss.h"

#include <cstdio>

namespace custos::sim {

std::map<PartyIndex, DeterministicRng> party_rngs(uint64_t seed, const std::vector<PartyIndex>& parties,
                                                  std::string_view phase) {
  std::map<PartyIndex, DeterministicRng> out;
  for (PartyIndex p : parties) {
    out.emplace(std::piecewise_construct, std::forward_as_tuple(p),
                std::forward_as_tuple(seed, "custos/sim/" + std::string(phase) + "/" + std::to_string(p)));
  }
  return out;
}

Digest32 session_id_for(std::string_view phase, uint64_t seed) {
  Transcript t("custos/sim/session-id");
  t.append_str("phase", phase).append_u64("seed", seed);
  return t.digest();
}

RunResult<cggmp21::KeyShare> run_keygen(uint32_t threshold, uint32_t n, uint64_t seed, const SchedulerOptions& opt,
                                        const std::map<PartyIndex, Tamper>& adversaries) {
  std::vector<PartyIndex> parties;
  for (uint32_t i = 1; i <= n; ++i) parties.push_back(i);
  auto rngs = party_rngs(seed, parties, "keygen");
  Digest32 sid = session_id_for("keygen", seed);
  std::map<PartyIndex, protocol::Session<cggmp21::KeyShare>> sessions;
  for (PartyIndex p : parties) {
    cggmp21::KeygenConfig cfg{sid, p, parties, threshold};
    auto s = cggmp21::make_keygen_session(cfg, rngs.at(p));
    if (!s.ok()) std::abort();
    sessions.emplace(p, std::move(s).value());
  }
  return run_sessions(sessions, rngs, opt, adversaries);
}

RunResult<cggmp21::AuxInfoOutput> run_aux_info(const std::vector<PartyIndex>& parties, const PaillierKeys& keys,
                                               uint64_t seed, const std::map<PartyIndex, cggmp21::KeyShare>* shares,
                                               const SchedulerOptions& opt,
                                               const std::map<PartyIndex, Tamper>& adversaries) {
  const char* phase = shares ? "refresh" : "aux-info";
  auto rngs = party_rngs(seed, parties, phase);
  Digest32 sid = session_id_for(phase, seed);
  std::map<PartyIndex, protocol::Session<cggmp21::AuxInfoOutput>> sessions;
  for (size_t k = 0; k < parties.size(); ++k) {
    PartyIndex p = parties[k];
    cggmp21::AuxInfoConfig cfg{sid, p, parties, keys.at(k), std::nullopt};
    if (shares) cfg.refresh = shares->at(p);
    auto s = cggmp21::make_aux_info_session(cfg, rngs.at(p));
    if (!s.ok()) std::abort();
    sessions.emplace(p, std::move(s).value());
  }
  return run_sessions(sessions, rngs, opt, adversaries);
}

std::map<PartyIndex, PartyKey> setup_keys(uint32_t threshold, uint32_t n, const PaillierKeys& keys, uint64_t seed) {
  auto kg = run_keygen(threshold, n, seed);
  if (kg.outputs.size() != n) {
    std::fprintf(stderr, "setup_keys: keygen failed\n");
    std::abort();
  }
  std::vector<PartyIndex> parties;
  for (uint32_t i = 1; i <= n; ++i) parties.push_back(i);
  auto aux = run_aux_info(parties, keys, seed);
  if (aux.outputs.size() != n) {
    for (auto& [p, a] : aux.aborts) std::fprintf(stderr, "setup_keys: aux-info abort at %u: %s\n", p, a.to_string().c_str());
    std::abort();
  }
  std::map<PartyIndex, PartyKey> out;
  for (PartyIndex p : parties) {
    out[p] = PartyKey{std::make_shared<const cggmp21::KeyShare>(kg.outputs.at(p)),
                      std::make_shared<const cggmp21::AuxInfo>(aux.outputs.at(p).aux)};
  }
  return out;
}

std::map<PartyIndex, cggmp21::KeyShare> deal_key_shares(const Scalar& secret, const std::array<uint8_t, 32>& chain_code,
                                                        uint32_t threshold, uint32_t n, Rng& rng) {
  Polynomial f = Polynomial::random(rng, threshold - 1, secret);
  cggmp21::KeyShare base;
  rng.fill(base.key_id);
  base.epoch = base.key_id;
  base.threshold = threshold;
  base.public_key = Point::base_mul(secret);
  base.chain_code = chain_code;
  for (uint32_t i = 1; i <= n; ++i) {
    base.parties.push_back(i);
    base.public_shares.push_back(Point::base_mul(f.evaluate(Scalar::from_u64(i))));
  }
  std::map<PartyIndex, cggmp21::KeyShare> out;
  for (uint32_t i = 1; i <= n; ++i) {
    cggmp21::KeyShare s = base;
    s.self = i;
    s.secret_share = f.evaluate(Scalar::from_u64(i));
    out.emplace(i, std::move(s));
  }
  return out;
}

RunResult<cggmp21::Presignature> run_presign(const std::map<PartyIndex, PartyKey>& keys,
                                             const std::vector<PartyIndex>& signers, uint64_t seed,
                                             const SchedulerOptions& opt,
                                             const std::map<PartyIndex, Tamper>& adversaries,
                                             protocol::Executor executor) {
  auto rngs = party_rngs(seed, signers, "presign");
  Digest32 sid = session_id_for("presign", seed);
  std::map<PartyIndex, protocol::Session<cggmp21::Presignature>> sessions;
  for (PartyIndex p : signers) {
    cggmp21::PresignConfig cfg{sid, keys.at(p).share, keys.at(p).aux, signers};
    auto s = cggmp21::make_presign_session(cfg, rngs.at(p), executor);
    if (!s.ok()) {
      std::fprintf(stderr, "run_presign: %s\n", s.status().to_string().c_str());
      std::abort();
    }
    sessions.emplace(p, std::move(s).value());
  }
  return run_sessions(sessions, rngs, opt, adversaries);
}

RunResult<cggmp21::SignOutput> run_sign(const std::map<PartyIndex, PartyKey>& keys,
                                        const std::map<PartyIndex, cggmp21::Presignature>& presignatures,
                                        const Digest32& digest, const Scalar& tweak, uint64_t seed,
                                        const SchedulerOptions& opt,
                                        const std::map<PartyIndex, Tamper>& adversaries) {
  std::vector<PartyIndex> signers;
  for (auto& [p, ps] : presignatures) signers.push_back(p);
  auto rngs = party_rngs(seed, signers, "sign");
  Digest32 sid = session_id_for("sign", seed);
  std::map<PartyIndex, protocol::Session<cggmp21::SignOutput>> sessions;
  for (auto& [p, ps] : presignatures) {
    cggmp21::SignConfig cfg{sid, keys.at(p).share, std::make_shared<const cggmp21::Presignature>(ps), digest, tweak};
    auto s = cggmp21::make_sign_session(cfg, rngs.at(p));
    if (!s.ok()) {
      std::fprintf(stderr, "run_sign: %s\n", s.status().to_string().c_str());
      std::abort();
    }
    sessions.emplace(p, std::move(s).value());
  }
  return run_sessions(sessions, rngs, opt, adversaries);
}

}  // namespace custos::sim
