#include "node/cli/approver_records.h"

#include <map>

#include "config/validate.h"
#include "node/cli/cli_files.h"

namespace custos::cli {

std::optional<std::vector<ApproverRecord>> load_approver_records(const std::vector<std::string>& args,
                                                                 const std::string& prefix, std::ostream& err) {
  std::vector<ApproverRecord> out;
  std::map<std::string, std::string> arg_of_id;
  std::map<std::vector<uint8_t>, std::string> id_of_credential;
  bool ok = true;
  for (const std::string& arg : args) {
    auto fail = [&](const std::string& problem) {
      err << prefix << ": --approver " << arg << ": " << problem << "\n";
      ok = false;
    };
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
      fail("expected ID=RECORD_FILE");
      continue;
    }
    ApproverRecord a{arg.substr(0, eq), arg.substr(eq + 1), {}};
    if (auto problem = config::check_approver_id(a.id)) {
      fail("approver id: " + *problem);
      continue;
    }
    if (auto [at, inserted] = arg_of_id.emplace(a.id, arg); !inserted) {
      fail("approver " + a.id + " is already given by --approver " + at->second);
      continue;
    }
    auto text = read_input_file(a.source, "credential record", prefix, err);
    if (!text) {
      ok = false;
      continue;
    }
    auto record = passkey::parse_credential_record(*text);
    if (!record.ok()) {
      fail(a.source + ": " + record.rejection().message);
      continue;
    }
    a.record = std::move(record).value();
    // One passkey counted for two approvers would let one person satisfy a 2-of-m quorum.
    if (auto [at, inserted] = id_of_credential.emplace(a.record.id, a.id); !inserted) {
      fail("the same passkey as approver " + at->second + "; each approver needs their own");
      continue;
    }
    out.push_back(std::move(a));
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace custos::cli
