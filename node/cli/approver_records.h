// The `--approver ID=RECORD_FILE` arguments of `custos init-network`: each names an approver and the
// credential record of their passkey (`custos approver create --record-out`). They are all read and
// checked, with the rules the config loader applies, before init-network writes anything.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "crypto/passkey/credential_record.h"

namespace custos::cli {

struct ApproverRecord {
  std::string id;
  std::string source;  // the RECORD_FILE argument
  passkey::CredentialRecord record;
};

// The approvers in argument order, or nullopt with every problem written to `err` as
// "<prefix>: --approver <arg>: <problem>" (a malformed argument, an invalid or duplicate id, an
// unreadable or invalid record, a passkey given for two approvers).
std::optional<std::vector<ApproverRecord>> load_approver_records(const std::vector<std::string>& args,
                                                                 const std::string& prefix, std::ostream& err);

}  // namespace custos::cli
