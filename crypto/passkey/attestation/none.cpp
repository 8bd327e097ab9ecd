#include "crypto/passkey/attestation/none.h"

namespace custos::passkey {

Verdict<AttestationOutcome> verify_none_attestation(const AttestationInput& in) {
  if (!in.statement.empty()) {
    std::string keys;
    for (const auto& [key, value] : in.statement.fields()) keys += (keys.empty() ? "" : ", ") + key;
    return reject(Reason::kAttestationStatementInvalid,
                  "fmt \"none\" requires an empty attStmt, found keys: " + keys);
  }
  AttestationOutcome out;
  out.type = AttestationType::kNone;
  return out;
}

}  // namespace custos::passkey
