#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "node/storage/schema.h"
#include "node/storage/sealed_box.h"
#include "tests/node/store_fixture.h"

using namespace custos;
using namespace custos::node;
using testing::contains;
using testing::material;

namespace {

std::vector<uint8_t> column_blob(SqliteDb& db, const std::string& sql) {
  auto st = db.prepare(sql);
  REQUIRE(st.ok());
  auto row = st->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  auto b = st->column_blob(0);
  return {b.begin(), b.end()};
}

void exec_with_blob(SqliteDb& db, const std::string& sql, const std::vector<uint8_t>& blob) {
  auto st = db.prepare(sql);
  REQUIRE(st.ok());
  REQUIRE(st->bind_blob(1, blob).ok());
  Status s = st->run();
  INFO(s);
  REQUIRE(s.ok());
  REQUIRE(db.changes() == 1);
}

// The material's share under another epoch, as a refresh would produce (same key, new epoch).
cggmp21::KeyShare share_with_epoch(const std::string& label) {
  cggmp21::KeyShare s = material().share();
  s.epoch = testing::digest_of(label);
  return s;
}

}  // namespace

TEST_CASE("store: key share and aux info round trip through a reopen", "[storage][store]") {
  testing::TempDir dir;
  std::string key = testing::make_key_file(dir);
  std::string db = dir.file("node.db");
  const auto& m = material();
  {
    auto s = testing::open_store(db, key);
    REQUIRE(s->put_key_share(m.share(), 100).ok());
    REQUIRE(s->put_aux_info(m.key_id(), m.aux(), 101).ok());
    // The same epoch twice is refused: epochs are history, not overwrites.
    auto again = s->put_key_share(m.share(), 102);
    CHECK(again.code() == Code::kInvalidArgument);
    CHECK(contains(again.message(), "already stored"));
  }
  auto s = NodeStore::open(db, KekSource::from_key_file(key));
  REQUIRE(s.ok());
  auto share = (*s)->get_key_share(m.key_id());
  REQUIRE(share.ok());
  CHECK(share->secret_share == m.share().secret_share);
  CHECK(share->public_key == m.share().public_key);
  CHECK(share->parties == m.share().parties);
  CHECK(share->epoch == m.share().epoch);
  CHECK(share->chain_code == m.share().chain_code);
  auto aux = (*s)->get_aux_info(m.key_id());
  REQUIRE(aux.ok());
  CHECK(aux->epoch == m.aux().epoch);
  CHECK(aux->paillier->n() == m.aux().paillier->n());
  CHECK(aux->ring_pedersen->params() == m.aux().ring_pedersen->params());
  CHECK(aux->parties.size() == m.aux().parties.size());
  auto ids = (*s)->key_ids();
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 1);
  CHECK(ids->front() == m.key_id());
  CHECK((*s)->get_key_share(testing::digest_of("no such key")).status().code() == Code::kNotFound);
  CHECK((*s)->get_aux_info(testing::digest_of("no such key")).status().code() == Code::kNotFound);
  REQUIRE((*s)->integrity_check().ok());

  // Secrets are sealed: the share's secret scalar appears nowhere in the
  // database or its WAL, and the sealed blob is the format plus the box overhead.
  auto secret = m.share().secret_share.to_bytes();
  for (const std::string& f : {db, db + "-wal"}) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(std::search(bytes.begin(), bytes.end(), secret.begin(), secret.end()) == bytes.end());
  }
  auto raw = testing::raw_db(db);
  auto sealed = column_blob(*raw, "SELECT sealed FROM key_shares");
  CHECK(sealed.size() == serialize_key_share(m.share()).size() + kSealedOverhead);
  // The database file is private to the node's user.
  struct stat st;
  REQUIRE(::stat(db.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
}

TEST_CASE("store: a refresh adds an epoch, keeps history and retires old presignatures", "[storage][store]") {
  testing::TempDir dir;
  std::string db = dir.file("node.db");
  auto s = testing::open_store_with_key(db, testing::make_key_file(dir));
  const auto& m = material();
  REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(1), 200).ok());
  REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(2), 200).ok());
  REQUIRE(*s->presignature_depth(m.key_id()) == 2);

  cggmp21::KeyShare refreshed = share_with_epoch("epoch 2");
  REQUIRE(s->put_key_share(refreshed, 300).ok());
  auto cur = s->get_key_share(m.key_id());
  REQUIRE(cur.ok());
  CHECK(cur->epoch == refreshed.epoch);
  auto old = s->get_key_share(m.key_id(), m.share().epoch);
  REQUIRE(old.ok());
  CHECK(old->epoch == m.share().epoch);
  auto epochs = s->key_share_epochs(m.key_id());
  REQUIRE(epochs.ok());
  REQUIRE(epochs->size() == 2);
  CHECK((*epochs)[0] == m.share().epoch);
  CHECK((*epochs)[1] == refreshed.epoch);
  CHECK(s->get_key_share(m.key_id(), testing::digest_of("epoch 9")).status().code() == Code::kNotFound);

  // Presignatures of the old epoch are retired in the same transaction and
  // new ones under it are refused.
  CHECK(*s->presignature_depth(m.key_id()) == 0);
  CHECK(*s->presignature_state(testing::presig_with_id(1).id) == PresignatureState::kRetired);
  auto late = s->add_presignature(m.key_id(), testing::presig_with_id(3), 301);
  CHECK(late.code() == Code::kFailedPrecondition);
  CHECK(contains(late.message(), "key epoch"));

  // Aux info: same history rule.
  cggmp21::AuxInfo aux2 = m.aux();
  aux2.epoch = testing::digest_of("aux epoch 2");
  REQUIRE(s->put_aux_info(m.key_id(), aux2, 302).ok());
  CHECK(s->get_aux_info(m.key_id())->epoch == aux2.epoch);
  CHECK(s->get_aux_info(m.key_id(), m.aux().epoch)->epoch == m.aux().epoch);
}

TEST_CASE("store: a presignature whose k does not match its own Δ is refused before it is sealed",
          "[storage][store]") {
  // The check runs once, here: taking a presignature trusts the authenticated ciphertext and does not
  // repeat the constant-time multiplication on the signing path.
  testing::TempDir dir;
  auto s = testing::open_store_with_key(dir.file("node.db"), testing::make_key_file(dir));
  const auto& m = material();
  cggmp21::Presignature bad = testing::presig_with_id(7);
  bad.k = bad.k + Scalar::from_u64(1);
  Status refused = s->add_presignature(m.key_id(), bad, 200);
  CHECK(refused.code() == Code::kVerifyFailed);
  CHECK(contains(refused.message(), "k does not match"));
  cggmp21::Presignature no_own_delta = testing::presig_with_id(8);
  no_own_delta.deltas.erase(no_own_delta.self);
  Status incomplete = s->add_presignature(m.key_id(), no_own_delta, 200);
  CHECK_FALSE(incomplete.ok());
  CHECK(contains(incomplete.message(), "Δ"));
  CHECK(*s->presignature_depth(m.key_id()) == 0);
  // The honest one is stored and taken back intact.
  REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(9), 200).ok());
  auto taken = s->take_presignature(m.key_id(), 201);
  REQUIRE(taken.ok());
  CHECK(taken->gamma.mul(taken->k) == taken->deltas.at(taken->self));
}

TEST_CASE("store: signature and abort logs round trip", "[storage][store]") {
  testing::TempDir dir;
  std::string db = dir.file("node.db");
  std::string key = testing::make_key_file(dir);
  SignatureRecord sig;
  sig.session_id = testing::digest_of("session 1");
  sig.key_id = material().key_id();
  sig.presignature_id = testing::digest_of("presig 7");
  sig.digest = testing::digest_of("message");
  sig.r = testing::digest_of("r");
  sig.s = testing::digest_of("s");
  sig.recovery_id = 1;
  sig.timestamp = 1700000000123;
  SignatureRecord sig2 = sig;
  sig2.session_id = testing::digest_of("session 2");
  sig2.presignature_id.reset();
  sig2.recovery_id = 0;
  sig2.timestamp = 1700000000999;
  AbortRecord ab;
  ab.session_id = testing::digest_of("session 3");
  ab.protocol = "cggmp21/sign";
  ab.culprits = {3, 1};  // order as blamed
  ab.reason = "signature share of party 3 fails σ·Γ = m·Δ + r·S";
  ab.evidence = {0, 1, 2, 255, 0};
  ab.timestamp = 1700000001000;
  AbortRecord timeout = ab;
  timeout.culprits.clear();
  timeout.reason = "deadline passed";
  timeout.evidence.clear();
  {
    auto s = testing::open_store(db, key);
    REQUIRE(s->log_signature(sig).ok());
    REQUIRE(s->log_signature(sig2).ok());
    auto dup = s->log_signature(sig);
    CHECK_FALSE(dup.ok());
    CHECK(contains(dup.message(), "already logged"));
    SignatureRecord bad = sig;
    bad.session_id = testing::digest_of("session 4");
    bad.recovery_id = 4;
    CHECK(s->log_signature(bad).code() == Code::kInvalidArgument);
    REQUIRE(s->log_abort(ab).ok());
    REQUIRE(s->log_abort(timeout).ok());
    AbortRecord zero = ab;
    zero.culprits = {0};
    CHECK_FALSE(s->log_abort(zero).ok());
  }
  auto s = NodeStore::open(db, KekSource::from_key_file(key));
  REQUIRE(s.ok());
  auto got = (*s)->get_signature(sig.session_id);
  REQUIRE(got.ok());
  CHECK(got->key_id == sig.key_id);
  REQUIRE(got->presignature_id.has_value());
  CHECK(*got->presignature_id == *sig.presignature_id);
  CHECK(got->digest == sig.digest);
  CHECK(got->r == sig.r);
  CHECK(got->s == sig.s);
  CHECK(got->recovery_id == 1);
  CHECK(got->timestamp == sig.timestamp);
  auto all = (*s)->signatures_for_key(sig.key_id);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[1].session_id == sig2.session_id);
  CHECK_FALSE((*all)[1].presignature_id.has_value());
  CHECK((*s)->get_signature(testing::digest_of("nope")).status().code() == Code::kNotFound);

  auto aborts = (*s)->aborts_for_session(ab.session_id);
  REQUIRE(aborts.ok());
  REQUIRE(aborts->size() == 2);
  CHECK((*aborts)[0].protocol == ab.protocol);
  CHECK((*aborts)[0].culprits == std::vector<PartyIndex>{3, 1});
  CHECK((*aborts)[0].reason == ab.reason);
  CHECK((*aborts)[0].evidence == ab.evidence);
  CHECK((*aborts)[0].timestamp == ab.timestamp);
  CHECK((*aborts)[1].culprits.empty());
  CHECK((*aborts)[1].evidence.empty());
  CHECK((*s)->aborts_for_session(testing::digest_of("nope"))->empty());
}

TEST_CASE("store: tampered, swapped and truncated sealed rows are rejected with clear errors", "[storage][store]") {
  testing::TempDir dir;
  std::string db = dir.file("node.db");
  std::string key = testing::make_key_file(dir);
  const auto& m = material();
  cggmp21::KeyShare e2 = share_with_epoch("epoch 2");
  {
    auto s = testing::open_store_with_key(db, key);
    REQUIRE(s->put_key_share(e2, 2).ok());  // row 2, current
  }
  auto raw = testing::raw_db(db);
  auto row1 = column_blob(*raw, "SELECT sealed FROM key_shares WHERE seq = 1");
  auto row2 = column_blob(*raw, "SELECT sealed FROM key_shares WHERE seq = 2");
  auto s = NodeStore::open(db, KekSource::from_key_file(key));
  REQUIRE(s.ok());

  SECTION("a flipped ciphertext byte") {
    auto bad = row2;
    bad[bad.size() / 2] ^= 0x01;
    exec_with_blob(*raw, "UPDATE key_shares SET sealed = ?1 WHERE seq = 2", bad);
    auto r = (*s)->get_key_share(m.key_id());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kVerifyFailed);
    CHECK(contains(r.status().message(), "key_shares row 2"));
    CHECK(contains(r.status().message(), "does not authenticate"));
    // The untouched epoch still reads.
    CHECK((*s)->get_key_share(m.key_id(), m.share().epoch).ok());
  }
  SECTION("ciphertexts swapped between two epochs of a key") {
    exec_with_blob(*raw, "UPDATE key_shares SET sealed = ?1 WHERE seq = 1", row2);
    exec_with_blob(*raw, "UPDATE key_shares SET sealed = ?1 WHERE seq = 2", row1);
    auto a = (*s)->get_key_share(m.key_id());
    auto b = (*s)->get_key_share(m.key_id(), m.share().epoch);
    REQUIRE_FALSE(a.ok());
    REQUIRE_FALSE(b.ok());
    CHECK(contains(a.status().message(), "moved from another row"));
    CHECK(contains(b.status().message(), "key_shares row 1"));
  }
  SECTION("a key share ciphertext moved into the aux info table") {
    exec_with_blob(*raw, "UPDATE aux_infos SET sealed = ?1 WHERE seq = 1", row1);
    auto r = (*s)->get_aux_info(m.key_id());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kVerifyFailed);
    CHECK(contains(r.status().message(), "aux_infos row 1"));
  }
  SECTION("truncated blobs") {
    REQUIRE(raw->exec("UPDATE key_shares SET sealed = substr(sealed, 1, 20) WHERE seq = 2").ok());
    auto r = (*s)->get_key_share(m.key_id());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kMalformed);
    CHECK(contains(r.status().message(), "key_shares row 2"));
    CHECK(contains(r.status().message(), "truncated"));
    REQUIRE(raw->exec("UPDATE key_shares SET sealed = substr(sealed, 1, length(sealed) - 1) WHERE seq = 1").ok());
    auto r1 = (*s)->get_key_share(m.key_id(), m.share().epoch);
    REQUIRE_FALSE(r1.ok());
    CHECK(r1.status().code() == Code::kVerifyFailed);
  }
  SECTION("rows that break the schema's invariants (edited outside SQLite's checks)") {
    REQUIRE(raw->exec("PRAGMA ignore_check_constraints = ON").ok());
    REQUIRE(raw->exec("UPDATE key_shares SET epoch = substr(epoch, 1, 31) WHERE seq = 2").ok());
    auto r = (*s)->get_key_share(m.key_id());
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.status().message(), "key_shares row 2: epoch is 31 bytes, expected 32"));
    REQUIRE(raw->exec("UPDATE key_shares SET sealed = 'text' WHERE seq = 1").ok());
    CHECK(contains((*s)->get_key_share(m.key_id(), m.share().epoch).status().message(), "not a blob"));
  }
}

TEST_CASE("store: a signature log row edited out of range is an error naming the row", "[storage][store]") {
  testing::TempDir dir;
  std::string db = dir.file("node.db");
  auto s = testing::open_store(db, testing::make_key_file(dir));
  SignatureRecord sig;
  sig.session_id = testing::digest_of("session");
  REQUIRE(s->log_signature(sig).ok());
  AbortRecord ab;
  ab.session_id = sig.session_id;
  ab.culprits = {2};
  REQUIRE(s->log_abort(ab).ok());
  auto raw = testing::raw_db(db);
  REQUIRE(raw->exec("PRAGMA ignore_check_constraints = ON; UPDATE signatures SET recovery_id = 9;"
                    " UPDATE aborts SET culprits = '2,,x';").ok());
  auto r = s->get_signature(sig.session_id);
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.status().message(), "recovery_id 9 is outside 0..3"));
  CHECK(contains(r.status().message(), "signatures row (session"));
  auto a = s->aborts_for_session(sig.session_id);
  REQUIRE_FALSE(a.ok());
  CHECK(contains(a.status().message(), "aborts row 1"));
}

TEST_CASE("store: schema versions — newer refused, foreign databases refused, missing file not created",
          "[storage][store]") {
  testing::TempDir dir;
  std::string key = testing::make_key_file(dir);
  std::string db = dir.file("node.db");
  {
    auto s = testing::open_store(db, key);
    auto raw = testing::raw_db(db);
    auto v = node_db_schema_version(*raw);
    REQUIRE(v.ok());
    CHECK(*v == kNodeDbSchemaVersion);
  }
  // Reopening an up-to-date database changes nothing.
  REQUIRE(NodeStore::open(db, KekSource::from_key_file(key)).ok());
  {
    auto raw = testing::raw_db(db);
    REQUIRE(raw->exec("INSERT INTO schema_migrations (version, description) VALUES (" +
                      std::to_string(kNodeDbSchemaVersion + 1) + ", 'from the future')")
                .ok());
  }
  auto newer = NodeStore::open(db, KekSource::from_key_file(key));
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.status().code() == Code::kFailedPrecondition);
  CHECK(newer.status().message() == "database " + db + " has schema version " + std::to_string(kNodeDbSchemaVersion + 1) +
                                        ", newer than this build supports (" +
                                        std::to_string(kNodeDbSchemaVersion) +
                                        "): run a custos-node at least as new as the one that wrote it");

  std::string other = dir.file("other.db");
  {
    SqliteOpenOptions o;
    auto raw = SqliteDb::open(other, o);
    REQUIRE(raw.ok());
    REQUIRE((*raw)->exec("CREATE TABLE t (x)").ok());
  }
  auto foreign = NodeStore::open(other, KekSource::from_key_file(key));
  REQUIRE_FALSE(foreign.ok());
  CHECK(contains(foreign.status().message(), "is not a Custos node database"));

  std::string junk = dir.file("junk.db");
  {
    std::ofstream f(junk, std::ios::binary);
    f << std::string(4096, 'x');
  }
  auto notdb = NodeStore::open(junk, KekSource::from_key_file(key));
  REQUIRE_FALSE(notdb.ok());
  CHECK(contains(notdb.status().message(), "sqlite"));

  std::string missing = dir.file("missing.db");
  auto m = NodeStore::open(missing, KekSource::from_key_file(key));
  CHECK(m.status().code() == Code::kNotFound);
  CHECK_FALSE(std::filesystem::exists(missing));
}

TEST_CASE("store: restoring a backup never revives used presignatures", "[storage][store][restore]") {
  testing::TempDir dir;
  std::string key = testing::make_key_file(dir);
  std::string db = dir.file("node.db");
  std::string copy = dir.file("copy.db");
  const auto& m = material();
  {
    auto s = testing::open_store_with_key(db, key);
    for (uint64_t i = 0; i < 5; ++i) REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(i), 1).ok());
    REQUIRE(s->take_presignature(m.key_id(), 2).ok());  // id 0
  }
  // A backup made by copying the closed file (the WAL is checkpointed on close).
  std::filesystem::copy_file(db, copy);
  {
    auto s = NodeStore::open(db, KekSource::from_key_file(key));
    REQUIRE(s.ok());
    // After the backup the node uses two more: ids 1 and 2.
    REQUIRE((*s)->take_presignature(m.key_id(), 3)->id == testing::presig_with_id(1).id);
    REQUIRE((*s)->take_presignature(m.key_id(), 4)->id == testing::presig_with_id(2).id);
  }
  // Restore: the copy still believes ids 1..4 are unused. The restore procedure retires them all.
  auto r = NodeStore::open(copy, KekSource::from_key_file(key));
  REQUIRE(r.ok());
  CHECK(*(*r)->presignature_depth(m.key_id()) == 4);
  auto n = (*r)->discard_presignatures_after_restore(5);
  REQUIRE(n.ok());
  CHECK(*n == 4);
  CHECK(*(*r)->presignature_depth(m.key_id()) == 0);
  for (uint64_t i = 1; i < 5; ++i) {
    CHECK(*(*r)->presignature_state(testing::presig_with_id(i).id) == PresignatureState::kRetired);
  }
  CHECK(*(*r)->presignature_state(testing::presig_with_id(0).id) == PresignatureState::kTaken);
  CHECK((*r)->take_presignature(m.key_id(), 6).status().code() == Code::kNotFound);
  // Nor can a retired id be added back.
  CHECK((*r)->add_presignature(m.key_id(), testing::presig_with_id(1), 7).code() == Code::kFailedPrecondition);
  // The ciphertexts of retired presignatures are gone.
  auto raw = testing::raw_db(copy);
  auto st = raw->prepare("SELECT COUNT(*) FROM presignatures WHERE sealed IS NOT NULL");
  REQUIRE(st.ok());
  REQUIRE(*st->step());
  CHECK(st->column_int64(0) == 0);
  // Key material survives the restore.
  CHECK((*r)->get_key_share(m.key_id()).ok());
  CHECK(*(*r)->discard_presignatures_after_restore(8) == 0);
}

TEST_CASE("store: backup_to makes a consistent copy with no usable presignatures", "[storage][store][restore]") {
  testing::TempDir dir;
  std::string key = testing::make_key_file(dir);
  std::string db = dir.file("node.db");
  std::string backup = dir.file("backup.db");
  const auto& m = material();
  auto s = testing::open_store_with_key(db, key);
  for (uint64_t i = 0; i < 3; ++i) REQUIRE(s->add_presignature(m.key_id(), testing::presig_with_id(i), 1).ok());
  Status b = s->backup_to(backup, 2);
  INFO(b);
  REQUIRE(b.ok());
  struct stat st;
  REQUIRE(::stat(backup.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
  // The live pool is untouched.
  CHECK(*s->presignature_depth(m.key_id()) == 3);
  // Never overwrite an existing backup.
  CHECK_FALSE(s->backup_to(backup, 3).ok());

  auto r = NodeStore::open(backup, KekSource::from_key_file(key));
  REQUIRE(r.ok());
  REQUIRE((*r)->integrity_check().ok());
  CHECK(*(*r)->presignature_depth(m.key_id()) == 0);
  CHECK(*(*r)->presignature_state(testing::presig_with_id(0).id) == PresignatureState::kRetired);
  auto share = (*r)->get_key_share(m.key_id());
  REQUIRE(share.ok());
  CHECK(share->secret_share == m.share().secret_share);
  // A backup needs the same KEK.
  std::string other_key = testing::make_key_file(dir, "other.key");
  CHECK(NodeStore::open(backup, KekSource::from_key_file(other_key)).status().message() ==
        "wrong key-encryption key for " + backup);
}

TEST_CASE("store: abort evidence keeps the signed envelopes that prove the blame", "[storage][store]") {
  protocol::Message m;
  m.protocol = "cggmp21/sign";
  m.session_id.fill(5);
  m.round = 1;
  m.from = 3;
  m.seq = 7;
  m.payload = {1, 2, 3};
  m.signature.assign(64, 0x42);
  protocol::Message p2p = m;
  p2p.kind = protocol::Kind::kP2P;
  p2p.to = 2;
  const auto bytes = node::encode_abort_evidence({m, p2p});
  auto back = node::decode_abort_evidence(bytes);
  REQUIRE(back.ok());
  REQUIRE(back->size() == 2);
  CHECK((*back)[0].same_content(m));
  CHECK((*back)[0].signature == m.signature);
  CHECK((*back)[1].same_content(p2p));
  CHECK(node::decode_abort_evidence(node::encode_abort_evidence({})).value().empty());
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    CHECK_FALSE(node::decode_abort_evidence(std::span<const uint8_t>(bytes.data(), cut)).ok());
  }
}
