// Presign round 1 (Fig 7 round 1): K_i = enc_i(k_i; ρ_i), G_i = enc_i(γ_i; ν_i)
// broadcast and echoed; Πenc for K_i to each P_j under P_j's ring-Pedersen
// parameters. Receiving: K_j, G_j must be units mod N_j², Πenc under our own.
#include "crypto/fixed_base.h"
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"
#include "protocol/cggmp21/presign_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21 {

using protocol::Message;
using protocol::Transition;

Status check_presign_config(const PresignConfig& cfg) {
  if (!cfg.share || !cfg.aux) return invalid_argument("presign needs a key share and aux info");
  const KeyShare& ks = *cfg.share;
  RETURN_IF_ERROR(check_parties(cfg.signers, ks.self));
  if (cfg.signers.size() != ks.threshold) {
    return invalid_argument("signer set has " + std::to_string(cfg.signers.size()) + " parties, the key needs exactly " +
                            std::to_string(ks.threshold));
  }
  for (PartyIndex j : cfg.signers) {
    if (std::find(ks.parties.begin(), ks.parties.end(), j) == ks.parties.end()) {
      return invalid_argument("signer " + std::to_string(j) + " does not hold a share of this key");
    }
    if (!cfg.aux->parties.count(j)) return invalid_argument("no aux info for signer " + std::to_string(j));
  }
  if (cfg.aux->self != ks.self) return invalid_argument("aux info belongs to another party");
  return ok_status();
}

Digest32 presign_ssid(const PresignConfig& cfg) {
  Transcript t("custos/cggmp21/presign/ssid");
  t.append("sid", cfg.session_id).append("key_id", cfg.share->key_id).append("key_epoch", cfg.share->epoch);
  t.append("aux_epoch", cfg.aux->epoch).append_u64("signers", cfg.signers.size());
  for (PartyIndex j : sorted(cfg.signers)) t.append_u64("signer", j);
  return t.digest();
}

Result<Transition<Presignature>> presign_start(const PresignConfig& cfg_in, Rng& rng) {
  RETURN_IF_ERROR(check_presign_config(cfg_in));
  auto st = std::make_unique<presign::State>();
  st->cfg = cfg_in;
  st->cfg.signers = sorted(cfg_in.signers);
  st->ssid = presign_ssid(st->cfg);
  st->self = cfg_in.share->self;
  st->paillier = cfg_in.aux->paillier.get();
  st->rp = cfg_in.aux->ring_pedersen.get();

  // Additive shares over S (notes §4): x'_i = λ_i·x_i, X'_j = λ_j·X_j, ΣX'_j = X.
  auto idx = index_scalars(st->cfg.signers);
  std::vector<Point> adjusted;
  for (PartyIndex j : st->cfg.signers) {
    ASSIGN_OR_RETURN(Scalar lambda, lagrange_at_zero(idx, Scalar::from_u64(j)));
    st->adjusted_public[j] = cfg_in.share->public_share(j).mul_vartime(lambda);
    adjusted.push_back(st->adjusted_public[j]);
    if (j == st->self) st->x_adj = lambda * cfg_in.share->secret_share;
  }
  if (!(Point::sum(adjusted) == cfg_in.share->public_key)) {
    return failed_precondition("public shares of the signer set do not add up to the public key");
  }

  const PaillierSecretKey& own = *st->paillier;
  st->k = Scalar::random(rng);
  st->gamma = Scalar::random(rng);
  // ρ_i, ν_i uniform in Z*_{N_i}, sampled with their N-th powers from the key's generator tables.
  st->K = own.encrypt_fresh(st->k.to_bigint(), rng, &st->rho);
  st->G = own.encrypt_fresh(st->gamma.to_bigint(), rng, &st->nu);
  zk::secops::publish(st->K, st->G);  // broadcast below (for the constant-time test, crypto/ct.h)

  std::vector<protocol::Outgoing> out;
  wire::PresignR1Broadcast b;
  b.set_k_ciphertext(int_field(st->K));
  b.set_g_ciphertext(int_field(st->G));
  out.push_back({protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(b)});
  for (PartyIndex j : st->cfg.signers) {
    if (j == st->self) continue;
    zk::EncStatement stmt{own.public_key(), st->K, st->aux_of(j).ring_pedersen};
    auto proof = zk::enc_prove(st->ctx(st->self, j), stmt, zk::EncWitness{st->k.to_bigint(), st->rho}, rng, &own);
    wire::PresignR1Private p;
    p.set_enc_proof(to_string(zk::encode(proof)));
    out.push_back({protocol::Kind::kP2P, j, protocol::serialize_deterministic(p)});
  }
  return Transition<Presignature>::advance(std::make_unique<presign::Round1>(std::move(st)), std::move(out));
}

Result<protocol::Session<Presignature>> make_presign_session(const PresignConfig& cfg, Rng& rng,
                                                             protocol::Executor executor) {
  ASSIGN_OR_RETURN(auto start, presign_start(cfg, rng));
  protocol::SessionParams p{kPresignProtocol, presign_ssid(cfg), cfg.share->self, sorted(cfg.signers), {}};
  return protocol::Session<Presignature>(std::move(p), std::move(start), std::move(executor));
}

namespace presign {

Digest32 mta_commitment(const Digest32& ssid, PartyIndex from, PartyIndex to, const BigInt& d, const BigInt& f,
                        const BigInt& d_hat, const BigInt& f_hat) {
  Transcript t("custos/cggmp21/presign/mta-commitment");
  t.append("ssid", ssid).append_u64("from", from).append_u64("to", to);
  t.append_int("D", d).append_int("F", f).append_int("D_hat", d_hat).append_int("F_hat", f_hat);
  return t.digest();
}

namespace {
struct VerifiedR1 : protocol::Verified {
  BigInt K, G;
};
constexpr unsigned kCiphertextBits = 2 * zk::kPaillierBits;
}  // namespace

std::shared_ptr<const RefereeView> make_referee_view(const State& st) {
  auto v = std::make_shared<RefereeView>();
  v->ssid = st.ssid;
  for (PartyIndex j : st.cfg.signers) v->aux[j] = st.aux_of(j);
  v->K_of = st.K_of;
  v->G_of = st.G_of;
  v->K_of[st.self] = st.K;
  v->G_of[st.self] = st.G;
  v->adjusted_public = st.adjusted_public;
  v->Gamma = st.Gamma;
  return v;
}

Round1::Round1(std::unique_ptr<State> st) : st_(std::move(st)), view_(make_referee_view(*st_)) {}

namespace {
Result<std::unique_ptr<VerifiedR1>> check_round1(const RefereeView& v, const protocol::Incoming& in,
                                                 PartyIndex recipient, RecipientSecrets secrets) {
  if (!in.broadcast || !in.p2p) return failed_precondition("presign round 1 needs the broadcast and the p2p part");
  if (!v.aux.count(in.from) || !v.aux.count(recipient)) return failed_precondition("presign round 1: not a signer");
  const PaillierPublicKey& nj = v.aux.at(in.from).paillier;
  ASSIGN_OR_RETURN(auto b, protocol::parse_payload<wire::PresignR1Broadcast>(in.broadcast->payload));
  auto out = std::make_unique<VerifiedR1>();
  ASSIGN_OR_RETURN(out->K, read_int(b.k_ciphertext(), kCiphertextBits, "K"));
  ASSIGN_OR_RETURN(out->G, read_int(b.g_ciphertext(), kCiphertextBits, "G"));
  if (!nj.is_ciphertext(out->K)) return out_of_range("K is not a unit mod N_j²");
  if (!nj.is_ciphertext(out->G)) return out_of_range("G is not a unit mod N_j²");
  ASSIGN_OR_RETURN(auto p, protocol::parse_payload<wire::PresignR1Private>(in.p2p->payload));
  ASSIGN_OR_RETURN(auto proof, zk::decode_enc_proof(protocol::field_bytes(p.enc_proof())));
  // Πenc is made for the recipient, under its ring-Pedersen parameters.
  zk::EncStatement stmt{nj, out->K, v.aux.at(recipient).ring_pedersen};
  RETURN_IF_ERROR(zk::enc_verify(v.ctx(in.from, recipient), stmt, proof, secrets.rp));
  return out;
}
}  // namespace

Result<std::unique_ptr<protocol::Verified>> Round1::verify(const protocol::Incoming& in) const {
  ASSIGN_OR_RETURN(auto out, check_round1(*view_, in, st_->self, RecipientSecrets{st_->paillier, st_->rp}));
  return std::unique_ptr<protocol::Verified>(std::move(out));
}

protocol::Referee Round1::referee() const {
  return [v = view_](const protocol::Incoming& in, PartyIndex recipient) -> Status {
    auto checked = check_round1(*v, in, recipient, {});
    return checked.ok() ? ok_status() : checked.status();
  };
}

void Round1::store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) {
  auto r = protocol::verified_as<VerifiedR1>(std::move(v));
  st_->K_of[in.from] = std::move(r->K);
  st_->G_of[in.from] = std::move(r->G);
}

Transition<Out> Round1::finalize(Rng& rng) {
  State& st = *st_;
  const PaillierSecretKey& own = *st.paillier;
  st.Gamma_i = Point::base_mul(st.gamma);
  zk::secops::publish(st.Gamma_i);  // broadcast below

  std::vector<protocol::Outgoing> out;
  wire::PresignR2Broadcast b;
  b.set_gamma(point_field(st.Gamma_i));

  const BigInt& j_bound = zk::pow2(zk::kEllPrime);
  for (PartyIndex j : st.cfg.signers) {
    if (j == st.self) continue;
    const PartyAux& aj = st.aux_of(j);
    const PaillierPublicKey& nj = aj.paillier;
    MtaSent& sent = st.sent[j];
    sent.beta = BigInt::random_symmetric(rng, j_bound);
    sent.beta_hat = BigInt::random_symmetric(rng, j_bound);
    // Uniform in Z*_{N_j}, never from a fixed-base table or short exponents: j can recover the randomness
    // ρ_K^γ·s of D and would learn γ and x' modulo the index of the subgroup s came from (security.md).
    BigInt s = BigInt::random_unit(rng, nj.n()), s_hat = BigInt::random_unit(rng, nj.n());
    // r, r̂ ∈ Z*_{N_i} (erratum: the paper says N_j; F lives under our own key).
    BigInt r, r_hat;  // sampled by encrypt_fresh below (uniform in Z*_{N_i})
    BigInt gamma = st.gamma.to_bigint(), x = st.x_adj.to_bigint();
    // Sign erratum (notes §2 Πaff-g): D and F both carry −β, so y = −β is one witness.
    BigInt neg_beta = -sent.beta, neg_beta_hat = -sent.beta_hat;
    // γ_i and x'_i are secret exponents: constant-time exponentiation (OpenSSL, crypto/fixed_base.h).
    BigInt D = nj.add_secret(modexp::pow_sec(st.K_of.at(j), gamma, nj.n2()), nj.encrypt(neg_beta, s));
    BigInt F = own.encrypt_fresh(neg_beta, rng, &r);
    BigInt D_hat = nj.add_secret(modexp::pow_sec(st.K_of.at(j), x, nj.n2()), nj.encrypt(neg_beta_hat, s_hat));
    BigInt F_hat = own.encrypt_fresh(neg_beta_hat, rng, &r_hat);
    zk::secops::publish(D, F, D_hat, F_hat);  // sent to j below

    zk::ProofContext ctx = st.ctx(st.self, j);
    zk::AffGStatement aff{nj, own.public_key(), st.K_of.at(j), D, F, st.Gamma_i, aj.ring_pedersen};
    auto psi = zk::aff_g_prove(ctx, aff, zk::AffGWitness{gamma, neg_beta, s, r}, rng, &own);
    zk::AffGStatement aff_hat{nj, own.public_key(), st.K_of.at(j), D_hat, F_hat, st.adjusted_public.at(st.self),
                              aj.ring_pedersen};
    auto psi_hat = zk::aff_g_prove(ctx, aff_hat, zk::AffGWitness{x, neg_beta_hat, s_hat, r_hat}, rng, &own);
    zk::LogStarStatement ls{own.public_key(), st.G, st.Gamma_i, Point::generator(), aj.ring_pedersen};
    auto psi_prime = zk::log_star_prove(ctx, ls, zk::LogStarWitness{gamma, st.nu}, rng, &own);

    sent.d = D;
    sent.f = F;
    sent.d_hat = D_hat;
    sent.f_hat = F_hat;
    Digest32 h = mta_commitment(st.ssid, st.self, j, D, F, D_hat, F_hat);
    st.mta_commitments[st.self][j] = h;
    b.add_mta_commitments(to_string(h));

    wire::PresignR2Private p;
    p.set_d(int_field(D));
    p.set_f(int_field(F));
    p.set_d_hat(int_field(D_hat));
    p.set_f_hat(int_field(F_hat));
    p.set_aff_g_proof(to_string(zk::encode(psi)));
    p.set_aff_g_hat_proof(to_string(zk::encode(psi_hat)));
    p.set_log_star_proof(to_string(zk::encode(psi_prime)));
    out.push_back({protocol::Kind::kP2P, j, protocol::serialize_deterministic(p)});
  }
  out.insert(out.begin(), protocol::Outgoing{protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(b)});
  return Transition<Out>::advance(std::make_unique<Round2>(std::move(st_)), std::move(out));
}

}  // namespace presign
}  // namespace custos::cggmp21
