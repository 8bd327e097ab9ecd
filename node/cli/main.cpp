// custos: the operator's command-line tool (DESIGN §1, node/). Dispatches on the
// first argument to one subcommand; each subcommand is a function in node/cli/commands.h.
#include <cstring>
#include <iostream>

#include "node/cli/commands.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, const char* const* argv, std::ostream& out, std::ostream& err);
};

// One row per subcommand, in the order `custos --help` lists them.
constexpr Command kCommands[] = {
    {"init-network", "write identities and configs for a local network of nodes", custos::cli::init_network_command},
    {"keygen", "generate a threshold key on all nodes", custos::cli::keygen_command},
    {"key", "key show KEY_ID: public key, xpub, Bitcoin and Ethereum addresses", custos::cli::key_command},
    {"status", "a node's health and peer connections", custos::cli::status_command},
    {"approver", "approver create: a software passkey for tests and demos", custos::cli::approver_command},
    {"intent", "intent create: a signing intent and its WebAuthn challenge", custos::cli::intent_command},
    {"approve", "approve an intent with a software passkey", custos::cli::approve_command},
    {"sign", "submit an intent and its approvals; print the verified signature", custos::cli::sign_command},
};

void usage(std::ostream& os) {
  os << "usage: custos <command> [options]\n"
        "commands:\n";
  for (const auto& c : kCommands) {
    os << "  " << c.name;
    for (size_t i = std::strlen(c.name); i < 16; ++i) os << ' ';
    os << "  " << c.summary << "\n";
  }
  os << "run `custos <command> --help` for the options of one command\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "help") == 0) {
    usage(std::cout);
    return 0;
  }
  for (const auto& c : kCommands) {
    // Each command sees its own name as argv[0].
    if (std::strcmp(argv[1], c.name) == 0) return c.run(argc - 1, argv + 1, std::cout, std::cerr);
  }
  std::cerr << "custos: unknown command '" << argv[1] << "'\n";
  usage(std::cerr);
  return 2;
}
