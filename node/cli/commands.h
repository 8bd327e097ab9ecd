// Subcommands of the `custos` CLI. Each lives in its own file node/cli/<name>_cmd.cpp,
// parses its own arguments (CLI11; argv[0] is the command name), writes its
// results to `out` and diagnostics to `err`, and returns the process exit
// status: 0 success, 1 the operation failed, 2 usage error. They are plain
// functions so tests can run them in-process.
//
// To add a command: declare it here, implement it in node/cli/<name>_cmd.cpp,
// and add one row to kCommands in node/cli/main.cpp.
#pragma once

#include <ostream>

namespace custos::cli {

// custos init-network --nodes N --threshold T --dir DIR [--base-port P] [--rp-id ID]
//                     [--origin URL]... [--json]
// Writes identities, KEK files and cross-wired configs for a local N-node network.
int init_network_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos keygen [--node HOST:PORT] [--json]: distributed key generation through a node's API.
int keygen_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos key show KEY_ID [--node HOST:PORT] [--testnet] [--json]: public key, xpub, addresses.
int key_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos status [--node HOST:PORT] [--json]: a node's health and peer connections.
int status_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace custos::cli
