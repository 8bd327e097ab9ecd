#include "protocol/cggmp21/key_share.h"

#include <algorithm>
#include <cstdlib>

#include "crypto/codec.h"
#include "crypto/zk/params.h"

namespace custos::cggmp21 {
namespace {
constexpr std::string_view kShareMagic = "CUSTOS-KEYSHARE";
constexpr std::string_view kAuxMagic = "CUSTOS-AUXINFO";
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kMaxParties = 1024;

Status expect_magic(Reader& r, std::string_view magic) {
  ASSIGN_OR_RETURN(auto m, r.bytes(32));
  if (std::string(m.begin(), m.end()) != magic) return malformed("not a " + std::string(magic) + " blob");
  ASSIGN_OR_RETURN(uint32_t v, r.u32());
  if (v != kFormatVersion) return malformed(std::string(magic) + " version " + std::to_string(v) + " is not supported");
  return ok_status();
}

template <size_t N>
Status read_fixed(Reader& r, std::array<uint8_t, N>& out, const char* what) {
  ASSIGN_OR_RETURN(auto b, r.bytes(N));
  if (b.size() != N) return malformed(std::string(what) + " must be " + std::to_string(N) + " bytes");
  std::copy(b.begin(), b.end(), out.begin());
  return ok_status();
}
}  // namespace

size_t KeyShare::position(PartyIndex j) const {
  auto it = std::find(parties.begin(), parties.end(), j);
  if (it == parties.end()) std::abort();
  return static_cast<size_t>(it - parties.begin());
}

SecretBytes serialize_key_share(const KeyShare& s) {
  Writer w;
  w.bytes(as_bytes(kShareMagic)).u32(kFormatVersion);
  w.bytes(s.key_id).bytes(s.epoch).u32(s.threshold).u32(s.self);
  w.u32(static_cast<uint32_t>(s.parties.size()));
  for (size_t i = 0; i < s.parties.size(); ++i) w.u32(s.parties[i]).point(s.public_shares[i]);
  w.scalar(s.secret_share).point(s.public_key).bytes(s.rid).bytes(s.chain_code);
  std::vector<uint8_t> out = w.take();
  SecretBytes secret(out);
  secure_wipe(out.data(), out.size());
  return secret;
}

Result<KeyShare> deserialize_key_share(std::span<const uint8_t> bytes) {
  Reader r(bytes, "key share");
  RETURN_IF_ERROR(expect_magic(r, kShareMagic));
  KeyShare s;
  RETURN_IF_ERROR(read_fixed(r, s.key_id, "key id"));
  RETURN_IF_ERROR(read_fixed(r, s.epoch, "epoch"));
  ASSIGN_OR_RETURN(s.threshold, r.u32());
  ASSIGN_OR_RETURN(s.self, r.u32());
  ASSIGN_OR_RETURN(uint32_t n, r.u32());
  if (n == 0 || n > kMaxParties) return out_of_range("key share: party count out of range");
  if (s.threshold == 0 || s.threshold > n) return out_of_range("key share: threshold out of range");
  for (uint32_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(PartyIndex j, r.u32());
    ASSIGN_OR_RETURN(Point x, r.point());
    if (j == 0 || (!s.parties.empty() && j <= s.parties.back())) {
      return malformed("key share: party indices must be ascending and non-zero");
    }
    s.parties.push_back(j);
    s.public_shares.push_back(x);
  }
  if (std::find(s.parties.begin(), s.parties.end(), s.self) == s.parties.end()) {
    return malformed("key share: own index is not among the parties");
  }
  ASSIGN_OR_RETURN(s.secret_share, r.scalar());
  ASSIGN_OR_RETURN(s.public_key, r.point());
  RETURN_IF_ERROR(read_fixed(r, s.rid, "rid"));
  RETURN_IF_ERROR(read_fixed(r, s.chain_code, "chain code"));
  RETURN_IF_ERROR(r.finish());
  if (Point::base_mul(s.secret_share) != s.public_share(s.self)) {
    return verify_failed("key share: secret share does not match its public share");
  }
  return s;
}

SecretBytes serialize_aux_info(const AuxInfo& a) {
  Writer w;
  w.bytes(as_bytes(kAuxMagic)).u32(kFormatVersion);
  w.bytes(a.epoch).u32(a.self);
  w.integer(a.paillier->p()).integer(a.paillier->q()).integer(a.ring_pedersen->lambda());
  w.integer(a.ring_pedersen->params().s()).integer(a.ring_pedersen->params().t());
  w.u32(static_cast<uint32_t>(a.parties.size()));
  for (const auto& [j, pa] : a.parties) {
    w.u32(j).integer(pa.paillier.n()).integer(pa.ring_pedersen.s()).integer(pa.ring_pedersen.t());
  }
  std::vector<uint8_t> out = w.take();
  SecretBytes secret(out);
  secure_wipe(out.data(), out.size());
  return secret;
}

Result<AuxInfo> deserialize_aux_info(std::span<const uint8_t> bytes) {
  using zk::kPaillierBits;
  Reader r(bytes, "aux info");
  RETURN_IF_ERROR(expect_magic(r, kAuxMagic));
  AuxInfo a;
  RETURN_IF_ERROR(read_fixed(r, a.epoch, "epoch"));
  ASSIGN_OR_RETURN(a.self, r.u32());
  ASSIGN_OR_RETURN(BigInt p, r.integer(kPaillierBits / 2));
  ASSIGN_OR_RETURN(BigInt q, r.integer(kPaillierBits / 2));
  ASSIGN_OR_RETURN(BigInt lambda, r.integer(kPaillierBits));
  ASSIGN_OR_RETURN(BigInt s, r.integer(kPaillierBits));
  ASSIGN_OR_RETURN(BigInt t, r.integer(kPaillierBits));
  ASSIGN_OR_RETURN(PaillierSecretKey sk, PaillierSecretKey::from_primes(p, q, kPaillierBits));
  auto key = std::make_shared<const PaillierSecretKey>(std::move(sk));
  ASSIGN_OR_RETURN(RingPedersenParams rp, RingPedersenParams::create(key->n(), s, t, kPaillierBits));
  if (lambda.is_zero() || BigInt::powm_sec(t, lambda, key->n()) != s) {
    return verify_failed("aux info: ring-Pedersen λ does not match s and t");
  }
  a.paillier = key;
  a.ring_pedersen = std::make_shared<const RingPedersenSecret>(rp, lambda, key);
  ASSIGN_OR_RETURN(uint32_t n, r.u32());
  if (n == 0 || n > kMaxParties) return out_of_range("aux info: party count out of range");
  for (uint32_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(PartyIndex j, r.u32());
    ASSIGN_OR_RETURN(BigInt pn, r.integer(kPaillierBits));
    ASSIGN_OR_RETURN(BigInt ps, r.integer(kPaillierBits));
    ASSIGN_OR_RETURN(BigInt pt, r.integer(kPaillierBits));
    ASSIGN_OR_RETURN(PaillierPublicKey ppk, PaillierPublicKey::from_modulus(pn, kPaillierBits));
    ASSIGN_OR_RETURN(RingPedersenParams prp, RingPedersenParams::create(pn, ps, pt, kPaillierBits));
    if (!a.parties.emplace(j, PartyAux{ppk, prp}).second) return malformed("aux info: duplicate party");
  }
  RETURN_IF_ERROR(r.finish());
  auto self = a.parties.find(a.self);
  if (self == a.parties.end() || !(self->second.paillier == key->public_key()) ||
      !(self->second.ring_pedersen == rp)) {
    return verify_failed("aux info: own public parameters do not match the secrets");
  }
  return a;
}

}  // namespace custos::cggmp21
