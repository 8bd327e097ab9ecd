// Versioned serialization of presignatures ("CUSTOS-PRESIG" v1).
#include "crypto/codec.h"
#include "protocol/cggmp21/presign.h"

namespace custos::cggmp21 {
namespace {
constexpr std::string_view kMagic = "CUSTOS-PRESIG";
constexpr uint32_t kVersion = 1;

Status read_digest(Reader& r, Digest32& d) {
  ASSIGN_OR_RETURN(auto b, r.bytes(32));
  if (b.size() != 32) return malformed("presignature: digest must be 32 bytes");
  std::copy(b.begin(), b.end(), d.begin());
  return ok_status();
}
}  // namespace

SecretBytes serialize_presignature(const Presignature& p) {
  Writer w;
  w.bytes(as_bytes(kMagic)).u32(kVersion);
  w.bytes(p.id).bytes(p.key_id).bytes(p.key_epoch).bytes(p.aux_epoch).u32(p.self);
  w.u32(static_cast<uint32_t>(p.signers.size()));
  for (PartyIndex j : p.signers) w.u32(j).point(p.deltas.at(j)).point(p.s.at(j));
  w.point(p.R).point(p.gamma).scalar(p.k).scalar(p.chi);
  std::vector<uint8_t> out = w.take();
  SecretBytes secret(out);
  secure_wipe(out.data(), out.size());
  return secret;
}

Result<Presignature> deserialize_presignature(std::span<const uint8_t> bytes) {
  Reader r(bytes, "presignature");
  ASSIGN_OR_RETURN(auto magic, r.bytes(32));
  if (std::string(magic.begin(), magic.end()) != kMagic) return malformed("not a presignature blob");
  ASSIGN_OR_RETURN(uint32_t v, r.u32());
  if (v != kVersion) return malformed("presignature version " + std::to_string(v) + " is not supported");
  Presignature p;
  RETURN_IF_ERROR(read_digest(r, p.id));
  RETURN_IF_ERROR(read_digest(r, p.key_id));
  RETURN_IF_ERROR(read_digest(r, p.key_epoch));
  RETURN_IF_ERROR(read_digest(r, p.aux_epoch));
  ASSIGN_OR_RETURN(p.self, r.u32());
  ASSIGN_OR_RETURN(uint32_t n, r.u32());
  if (n == 0 || n > 1024) return out_of_range("presignature: signer count out of range");
  for (uint32_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(PartyIndex j, r.u32());
    if (j == 0 || (!p.signers.empty() && j <= p.signers.back())) return malformed("presignature: bad signer order");
    p.signers.push_back(j);
    ASSIGN_OR_RETURN(p.deltas[j], r.point());
    ASSIGN_OR_RETURN(p.s[j], r.point());
  }
  ASSIGN_OR_RETURN(p.R, r.point());
  ASSIGN_OR_RETURN(p.gamma, r.point());
  ASSIGN_OR_RETURN(p.k, r.scalar());
  ASSIGN_OR_RETURN(p.chi, r.scalar());
  RETURN_IF_ERROR(r.finish());
  if (std::find(p.signers.begin(), p.signers.end(), p.self) == p.signers.end()) {
    return malformed("presignature: own index is not a signer");
  }
  return p;
}

Status check_presignature_consistency(const Presignature& p) {
  if (std::find(p.signers.begin(), p.signers.end(), p.self) == p.signers.end() || !p.deltas.count(p.self)) {
    return invalid_argument("presignature: own index is not a signer");
  }
  if (!(p.gamma.mul(p.k) == p.deltas.at(p.self))) return verify_failed("presignature: k does not match Δ");
  return ok_status();
}

}  // namespace custos::cggmp21
