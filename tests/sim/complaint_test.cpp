// Complaints (protocol/session.h): a party that rejects a p2p message broadcasts
// the accused's signed envelopes; every other party re-checks them as the victim
// would. These cases attack the complaint step itself: a complainer quoting valid
// messages, quoting messages the accused never signed, or leaving out the
// broadcast its referee needs is blamed, never the accused.
#include <catch2/catch.hpp>

#include <memory>

#include "protocol/proto/cggmp21.pb.h"
#include "protocol/wire.h"
#include "sim/adversary.h"
#include "sim/harness.h"
#include "sim/signing.h"

using namespace custos;
using protocol::Kind;
using protocol::Message;
using protocol::PartyIndex;
using sim::Tamper;

namespace {

constexpr const char* kKeygen = "cggmp21/keygen";
constexpr PartyIndex kComplainer = 2;
constexpr PartyIndex kAccused = 3;

// Party 3's round-2 messages to party 2 (opening broadcast and share), as sent, before signing.
struct Captured {
  std::map<Kind, Message> to_complainer;
};

Tamper record_accused(std::shared_ptr<Captured> cap) {
  return [cap](const Message& m, PartyIndex r) -> std::vector<Message> {
    if (m.protocol == kKeygen && m.round == 2 && r == kComplainer && m.kind != Kind::kEcho) cap->to_complainer[m.kind] = m;
    return {m};
  };
}

// With its round-3 broadcast, the complainer also broadcasts a complaint built by `make`.
Tamper complain_with(std::shared_ptr<Captured> cap, std::function<std::vector<Message>(const Captured&)> make) {
  return [cap, make](const Message& m, PartyIndex) -> std::vector<Message> {
    std::vector<Message> out{m};
    if (m.protocol == kKeygen && m.round == 3 && m.kind == Kind::kBroadcast && cap->to_complainer.size() == 2) {
      Message c = m;
      c.kind = Kind::kComplaint;
      c.round = 2;
      c.to = 0;
      c.payload = protocol::encode_complaint(protocol::Complaint{kAccused, make(*cap)});
      out.push_back(std::move(c));
    }
    return out;
  };
}

void require_complainer_blamed(const sim::RunResult<cggmp21::KeyShare>& res, const std::string& reason) {
  for (PartyIndex h : {PartyIndex{1}, kAccused}) {
    INFO("honest party " << h);
    REQUIRE(res.outputs.count(h) == 0);
    REQUIRE(res.aborts.count(h) == 1);
    const protocol::Abort& a = res.aborts.at(h);
    INFO(a.to_string());
    CHECK(a.culprits == std::vector<PartyIndex>{kComplainer});
    CHECK(a.reason.find(reason) != std::string::npos);
    CHECK(!a.evidence.empty());
  }
}

}  // namespace

TEST_CASE("complaint: quoting valid messages blames the complainer", "[complaint][keygen]") {
  const sim::SchedulerOptions opt{};
  auto signers = std::make_shared<sim::PartySigners>(opt.seed, std::vector<PartyIndex>{1, 2, 3});
  auto cap = std::make_shared<Captured>();
  auto quote_signed = [signers](const Captured& c) {
    std::vector<Message> ev;
    for (const auto& [k, m] : c.to_complainer) {
      Message e = m;
      signers->sign(e);  // exactly what party 3 signed and sent
      ev.push_back(std::move(e));
    }
    return ev;
  };
  auto res = sim::run_keygen(2, 3, 91, opt, {{kAccused, record_accused(cap)}, {kComplainer, complain_with(cap, quote_signed)}});
  require_complainer_blamed(res, "false complaint");
}

TEST_CASE("complaint: quoting a message the accused did not sign blames the complainer", "[complaint][keygen]") {
  const sim::SchedulerOptions opt{};
  auto signers = std::make_shared<sim::PartySigners>(opt.seed, std::vector<PartyIndex>{1, 2, 3});
  auto cap = std::make_shared<Captured>();
  auto forge = [signers](const Captured& c) {
    std::vector<Message> ev;
    for (const auto& [k, m] : c.to_complainer) {
      Message e = m;
      signers->sign(e);
      if (k == Kind::kP2P) {
        auto share = protocol::parse_payload<wire::KeygenShare>(e.payload);
        REQUIRE(share.ok());
        std::string s = share->share();
        s.back() = static_cast<char>(s.back() ^ 1);  // a different share under party 3's old signature
        share->set_share(s);
        e.payload = protocol::serialize_deterministic(*share);
      }
      ev.push_back(std::move(e));
    }
    return ev;
  };
  auto res = sim::run_keygen(2, 3, 92, opt, {{kAccused, record_accused(cap)}, {kComplainer, complain_with(cap, forge)}});
  require_complainer_blamed(res, "did not sign");
}

TEST_CASE("complaint: leaving out the broadcast the referee needs blames the complainer", "[complaint][keygen]") {
  const sim::SchedulerOptions opt{};
  auto signers = std::make_shared<sim::PartySigners>(opt.seed, std::vector<PartyIndex>{1, 2, 3});
  auto cap = std::make_shared<Captured>();
  auto p2p_only = [signers](const Captured& c) {
    Message e = c.to_complainer.at(Kind::kP2P);
    signers->sign(e);
    return std::vector<Message>{e};
  };
  // Party 1 and 3 still hold party 3's round-2 broadcast themselves, so the referee
  // gets it from their own copy: the complaint is judged on the full messages.
  auto res = sim::run_keygen(2, 3, 93, opt, {{kAccused, record_accused(cap)}, {kComplainer, complain_with(cap, p2p_only)}});
  require_complainer_blamed(res, "false complaint");
}

TEST_CASE("complaint: a malformed complaint blames its sender", "[complaint][keygen]") {
  Tamper garbage = [](const Message& m, PartyIndex) -> std::vector<Message> {
    std::vector<Message> out{m};
    if (m.protocol == kKeygen && m.round == 3 && m.kind == Kind::kBroadcast) {
      Message c = m;
      c.kind = Kind::kComplaint;
      c.round = 2;
      c.payload = {0xff, 0x01, 0x02};
      out.push_back(std::move(c));
    }
    return out;
  };
  auto res = sim::run_keygen(2, 3, 94, {}, {{kComplainer, garbage}});
  require_complainer_blamed(res, "malformed complaint");
}
