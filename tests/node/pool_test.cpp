#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <thread>

#include "tests/node/store_fixture.h"

using namespace custos;
using namespace custos::node;
using testing::contains;
using testing::material;

TEST_CASE("pool: depth counts, take is FIFO and never returns a presignature twice, across reopen",
          "[storage][pool]") {
  testing::TempDir dir;
  std::string key = testing::make_key_file(dir);
  std::string db = dir.file("node.db");
  const auto& m = material();
  auto real = testing::real_presignatures();
  const cggmp21::Presignature& p1 = real.at(1);
  std::set<Digest32> taken;
  {
    auto s = testing::open_store_with_key(db, key);
    CHECK(*s->presignature_depth(m.key_id()) == 0);
    auto empty = s->take_presignature(m.key_id(), 1);
    CHECK(empty.status().code() == Code::kNotFound);
    CHECK(contains(empty.status().message(), "is empty"));
    // A real protocol output round-trips exactly.
    REQUIRE(s->add_presignature(m.key_id(), p1, 1).ok());
    for (uint64_t i = 1; i <= 9; ++i) REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(i), 1).ok());
    CHECK(*s->presignature_depth(m.key_id()) == 10);
    CHECK(*s->presignature_depth(testing::digest_of("other key")) == 0);

    auto first = s->take_presignature(m.key_id(), 2);
    REQUIRE(first.ok());
    CHECK(first->id == p1.id);
    CHECK(first->k == p1.k);
    CHECK(first->chi == p1.chi);
    CHECK(first->R == p1.R);
    CHECK(first->gamma == p1.gamma);
    CHECK(first->signers == p1.signers);
    CHECK(first->key_epoch == p1.key_epoch);
    CHECK(first->deltas.size() == p1.deltas.size());
    // ...and still signs: the stored-and-taken presignature with party 2's gives a verified signature.
    std::map<PartyIndex, cggmp21::Presignature> pres{{1, *first}, {2, real.at(2)}};
    auto sig = sim::run_sign(m.keys, pres, testing::digest_of("message"), Scalar(), 7);
    CHECK(sig.aborts.empty());
    CHECK(sig.outputs.size() == 2);
    taken.insert(first->id);
    CHECK(*s->presignature_state(p1.id) == PresignatureState::kTaken);
    CHECK(*s->presignature_depth(m.key_id()) == 9);

    for (int i = 0; i < 4; ++i) {
      auto p = s->take_presignature(m.key_id(), 3);
      REQUIRE(p.ok());
      CHECK(p->id == testing::presig_with_id(static_cast<uint64_t>(i) + 1).id);  // oldest first
      CHECK(taken.insert(p->id).second);
    }
    CHECK(*s->presignature_depth(m.key_id()) == 5);
    // A taken id can never be added back.
    auto again = s->add_presignature(m.key_id(), p1, 4);
    CHECK(again.code() == Code::kFailedPrecondition);
    CHECK(contains(again.message(), "now taken"));
    // Nor an id still in the pool.
    CHECK(contains(s->add_presignature(m.key_id(), testing::presig_with_id(9), 4).message(), "now unused"));
    CHECK(s->presignature_state(testing::digest_of("never")).status().code() == Code::kNotFound);
  }
  auto s = NodeStore::open(db, KekSource::from_key_file(key));
  REQUIRE(s.ok());
  CHECK(*(*s)->presignature_depth(m.key_id()) == 5);
  while (true) {
    auto p = (*s)->take_presignature(m.key_id(), 5);
    if (!p.ok()) {
      CHECK(p.status().code() == Code::kNotFound);
      break;
    }
    CHECK(taken.insert(p->id).second);  // never one taken before the reopen
  }
  CHECK(taken.size() == 10);
  CHECK(*(*s)->presignature_depth(m.key_id()) == 0);
  // Every used row has lost its ciphertext.
  auto raw = testing::raw_db(db);
  auto st = raw->prepare("SELECT COUNT(*) FROM presignatures WHERE state = 1 AND sealed IS NULL");
  REQUIRE(st.ok());
  REQUIRE(*st->step());
  CHECK(st->column_int64(0) == 10);
}

TEST_CASE("pool: preconditions on add and the signer-set filter", "[storage][pool]") {
  testing::TempDir dir;
  std::string key = testing::make_key_file(dir);
  const auto& m = material();
  {
    // No key share stored yet: refused.
    auto bare = testing::open_store(dir.file("bare.db"), key);
    auto r = bare->add_presignature(m.key_id(), m.presig, 1);
    CHECK(r.code() == Code::kFailedPrecondition);
    CHECK(contains(r.message(), "no key share stored"));
    REQUIRE(bare->put_key_share(m.share(), 1).ok());
    CHECK(contains(bare->add_presignature(m.key_id(), m.presig, 1).message(), "no aux info stored"));
  }
  auto s = testing::open_store_with_key(dir.file("node.db"), key);
  // key_id argument must match the presignature.
  CHECK(s->add_presignature(testing::digest_of("x"), m.presig, 1).code() == Code::kInvalidArgument);
  cggmp21::Presignature wrong_aux = testing::presig_with_id(50);
  wrong_aux.aux_epoch = testing::digest_of("other aux");
  CHECK(contains(s->add_presignature(m.key_id(), wrong_aux, 1).message(), "aux epoch"));
  // Malformed values from the caller are errors, never a crash or an exception.
  cggmp21::Presignature holed = testing::presig_with_id(51);
  holed.deltas.erase(2);
  CHECK(s->add_presignature(m.key_id(), holed, 1).code() == Code::kInvalidArgument);
  cggmp21::Presignature outsider = testing::presig_with_id(52);
  outsider.self = 3;
  CHECK(s->add_presignature(m.key_id(), outsider, 1).code() == Code::kInvalidArgument);
  cggmp21::KeyShare short_share = m.share();
  short_share.epoch = testing::digest_of("short");
  short_share.public_shares.pop_back();
  CHECK(s->put_key_share(short_share, 1).code() == Code::kInvalidArgument);

  // Presignatures of another signer set {1, 3}: the filter keeps the sets apart.
  REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(1), 1).ok());
  cggmp21::Presignature other = testing::presig_with_id(2);
  other.signers = {1, 3};
  other.deltas.erase(2);
  other.s.erase(2);
  other.deltas[3] = m.presig.deltas.at(2);
  other.s[3] = m.presig.s.at(2);
  REQUIRE(s->add_presignature(m.key_id(), other, 1).ok());
  const std::vector<PartyIndex> s12 = {1, 2}, s13 = {1, 3}, s23 = {2, 3};
  CHECK(*s->presignature_depth(m.key_id()) == 2);
  CHECK(*s->presignature_depth(m.key_id(), &s13) == 1);
  CHECK(*s->presignature_depth(m.key_id(), &s23) == 0);
  auto t = s->take_presignature(m.key_id(), 2, &s13);
  REQUIRE(t.ok());
  CHECK(t->id == other.id);
  CHECK(t->signers == s13);
  CHECK(s->take_presignature(m.key_id(), 2, &s13).status().code() == Code::kNotFound);
  CHECK(*s->presignature_depth(m.key_id(), &s12) == 1);
  const std::vector<PartyIndex> unsorted = {2, 1};
  CHECK(s->take_presignature(m.key_id(), 2, &unsorted).status().code() == Code::kInvalidArgument);
}

TEST_CASE("pool: an undecodable row is quarantined, reported, and the pool moves on", "[storage][pool]") {
  testing::TempDir dir;
  std::string key = testing::make_key_file(dir);
  std::string db = dir.file("node.db");
  const auto& m = material();
  auto s = testing::open_store_with_key(db, key);
  for (uint64_t i = 1; i <= 3; ++i) REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(i), 1).ok());
  {
    auto raw = testing::raw_db(db);
    // Swap the ciphertexts of rows 1 and 2 (AAD binds each to its id).
    REQUIRE(raw->exec("UPDATE presignatures SET sealed = (SELECT sealed FROM presignatures WHERE seq = 2) WHERE seq = 1")
                .ok());
  }
  auto bad = s->take_presignature(m.key_id(), 2);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kVerifyFailed);
  CHECK(contains(bad.status().message(), "presignature quarantined: presignatures row 1"));
  CHECK(*s->presignature_state(testing::presig_with_id(1).id) == PresignatureState::kQuarantined);
  auto next = s->take_presignature(m.key_id(), 3);
  REQUIRE(next.ok());
  CHECK(next->id == testing::presig_with_id(2).id);
  CHECK(*s->presignature_depth(m.key_id()) == 1);
}

TEST_CASE("pool: two threads on two connections never take the same presignature", "[storage][pool][concurrency]") {
  testing::TempDir dir;
  std::string key = testing::make_key_file(dir);
  std::string db = dir.file("node.db");
  const auto& m = material();
  constexpr uint64_t kCount = 80;
  {
    auto s = testing::open_store_with_key(db, key);
    for (uint64_t i = 0; i < kCount; ++i) REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(i), 1).ok());
  }
  auto a = NodeStore::open(db, KekSource::from_key_file(key));
  auto b = NodeStore::open(db, KekSource::from_key_file(key));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  std::vector<Digest32> got_a, got_b;
  std::vector<Status> errors_a, errors_b;
  auto drain = [&m](NodeStore& s, std::vector<Digest32>& got, std::vector<Status>& errors) {
    while (true) {
      auto p = s.take_presignature(m.key_id(), 9);
      if (p.ok()) {
        got.push_back(p->id);
        // Stand-in for the online round between two takes, so that the two
        // connections really interleave instead of one draining the pool.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      if (p.status().code() != Code::kNotFound) errors.push_back(p.status());
      return;
    }
  };
  auto t0 = std::chrono::steady_clock::now();
  std::thread ta([&] { drain(**a, got_a, errors_a); });
  std::thread tb([&] { drain(**b, got_b, errors_b); });
  ta.join();
  tb.join();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  if (!errors_a.empty()) FAIL_CHECK(errors_a.front());
  if (!errors_b.empty()) FAIL_CHECK(errors_b.front());
  std::set<Digest32> all(got_a.begin(), got_a.end());
  for (const auto& id : got_b) CHECK(all.insert(id).second);  // disjoint
  CHECK(all.size() == kCount);
  CHECK(got_a.size() + got_b.size() == kCount);
  CHECK(!got_a.empty());  // both connections took some: the race was real
  CHECK(!got_b.empty());
  WARN("two takers drained " << kCount << " presignatures in " << us / 1000 << " ms (" << got_a.size() << " / "
                             << got_b.size() << ")");
}

TEST_CASE("pool: take() latency (committed, synchronous=FULL)", "[storage][pool][perf]") {
  testing::TempDir dir;
  std::string key = testing::make_key_file(dir);
  const auto& m = material();
  auto s = testing::open_store_with_key(dir.file("node.db"), key);
  constexpr int kN = 50;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kN; ++i) REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(i), 1).ok());
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < kN; ++i) REQUIRE(s->take_presignature(m.key_id(), 2).ok());
  auto t2 = std::chrono::steady_clock::now();
  auto per = [](auto d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count() / kN; };
  WARN("add " << per(t1 - t0) << " us, take " << per(t2 - t1) << " us per call (mean of " << kN << ")");
  CHECK(*s->presignature_depth(m.key_id()) == 0);
}
