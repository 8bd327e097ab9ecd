// custos-passkey: explains why a passkey approval or registration is accepted or rejected.
#include <cstring>
#include <iostream>

#include "node/passkey_cli/commands.h"

namespace {

void usage(std::ostream& os) {
  os << "usage: custos-passkey <command> [options]\n"
        "commands:\n"
        "  verify-assertion     check a WebAuthn assertion against a stored credential\n"
        "  verify-registration  check a WebAuthn registration and print the credential record\n"
        "  challenge            print the WebAuthn challenge of a signing intent\n"
        "run `custos-passkey <command> --help` for the options of one command\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const char* command = argv[1];
  // Each command sees its own name as argv[0].
  const int sub_argc = argc - 1;
  const char* const* sub_argv = argv + 1;
  using namespace custos::passkey_cli;
  if (std::strcmp(command, "verify-assertion") == 0) return verify_assertion_command(sub_argc, sub_argv, std::cout, std::cerr);
  if (std::strcmp(command, "verify-registration") == 0)
    return verify_registration_command(sub_argc, sub_argv, std::cout, std::cerr);
  if (std::strcmp(command, "challenge") == 0) return challenge_command(sub_argc, sub_argv, std::cout, std::cerr);
  std::cerr << "custos-passkey: unknown command '" << command << "'\n";
  usage(std::cerr);
  return 2;
}
