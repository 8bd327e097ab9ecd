#include "sim/adversary.h"

#include "crypto/commitment.h"
#include "crypto/point.h"
#include "crypto/transcript.h"

namespace custos::sim {

using protocol::Kind;

bool Match::operator()(const Message& m, PartyIndex recipient) const {
  return m.protocol == protocol && m.round == round && m.kind == kind && (!to || *to == recipient);
}

namespace {

// The adversary's echo of `round` with its own entry rewritten by `fn`.
Message rewrite_own_echo(const Message& echo, PartyIndex recipient, const PayloadRewrite& fn) {
  auto entries = protocol::decode_echo(echo.payload);
  if (!entries.ok()) return echo;
  for (protocol::EchoEntry& e : *entries) {
    if (e.from == echo.from) e.payload = fn(e.payload, recipient);
  }
  Message out = echo;
  out.payload = protocol::encode_echo(*entries);
  return out;
}

}  // namespace

Tamper rewrite(Match match, PayloadRewrite fn) {
  return [match = std::move(match), fn = std::move(fn)](const Message& m, PartyIndex r) -> std::vector<Message> {
    if (match(m, r)) {
      Message out = m;
      out.payload = fn(m.payload, r);
      return {out};
    }
    // Keep the adversary's echo consistent with the broadcast it sent this recipient.
    if (match.kind == Kind::kBroadcast && m.kind == Kind::kEcho && m.protocol == match.protocol &&
        m.round == match.round && (!match.to || *match.to == r)) {
      return {rewrite_own_echo(m, r, fn)};
    }
    return {m};
  };
}

Tamper drop(Match match) {
  return [match = std::move(match)](const Message& m, PartyIndex r) -> std::vector<Message> {
    if (match(m, r)) return {};
    return {m};
  };
}

Tamper send_conflicting_duplicate(Match match, PayloadRewrite second) {
  return [match = std::move(match), second = std::move(second)](const Message& m,
                                                                PartyIndex r) -> std::vector<Message> {
    if (!match(m, r)) return {m};
    Message other = m;
    other.payload = second(m.payload, r);
    return {m, other};
  };
}

Tamper chain(std::vector<Tamper> tampers) {
  return [tampers = std::move(tampers)](const Message& m, PartyIndex r) {
    std::vector<Message> cur{m};
    for (const Tamper& t : tampers) {
      std::vector<Message> next;
      for (const Message& x : cur) {
        for (Message& y : t(x, r)) next.push_back(std::move(y));
      }
      cur = std::move(next);
    }
    return cur;
  };
}

Tamper counted(Tamper t, std::shared_ptr<TamperCount> count) {
  return [t = std::move(t), count = std::move(count)](const Message& m, PartyIndex r) {
    std::vector<Message> out = t(m, r);
    if (out.size() != 1 || !out[0].same_content(m)) ++count->changed;
    return out;
  };
}

const Message* Recording::find(const std::string& protocol, uint32_t round, protocol::Kind kind,
                               PartyIndex to) const {
  for (const auto& [m, r] : sent) {
    if (m.protocol == protocol && m.round == round && m.kind == kind && r == to) return &m;
  }
  return nullptr;
}

Tamper record(std::shared_ptr<Recording> rec) {
  return [rec = std::move(rec)](const Message& m, PartyIndex r) -> std::vector<Message> {
    rec->sent.emplace_back(m, r);
    return {m};
  };
}

std::string truncate_last_byte(const std::string& field) {
  return field.empty() ? field : field.substr(0, field.size() - 1);
}

// --- forged aux-info openings ---------------------------------------------

std::optional<Digest32> aux_opening_commitment(const std::string& protocol_name, const Digest32& session_id,
                                               PartyIndex party, const wire::AuxOpening& o) {
  // Mirrors aux::commit_opening (protocol/cggmp21/aux_info_round1.cpp) over the
  // values Round2::verify decodes from the opening.
  if (o.rho().size() != 32 || o.nonce().size() != 32) return std::nullopt;
  auto as_int = [](const std::string& f) { return BigInt::from_bytes(protocol::field_bytes(f)); };
  Transcript t("custos/cggmp21/aux-info/commit");
  t.append_str("protocol", protocol_name);
  t.append("sid", session_id).append_u64("party", party);
  t.append_int("N", as_int(o.paillier_n())).append_int("s", as_int(o.rp_s())).append_int("t", as_int(o.rp_t()));
  t.append("prm", protocol::field_bytes(o.prm_proof())).append("rho", protocol::field_bytes(o.rho()));
  t.append_u64("refresh_count", static_cast<uint64_t>(o.refresh_feldman_size()));
  for (const std::string& f : o.refresh_feldman()) {
    auto p = Point::decode_allow_identity(protocol::field_bytes(f));
    if (!p.ok()) return std::nullopt;
    t.append_point("refresh_feldman", *p);
  }
  Point schnorr;
  if (!o.schnorr_commitment().empty()) {
    auto p = Point::decode(protocol::field_bytes(o.schnorr_commitment()));
    if (!p.ok()) return std::nullopt;
    schnorr = *p;
  }
  t.append_point("schnorr_commitment", schnorr);
  CommitNonce nonce{};
  std::copy(o.nonce().begin(), o.nonce().end(), nonce.begin());
  return hash_commit(t, nonce);
}

namespace {

bool is_aux_protocol(const std::string& p) { return p == "cggmp21/aux-info" || p == "cggmp21/refresh"; }

struct ForgeState {
  PartyIndex adversary = 0;
  AuxOpeningMutation mutate;
  std::shared_ptr<AuxForgeStatus> status;
  std::optional<Message> commitment;             // the adversary's genuine round-1 broadcast
  std::map<PartyIndex, Message> held_echo;       // its round-1 echo, per recipient
  std::optional<WipedBytes> forged_commitment, forged_opening;

  void forge(const Message& opening_msg) {
    forged_commitment = commitment ? commitment->payload : WipedBytes{};
    forged_opening = opening_msg.payload;
    auto opening = protocol::parse_payload<wire::AuxOpening>(opening_msg.payload);
    if (!opening.ok() || !commitment) return;
    auto genuine = protocol::parse_payload<wire::AuxCommit>(commitment->payload);
    auto replica = aux_opening_commitment(opening_msg.protocol, opening_msg.session_id, opening_msg.from, *opening);
    status->replica_matches =
        genuine.ok() && replica && genuine->commitment() == std::string(replica->begin(), replica->end());

    wire::AuxOpening forged = *opening;
    mutate(forged, opening_msg);
    auto v = aux_opening_commitment(opening_msg.protocol, opening_msg.session_id, opening_msg.from, forged);
    // Fixed-size fields of the wrong size cannot be committed to as the verifier reads
    // them; it rejects them before the commitment check, so any commitment will do.
    Digest32 digest = v ? *v : Digest32{};
    wire::AuxCommit c;
    c.set_commitment(std::string(digest.begin(), digest.end()));
    forged_commitment = protocol::serialize_deterministic(c);
    forged_opening = protocol::serialize_deterministic(forged);
    status->forged = true;
  }
};

Message with_entry(const Message& echo, PartyIndex entry_from, const WipedBytes& payload) {
  auto entries = protocol::decode_echo(echo.payload);
  if (!entries.ok()) return echo;
  for (protocol::EchoEntry& e : *entries) {
    if (e.from == entry_from) e.payload = payload;
  }
  Message out = echo;
  out.payload = protocol::encode_echo(*entries);
  return out;
}

}  // namespace

AuxForgery forge_aux_opening(PartyIndex adversary, const std::vector<PartyIndex>& parties, AuxOpeningMutation mutate) {
  auto st = std::make_shared<ForgeState>();
  st->adversary = adversary;
  st->mutate = std::move(mutate);
  st->status = std::make_shared<AuxForgeStatus>();

  AuxForgery out;
  out.status = st->status;
  out.hooks[adversary] = [st](const Message& m, PartyIndex r) -> std::vector<Message> {
    if (!is_aux_protocol(m.protocol)) return {m};
    if (m.round == 1 && m.kind == Kind::kBroadcast) {
      st->commitment = m;  // held until the opening is known
      return {};
    }
    if (m.round == 1 && m.kind == Kind::kEcho) {
      st->held_echo[r] = m;
      return {};
    }
    if (m.round == 2 && m.kind == Kind::kBroadcast) {
      if (!st->forged_opening) st->forge(m);
      std::vector<Message> release;
      if (st->commitment) {
        Message c = *st->commitment;
        c.payload = *st->forged_commitment;
        release.push_back(std::move(c));
      }
      auto e = st->held_echo.find(r);
      if (e != st->held_echo.end()) release.push_back(with_entry(e->second, st->adversary, *st->forged_commitment));
      Message o = m;
      o.payload = *st->forged_opening;
      release.push_back(std::move(o));
      return release;
    }
    return {m};
  };
  for (PartyIndex h : parties) {
    if (h == adversary) continue;
    out.hooks[h] = [st](const Message& m, PartyIndex r) -> std::vector<Message> {
      if (r != st->adversary || !is_aux_protocol(m.protocol) || m.round != 1 || m.kind != Kind::kEcho ||
          !st->commitment) {
        return {m};
      }
      return {with_entry(m, st->adversary, st->commitment->payload)};
    };
  }
  return out;
}

}  // namespace custos::sim
