#include "crypto/passkey/attestation/tpm_structures.h"

#include <optional>
#include <string>

namespace custos::passkey {
namespace {

// Big-endian reader over a span; every read checks the remaining length first.
class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> bytes) : rest_(bytes) {}

  bool empty() const { return rest_.empty(); }
  size_t remaining() const { return rest_.size(); }

  std::optional<uint64_t> uint(size_t width) {
    if (rest_.size() < width) return std::nullopt;
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) value = (value << 8) | rest_[i];
    rest_ = rest_.subspan(width);
    return value;
  }
  std::optional<uint16_t> u16() {
    auto v = uint(2);
    return v ? std::optional<uint16_t>(static_cast<uint16_t>(*v)) : std::nullopt;
  }
  std::optional<uint32_t> u32() {
    auto v = uint(4);
    return v ? std::optional<uint32_t>(static_cast<uint32_t>(*v)) : std::nullopt;
  }
  std::optional<uint64_t> u64() { return uint(8); }
  std::optional<uint8_t> u8() {
    auto v = uint(1);
    return v ? std::optional<uint8_t>(static_cast<uint8_t>(*v)) : std::nullopt;
  }
  // TPM2B_*: a 16-bit size followed by that many bytes.
  std::optional<std::vector<uint8_t>> sized() {
    auto size = u16();
    if (!size || rest_.size() < *size) return std::nullopt;
    std::vector<uint8_t> out(rest_.begin(), rest_.begin() + *size);
    rest_ = rest_.subspan(*size);
    return out;
  }

 private:
  std::span<const uint8_t> rest_;
};

Rejection truncated(const std::string& structure, const std::string& field) {
  return reject(Reason::kAttestationStatementInvalid, structure + " is truncated at " + field);
}

#define TPM_READ(lhs, expr, structure, field)          \
  auto CUSTOS_CONCAT(tpm_field_, __LINE__) = (expr);   \
  if (!CUSTOS_CONCAT(tpm_field_, __LINE__)) return truncated(structure, field); \
  lhs = std::move(*CUSTOS_CONCAT(tpm_field_, __LINE__))

}  // namespace

Verdict<TpmsAttest> parse_tpms_attest(std::span<const uint8_t> bytes) {
  const std::string s = "certInfo (TPMS_ATTEST)";
  Cursor c(bytes);
  TpmsAttest out;
  TPM_READ(out.magic, c.u32(), s, "magic");
  TPM_READ(out.type, c.u16(), s, "type");
  TPM_READ(out.qualified_signer, c.sized(), s, "qualifiedSigner");
  TPM_READ(out.extra_data, c.sized(), s, "extraData");
  TPM_READ(out.clock, c.u64(), s, "clockInfo.clock");
  TPM_READ(out.reset_count, c.u32(), s, "clockInfo.resetCount");
  TPM_READ(out.restart_count, c.u32(), s, "clockInfo.restartCount");
  TPM_READ(out.safe, c.u8(), s, "clockInfo.safe");
  TPM_READ(out.firmware_version, c.u64(), s, "firmwareVersion");
  TPM_READ(out.attested_name, c.sized(), s, "attested.name");
  TPM_READ(out.attested_qualified_name, c.sized(), s, "attested.qualifiedName");
  if (!c.empty()) {
    return reject(Reason::kAttestationStatementInvalid,
                  s + " has " + std::to_string(c.remaining()) + " trailing bytes");
  }
  return out;
}

Verdict<TpmtPublic> parse_tpmt_public(std::span<const uint8_t> bytes) {
  const std::string s = "pubArea (TPMT_PUBLIC)";
  Cursor c(bytes);
  TpmtPublic out;
  TPM_READ(out.type, c.u16(), s, "type");
  TPM_READ(out.name_alg, c.u16(), s, "nameAlg");
  TPM_READ(out.object_attributes, c.u32(), s, "objectAttributes");
  TPM_READ(out.auth_policy, c.sized(), s, "authPolicy");
  if (out.type != kTpmAlgRsa && out.type != kTpmAlgEcc) {
    return reject(Reason::kAttestationStatementInvalid,
                  s + " type " + std::to_string(out.type) + " is neither TPM_ALG_RSA nor TPM_ALG_ECC");
  }
  // TPMT_SYM_DEF_OBJECT: algorithm, then keyBits and mode unless TPM_ALG_NULL.
  TPM_READ(const uint16_t symmetric, c.u16(), s, "parameters.symmetric");
  if (symmetric != kTpmAlgNull) {
    TPM_READ([[maybe_unused]] const uint16_t sym_bits, c.u16(), s, "parameters.symmetric.keyBits");
    TPM_READ([[maybe_unused]] const uint16_t sym_mode, c.u16(), s, "parameters.symmetric.mode");
  }
  // TPMT_RSA_SCHEME / TPMT_ECC_SCHEME: scheme, then hashAlg unless TPM_ALG_NULL.
  TPM_READ(const uint16_t scheme, c.u16(), s, "parameters.scheme");
  if (scheme != kTpmAlgNull) {
    TPM_READ([[maybe_unused]] const uint16_t scheme_hash, c.u16(), s, "parameters.scheme.hashAlg");
  }
  if (out.type == kTpmAlgRsa) {
    TPM_READ(out.rsa_key_bits, c.u16(), s, "parameters.keyBits");
    TPM_READ(out.rsa_exponent, c.u32(), s, "parameters.exponent");
    TPM_READ(out.rsa_modulus, c.sized(), s, "unique (TPM2B_PUBLIC_KEY_RSA)");
  } else {
    TPM_READ(out.ecc_curve, c.u16(), s, "parameters.curveID");
    TPM_READ(const uint16_t kdf, c.u16(), s, "parameters.kdf");
    if (kdf != kTpmAlgNull) {
      TPM_READ([[maybe_unused]] const uint16_t kdf_hash, c.u16(), s, "parameters.kdf.hashAlg");
    }
    TPM_READ(out.ecc_x, c.sized(), s, "unique.x");
    TPM_READ(out.ecc_y, c.sized(), s, "unique.y");
  }
  if (!c.empty()) {
    return reject(Reason::kAttestationStatementInvalid,
                  s + " has " + std::to_string(c.remaining()) + " trailing bytes");
  }
  return out;
}

}  // namespace custos::passkey
