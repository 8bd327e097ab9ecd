// Signing round (Fig 8) and the signature-share identification check.
#include "protocol/cggmp21/sign.h"

#include "crypto/zk/sec_ops.h"
#include "protocol/cggmp21/common.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21 {

using protocol::Message;
using protocol::Transition;

namespace {

// Only public values: the presignature's k_i and χ_i are used once, in sign_start, and
// the session keeps no reference to the presignature, so its secrets are wiped as soon
// as the caller drops it rather than when the session ends.
struct State {
  Digest32 digest{};
  Scalar tweak;
  Point gamma;                         // Γ
  std::map<PartyIndex, Point> deltas;  // Δ_j
  std::map<PartyIndex, Point> s;       // S_j
  PartyIndex self = 0;
  Scalar m, r, sigma_i;
  Point derived_key;
  Point R;
  std::map<PartyIndex, Scalar> sigma_of;
  std::map<PartyIndex, protocol::Message> msgs;
};

struct VerifiedShare : protocol::Verified {
  Scalar sigma;
};

class SignRound final : public protocol::Round<SignOutput> {
 public:
  explicit SignRound(std::unique_ptr<State> st) : st_(std::move(st)) {}
  uint32_t number() const override { return 1; }
  bool expects_broadcast() const override { return true; }
  bool expects_p2p() const override { return false; }

  Result<std::unique_ptr<protocol::Verified>> verify(const protocol::Incoming& in) const override {
    ASSIGN_OR_RETURN(auto s, protocol::parse_payload<wire::SignShare>(in.broadcast->payload));
    auto out = std::make_unique<VerifiedShare>();
    ASSIGN_OR_RETURN(out->sigma, read_scalar(s.sigma(), "σ_j"));
    return std::unique_ptr<protocol::Verified>(std::move(out));
  }

  void store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) override {
    st_->sigma_of[in.from] = protocol::verified_as<VerifiedShare>(std::move(v))->sigma;
    st_->msgs[in.from] = *in.broadcast;
  }

  Transition<SignOutput> finalize(Rng&) override {
    State& st = *st_;
    st.sigma_of[st.self] = st.sigma_i;
    Scalar sigma;
    for (auto& [j, s] : st.sigma_of) sigma += s;
    EcdsaSignature sig;
    sig.r = st.r;
    sig.s = sigma;
    sig.recovery_id = (st.R.y_is_odd() ? 1 : 0) | (st.R.x_mod_q().to_bigint() != x_coordinate(st.R) ? 2 : 0);
    normalize_low_s(sig);
    if (!sigma.is_zero() && ecdsa_verify(st.derived_key, st.digest, sig)) {
      return Transition<SignOutput>::finish(SignOutput{sig, st.derived_key, st.digest});
    }
    return Transition<SignOutput>::fail(identify());
  }

 private:
  static BigInt x_coordinate(const Point& p) {
    auto u = p.encode_uncompressed();
    return BigInt::from_bytes(std::span<const uint8_t>(u.data() + 1, 32));
  }

  // σ_j·Γ must equal m·Δ_j + r·(S_j + τ·Δ_j) for an honest signer j.
  protocol::Abort identify() const {
    const State& st = *st_;
    protocol::Abort a;
    a.reason = "invalid signature: signature shares fail σ_j·Γ = m·Δ_j + r·(S_j + τ·Δ_j)";
    for (auto& [j, s] : st.sigma_of) {
      const Point& delta = st.deltas.at(j);
      Point expected = delta.mul_vartime(st.m) + (st.s.at(j) + delta.mul_vartime(st.tweak)).mul_vartime(st.r);
      if (!(st.gamma.mul_vartime(s) == expected)) {
        a.culprits.push_back(j);
        if (st.msgs.count(j)) a.evidence.push_back(st.msgs.at(j));
      }
    }
    if (a.culprits.empty()) a.reason = "invalid signature although every share checks (inconsistent presignature)";
    return a;
  }

  std::unique_ptr<State> st_;
};

}  // namespace

Status check_sign_config(const SignConfig& cfg) {
  if (!cfg.share || !cfg.presignature) return invalid_argument("signing needs a key share and a presignature");
  const Presignature& ps = *cfg.presignature;
  const KeyShare& ks = *cfg.share;
  if (ps.key_id != ks.key_id) return invalid_argument("presignature belongs to another key");
  // A refresh changes the epoch; presignatures made before it are void (notes §3.2).
  if (ps.key_epoch != ks.epoch) return invalid_argument("presignature predates the last key refresh");
  if (ps.self != ks.self) return invalid_argument("presignature belongs to another party");
  if (ps.signers.size() != ks.threshold) return invalid_argument("presignature has a wrong signer set size");
  return ok_status();
}

Digest32 sign_ssid(const SignConfig& cfg) {
  Transcript t("custos/cggmp21/sign/ssid");
  t.append("sid", cfg.session_id).append("presignature", cfg.presignature->id).append("digest", cfg.digest);
  t.append_scalar("tweak", cfg.tweak);
  return t.digest();
}

Result<Transition<SignOutput>> sign_start(const SignConfig& cfg, Rng&) {
  RETURN_IF_ERROR(check_sign_config(cfg));
  auto st = std::make_unique<State>();
  const Presignature& ps = *cfg.presignature;
  st->digest = cfg.digest;
  st->tweak = cfg.tweak;
  st->gamma = ps.gamma;
  st->deltas = ps.deltas;
  st->s = ps.s;
  st->self = ps.self;
  st->R = ps.R;
  st->r = ps.R.x_mod_q();
  if (st->r.is_zero()) return failed_precondition("presignature has r = 0");
  st->m = Scalar::from_bytes_reduced(cfg.digest);
  st->derived_key = cfg.share->public_key + Point::base_mul(cfg.tweak);
  if (st->derived_key.is_identity()) return invalid_argument("derived public key is the identity");
  // σ_i = k_i·m + r·(χ_i + k_i·τ)
  st->sigma_i = ps.k * st->m + st->r * (ps.chi + ps.k * cfg.tweak);
  zk::secops::publish(st->sigma_i);  // broadcast below (for the constant-time test, crypto/ct.h)
  wire::SignShare w;
  w.set_sigma(scalar_field(st->sigma_i));
  std::vector<protocol::Outgoing> out{{protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(w)}};
  return Transition<SignOutput>::advance(std::make_unique<SignRound>(std::move(st)), std::move(out));
}

Result<protocol::Session<SignOutput>> make_sign_session(const SignConfig& cfg, Rng& rng,
                                                        protocol::Executor executor) {
  ASSIGN_OR_RETURN(auto start, sign_start(cfg, rng));
  protocol::SessionParams p{kSignProtocol, sign_ssid(cfg), cfg.presignature->self, cfg.presignature->signers, {}};
  return protocol::Session<SignOutput>(std::move(p), std::move(start), std::move(executor));
}

}  // namespace custos::cggmp21
