// Subcommands of custos-passkey. Each parses its own arguments (CLI11), writes its
// verdict to `out` and diagnostics to `err`, and returns the process exit status:
// 0 accept, 1 reject, 2 usage or input-file error.
#pragma once

#include <ostream>

namespace custos::passkey_cli {

int verify_assertion_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);
int verify_registration_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);
int challenge_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace custos::passkey_cli
