// Presign identification (notes §3.5(b), paper Figs 29-31), entered when a check
// on echoed values fails although every proof verified:
//
// δ case (δ·G ≠ ΣΔ_j): each signer P_i publishes the MtA ciphertexts it sent in
// round 2 (checked against its echoed round-2 commitments), H_i = enc_i(k_i·γ_i)
// with Πmul over (K_i, G_i, H_i), and gives every verifier a Πdec that δ_i is the
// decryption, mod q, of
//   C_i = H_i ⊕ ⨁_{j≠i} (D_{i,j} ⊕ (−1)⊙F_{j,i})
// (⊖F because, with the sign-erratum fix, F_{j,i} encrypts −β_{i,j}).
//
// χ case (ΣS_j ≠ δ·X; S_j = χ_j·Γ is our addition for signature-share blame, ADR
// 0002, and no proof covers it): the same with the hatted MtA values, Ĥ_i =
// enc_i(k_i·x'_i) proved with Πmul* over (K_i, Ĥ_i, X'_i) to each verifier (as in
// the paper's signing identification, Fig 8 / notes §3.5(c)), χ_i revealed and
// proved with Πdec; then S_i = χ_i·Γ is checked. Revealing χ_i is safe because the
// presignature is discarded: k is never used to sign.
//
// The parties whose proofs or checks fail are the culprits.
#include "crypto/zk/dec.h"
#include "crypto/zk/mul.h"
#include "crypto/zk/mul_star.h"
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"
#include "protocol/cggmp21/presign_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21::presign {

using protocol::Message;
using protocol::Transition;

namespace {

constexpr unsigned kCiphertextBits = 2 * zk::kPaillierBits;

// C_i under N_i from the published ciphertexts: D_{i,l} (sent by l to i) and F_{l,i} (sent by i to l),
// hatted in the χ case.
BigInt combined_ciphertext(const State& st, PartyIndex i) {
  const PaillierPublicKey& ni = st.aux_of(i).paillier;
  BigInt c = st.H_of.at(i);
  for (PartyIndex l : st.cfg.signers) {
    if (l == i) continue;
    const BigInt& d = st.published.at(l).at(i).first;   // D_{i,l}
    const BigInt& f = st.published.at(i).at(l).second;  // F_{l,i}
    c = ni.add(c, ni.add(d, ni.scale(f, BigInt(-1))));
  }
  return c;
}

zk::DecStatement dec_statement(const State& st, PartyIndex prover, const BigInt& c, const Scalar& value,
                               const RingPedersenParams& aux) {
  return zk::DecStatement{st.aux_of(prover).paillier, c, value, aux, zk::dec_y_bits_for_parties(st.cfg.signers.size())};
}

const char* value_name(const State& st) { return st.identify_chi ? "χ" : "δ"; }

struct VerifiedIdentify : protocol::Verified {
  BigInt h;
  std::map<PartyIndex, std::pair<BigInt, BigInt>> sent;  // (D, F) or (D̂, F̂)
  std::vector<uint8_t> dec_proof;
  Scalar chi;
};

}  // namespace

Transition<Out> start_identification(std::unique_ptr<State> st_ptr, Rng& rng, bool chi) {
  State& st = *st_ptr;
  st.identify_chi = chi;
  const PaillierSecretKey& own = *st.paillier;
  // H_i = G_i^{k_i}·ρ^N (δ) or Ĥ_i = K_i^{x'_i}·ρ^N (χ), under our own key.
  // Both factors are secret (constant-time CRT powers and a Montgomery product); H is published below.
  BigInt rho_h = BigInt::random_unit(rng, own.n());
  BigInt h = own.public_key().add_secret(chi ? own.pow_mod_n2(st.K, st.x_adj.to_bigint())
                                             : own.pow_mod_n2(st.G, st.k.to_bigint()),
                                         own.rho_pow_n(rho_h));
  zk::secops::publish(h);
  if (chi) zk::secops::publish(st.chi_i);  // revealed below: this presignature is discarded
  st.H_of[st.self] = h;

  wire::PresignIdentifyBroadcast b;
  for (PartyIndex j : st.others()) {
    const MtaSent& s = st.sent.at(j);
    st.published[st.self][j] = chi ? std::make_pair(s.d_hat, s.f_hat) : std::make_pair(s.d, s.f);
    b.add_sent_d(int_field(s.d));
    b.add_sent_f(int_field(s.f));
    b.add_sent_d_hat(int_field(s.d_hat));
    b.add_sent_f_hat(int_field(s.f_hat));
  }
  for (PartyIndex j : st.others()) {
    const MtaReceived& r = st.received.at(j);
    st.published[j][st.self] = chi ? std::make_pair(r.d_hat, r.f_hat) : std::make_pair(r.d, r.f);
  }
  b.set_h(int_field(h));
  if (chi) {
    b.set_chi(scalar_field(st.chi_i));
  } else {
    zk::MulStatement ms{own.public_key(), st.K, st.G, h};
    b.set_mul_proof(to_string(
        zk::encode(zk::mul_prove(st.ctx(st.self, 0), ms, zk::MulWitness{st.k.to_bigint(), rho_h, st.rho}, rng, &own))));
  }

  std::vector<protocol::Outgoing> out{{protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(b)}};
  BigInt c = combined_ciphertext(st, st.self);
  zk::DecWitness w{own.decrypt(c), own.recover_rho(c)};
  const Scalar& value = chi ? st.chi_i : st.delta_i;
  for (PartyIndex l : st.others()) {
    const RingPedersenParams& aux_l = st.aux_of(l).ring_pedersen;
    wire::PresignIdentifyPrivate p;
    p.set_dec_proof(to_string(zk::encode(zk::dec_prove(st.ctx(st.self, l), dec_statement(st, st.self, c, value, aux_l), w, rng, &own))));
    if (chi) {
      zk::MulStarStatement ms{own.public_key(), st.K, h, st.adjusted_public.at(st.self), aux_l};
      p.set_mul_star_proof(to_string(zk::encode(
          zk::mul_star_prove(st.ctx(st.self, l), ms, zk::MulStarWitness{st.x_adj.to_bigint(), rho_h}, rng, &own))));
    }
    out.push_back({protocol::Kind::kP2P, l, protocol::serialize_deterministic(p)});
  }
  return Transition<Out>::advance(std::make_unique<IdentifyRound>(std::move(st_ptr)), std::move(out));
}

IdentifyRound::IdentifyRound(std::unique_ptr<State> st) : st_(std::move(st)) {}

// Identification messages carry proofs made for their recipient; they only end an
// already failed session, so complaints about them are not judged.
protocol::Referee IdentifyRound::referee() const { return nullptr; }

Result<std::unique_ptr<protocol::Verified>> IdentifyRound::verify(const protocol::Incoming& in) const {
  const State& st = *st_;
  const PartyIndex j = in.from;
  const PaillierPublicKey& nj = st.aux_of(j).paillier;
  ASSIGN_OR_RETURN(auto b, protocol::parse_payload<wire::PresignIdentifyBroadcast>(in.broadcast->payload));
  std::vector<PartyIndex> recipients;
  for (PartyIndex l : st.cfg.signers)
    if (l != j) recipients.push_back(l);
  int n = static_cast<int>(recipients.size());
  if (b.sent_d_size() != n || b.sent_f_size() != n || b.sent_d_hat_size() != n || b.sent_f_hat_size() != n) {
    return out_of_range("identification publishes the wrong number of MtA ciphertexts");
  }
  auto out = std::make_unique<VerifiedIdentify>();
  for (int k = 0; k < n; ++k) {
    PartyIndex l = recipients[static_cast<size_t>(k)];
    ASSIGN_OR_RETURN(BigInt d, read_int(b.sent_d(k), kCiphertextBits, "published D"));
    ASSIGN_OR_RETURN(BigInt f, read_int(b.sent_f(k), kCiphertextBits, "published F"));
    ASSIGN_OR_RETURN(BigInt d_hat, read_int(b.sent_d_hat(k), kCiphertextBits, "published D̂"));
    ASSIGN_OR_RETURN(BigInt f_hat, read_int(b.sent_f_hat(k), kCiphertextBits, "published F̂"));
    if (mta_commitment(st.ssid, j, l, d, f, d_hat, f_hat) != st.mta_commitments.at(j).at(l)) {
      return verify_failed("published MtA ciphertexts for party " + std::to_string(l) +
                           " do not match the round-2 commitment");
    }
    const PaillierPublicKey& nl = st.aux_of(l).paillier;
    if (!nl.is_ciphertext(d) || !nj.is_ciphertext(f) || !nl.is_ciphertext(d_hat) || !nj.is_ciphertext(f_hat)) {
      return out_of_range("published MtA ciphertext is not a unit");
    }
    out->sent[l] = st.identify_chi ? std::make_pair(std::move(d_hat), std::move(f_hat)) : std::make_pair(std::move(d), std::move(f));
  }
  ASSIGN_OR_RETURN(out->h, read_int(b.h(), kCiphertextBits, "H"));
  if (!nj.is_ciphertext(out->h)) return out_of_range("H is not a unit mod N_j²");
  ASSIGN_OR_RETURN(auto p, protocol::parse_payload<wire::PresignIdentifyPrivate>(in.p2p->payload));
  if (st.identify_chi) {
    if (!b.mul_proof().empty()) return malformed("χ identification carries a Πmul proof");
    ASSIGN_OR_RETURN(out->chi, read_scalar(b.chi(), "χ_j"));
    ASSIGN_OR_RETURN(auto mul_star, zk::decode_mul_star_proof(protocol::field_bytes(p.mul_star_proof())));
    zk::MulStarStatement ms{nj, st.K_of.at(j), out->h, st.adjusted_public.at(j), st.rp->params()};
    auto s = zk::mul_star_verify(st.ctx(j, st.self), ms, mul_star, nullptr, st.rp);
    if (!s.ok()) return s.with_context("Πmul* for Ĥ_j");
  } else {
    if (!b.chi().empty() || !p.mul_star_proof().empty()) return malformed("δ identification carries χ-case fields");
    ASSIGN_OR_RETURN(auto mul, zk::decode_mul_proof(protocol::field_bytes(b.mul_proof())));
    auto s = zk::mul_verify(st.ctx(j, 0), zk::MulStatement{nj, st.K_of.at(j), st.G_of.at(j), out->h}, mul);
    if (!s.ok()) return s.with_context("Πmul for H_j");
  }
  out->dec_proof.assign(p.dec_proof().begin(), p.dec_proof().end());
  ASSIGN_OR_RETURN(auto dec, zk::decode_dec_proof(out->dec_proof));
  (void)dec;  // checked in finalize, once every party's published ciphertexts are in
  return std::unique_ptr<protocol::Verified>(std::move(out));
}

void IdentifyRound::store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) {
  auto r = protocol::verified_as<VerifiedIdentify>(std::move(v));
  st_->H_of[in.from] = std::move(r->h);
  for (auto& [l, df] : r->sent) st_->published[in.from][l] = std::move(df);
  st_->dec_proofs[in.from] = std::move(r->dec_proof);
  if (st_->identify_chi) st_->chi_of[in.from] = r->chi;
  st_->identify_msgs[in.from] = *in.broadcast;
}

Transition<Out> IdentifyRound::finalize(Rng&) {
  const State& st = *st_;
  const std::string name = value_name(st);
  protocol::Abort a;
  a.reason = st.identify_chi ? "ΣS_j ≠ δ·X; identification: " : "δ·G ≠ ΣΔ_j; identification: ";
  for (PartyIndex j : st.others()) {
    BigInt c = combined_ciphertext(st, j);
    const Scalar& value = st.identify_chi ? st.chi_of.at(j) : st.delta_of.at(j);
    auto proof = zk::decode_dec_proof(st.dec_proofs.at(j));
    Status s = proof.ok() ? zk::dec_verify(st.ctx(j, st.self), dec_statement(st, j, c, value, st.rp->params()),
                                           *proof, st.rp)
                          : proof.status();
    std::string fault;
    if (!s.ok()) {
      fault = "party " + std::to_string(j) + "'s " + name + "_j is not the decryption of its MtA ciphertexts (" +
              s.message() + "); ";
    } else if (st.identify_chi && !(st.S_of.at(j) == st.Gamma.mul_vartime(value))) {
      fault = "party " + std::to_string(j) + "'s S_j ≠ χ_j·Γ; ";
    }
    if (!fault.empty()) {
      a.culprits.push_back(j);
      a.reason += fault;
      a.evidence.push_back(st.identify_msgs.at(j));
    }
  }
  if (a.culprits.empty()) a.reason += "no party's proof or check failed (inconsistent state)";
  return Transition<Out>::fail(std::move(a));
}

}  // namespace custos::cggmp21::presign
