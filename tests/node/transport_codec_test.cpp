// Transport pieces without sockets: the ack/data frame codec, Ed25519
// envelope signatures, and Transport::create's roster validation.
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include "crypto/hex.h"
#include "tests/node/transport_fixture.h"

using namespace custos;
using namespace custos::node;
using namespace custos::testing;

TEST_CASE("ack frame: round trip and every malformed shape refused", "[transport][frame]") {
  std::vector<uint64_t> seqs{1, 2, 0xFFFFFFFFFFFFFFFFull, 77};
  auto f = encode_ack_frame(seqs);
  CHECK(f.size() == 1 + 4 + 8 * seqs.size());
  auto d = decode_ack_frame(f);
  REQUIRE(d.ok());
  CHECK(*d == seqs);

  std::vector<uint64_t> max(kMaxAckSeqs, 5);
  CHECK(decode_ack_frame(encode_ack_frame(max)).ok());

  auto bad = [](std::vector<uint8_t> b) { return decode_ack_frame(b).ok(); };
  CHECK_FALSE(bad({}));
  CHECK_FALSE(bad(encode_ack_frame(std::vector<uint64_t>{})));  // zero entries
  std::vector<uint64_t> too_many(kMaxAckSeqs + 1, 5);
  CHECK_FALSE(bad(encode_ack_frame(too_many)));
  CHECK_FALSE(bad(encode_ack_frame(std::vector<uint64_t>{3, 0})));  // seq 0
  auto truncated = f;
  truncated.pop_back();
  CHECK_FALSE(bad(truncated));
  auto extended = f;
  extended.push_back(0);
  CHECK_FALSE(bad(extended));
  auto wrong_type = f;
  wrong_type[0] = static_cast<uint8_t>(FrameType::kData);
  CHECK_FALSE(bad(wrong_type));
  // A count that promises 2^32-1 entries must fail on length, before allocating.
  std::vector<uint8_t> liar{2, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1};
  auto r = decode_ack_frame(liar);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kMalformed);
}

TEST_CASE("data frame: type byte, envelope checks and the size limit", "[transport][frame]") {
  Message m = make_msg(2, Kind::kP2P, 3, session(1), 4, {9, 8, 7});
  m.seq = 12;
  m.signature.assign(64, 1);
  auto f = encode_data_frame(m);
  CHECK(f[0] == static_cast<uint8_t>(FrameType::kData));
  auto d = decode_data_frame(f);
  REQUIRE(d.ok());
  CHECK(d->same_content(m));
  CHECK(d->seq == 12);
  CHECK(d->signature == m.signature);

  CHECK_FALSE(decode_data_frame({}).ok());
  auto t = f;
  t[0] = static_cast<uint8_t>(FrameType::kAck);
  CHECK_FALSE(decode_data_frame(t).ok());
  std::vector<uint8_t> big(kMaxDataFrameBytes + 1, 0);
  big[0] = static_cast<uint8_t>(FrameType::kData);
  auto r = decode_data_frame(big);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kOutOfRange);
  // The libzmq limit sits above ours, so frames in between reach our counter.
  CHECK(static_cast<size_t>(kZmqMaxMsgSize) > kMaxDataFrameBytes);
}

TEST_CASE("envelope signer: Ed25519 over signing_bytes, seq excluded, tampering detected", "[transport][sign]") {
  NodeKeys a = make_node(1), b = make_node(2);
  auto signer = EnvelopeSigner::from_seed(a.ed_seed);
  REQUIRE(signer.ok());
  CHECK(signer->public_key() == a.ed_public);
  auto va = EnvelopeVerifier::from_public(a.ed_public);
  auto vb = EnvelopeVerifier::from_public(b.ed_public);
  REQUIRE(va.ok());
  REQUIRE(vb.ok());

  Message m = make_msg(1, Kind::kBroadcast, 0, session(3), 1, {1, 2, 3});
  REQUIRE(signer->sign(m).ok());
  CHECK(m.signature.size() == kEd25519SignatureBytes);
  CHECK(va->verify(m));
  CHECK_FALSE(vb->verify(m));  // another party's key

  Message retransmitted = m;
  retransmitted.seq = 99;  // seq is link state, not signed content
  CHECK(va->verify(retransmitted));

  Message t = m;
  t.payload[0] ^= 1;
  CHECK_FALSE(va->verify(t));
  t = m;
  t.round = 2;
  CHECK_FALSE(va->verify(t));
  t = m;
  t.session_id[31] ^= 1;
  CHECK_FALSE(va->verify(t));
  t = m;
  t.signature.pop_back();
  CHECK_FALSE(va->verify(t));
  t = m;
  t.signature.push_back(0);
  CHECK_FALSE(va->verify(t));

  SecretBytes short_seed(31);
  CHECK_FALSE(EnvelopeSigner::from_seed(short_seed).ok());
}

TEST_CASE("envelope signer: standard RFC 8032 Ed25519, interchangeable with OpenSSL's", "[transport][sign]") {
  // RFC 8032 §7.1 test 1: the secret key and the public key it gives.
  const auto seed_bytes = *from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  SecretBytes seed(seed_bytes.size());
  std::copy(seed_bytes.begin(), seed_bytes.end(), seed.expose_mut().begin());
  auto pub = ed25519_public_from_seed(seed);
  REQUIRE(pub.ok());
  CHECK(to_hex(*pub) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

  auto signer = EnvelopeSigner::from_seed(seed);
  REQUIRE(signer.ok());
  Message m = make_msg(1, Kind::kP2P, 2, session(5), 1, {1, 2});
  REQUIRE(signer->sign(m).ok());
  const WipedBytes bytes = protocol::signing_bytes(m);

  // A third party checking blame evidence with OpenSSL accepts our signature ...
  EVP_PKEY* pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub->data(), pub->size());
  REQUIRE(pk != nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  REQUIRE(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pk) == 1);
  CHECK(EVP_DigestVerify(ctx, m.signature.data(), m.signature.size(), bytes.data(), bytes.size()) == 1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pk);

  // ... and OpenSSL's signature of the same bytes is the same (Ed25519 is deterministic).
  EVP_PKEY* sk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.expose().data(), seed.size());
  REQUIRE(sk != nullptr);
  ctx = EVP_MD_CTX_new();
  std::vector<uint8_t> theirs(64);
  size_t len = theirs.size();
  REQUIRE(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, sk) == 1);
  REQUIRE(EVP_DigestSign(ctx, theirs.data(), &len, bytes.data(), bytes.size()) == 1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(sk);
  CHECK(theirs == m.signature);

  // A configured key that is not a valid Ed25519 point of the main subgroup is refused at start
  // (here the identity point, of small order, and a non-canonical encoding).
  Key32 identity{};
  identity[0] = 1;
  CHECK_FALSE(EnvelopeVerifier::from_public(identity).ok());
  Key32 non_canonical;
  non_canonical.fill(0xff);
  CHECK_FALSE(EnvelopeVerifier::from_public(non_canonical).ok());
}

TEST_CASE("curve keys: derived public key matches libzmq's, Z85 text is 40 chars", "[transport][keys]") {
  char pub[41], sec[41];
  REQUIRE(zmq_curve_keypair(pub, sec) == 0);
  SecretBytes secret(32);
  REQUIRE(zmq_z85_decode(secret.expose_mut().data(), sec) != nullptr);
  auto derived = curve_public_from_secret(secret);
  REQUIRE(derived.ok());
  CHECK(z85_public(*derived) == std::string(pub));
  CHECK(z85_public(*derived).size() == 40);
  CHECK_FALSE(curve_public_from_secret(SecretBytes(16)).ok());
}

TEST_CASE("Transport::create refuses inconsistent identities and rosters", "[transport]") {
  NodeKeys a = make_node(1), b = make_node(2), c = make_node(3);
  LogCapture log;
  auto attempt = [&](LocalIdentity self, std::vector<PeerInfo> peers) {
    return Transport::create(std::move(self), std::move(peers), quiet_options(log)).status();
  };
  CHECK(attempt(a.identity(), {b.peer(), c.peer()}).ok());

  LocalIdentity wrong_pub = a.identity();
  wrong_pub.curve_public = b.curve.public_key;
  Status s = attempt(std::move(wrong_pub), {b.peer()});
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("does not match") != std::string::npos);

  CHECK_FALSE(attempt(a.identity(), {b.peer(), b.peer()}).ok());  // twice
  CHECK_FALSE(attempt(a.identity(), {a.peer()}).ok());            // ourselves
  PeerInfo zero = b.peer();
  zero.id = 0;
  CHECK_FALSE(attempt(a.identity(), {zero}).ok());
  PeerInfo shared_key = c.peer();
  shared_key.curve_public = b.curve.public_key;  // ZAP could not tell b from c
  CHECK_FALSE(attempt(a.identity(), {b.peer(), shared_key}).ok());
  LocalIdentity no_id = a.identity();
  no_id.id = 0;
  CHECK_FALSE(attempt(std::move(no_id), {b.peer()}).ok());
}
