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
//                     [--origin URL]... [--approver ID=RECORD_FILE]... [--quorum K] [--json]
// Writes identities, KEK files and cross-wired configs for a local N-node network, with the given
// approvers and a default approval quorum of K of them (all of them without --quorum).
int init_network_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos keygen [--node HOST:PORT] [--json]: distributed key generation through a node's API.
int keygen_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos key show KEY_ID [--node HOST:PORT] [--testnet] [--json]: public key, xpub, addresses.
int key_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos status [--node HOST:PORT] [--json]: a node's health and peer connections.
int status_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos approver create --id ID --out FILE [--record-out FILE] [--rp-id ID] [--origin URL]
//                        [--type es256|eddsa] [--json]
// A software passkey (tests and demos only): the credential file (0600) and its public credential record.
int approver_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos intent create --key KEY_ID (--digest HEX32 | --raw-tx HEX) [--path 0/1/2] [--chain C] [--amount X]
//                      [--asset X] [--destination X] [--expires-in S] [--initiator NAME] [--out FILE] [--json]
// A signing intent with a fresh nonce, and the WebAuthn challenge approvers sign.
int intent_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos approve --credential FILE --intent FILE [--out FILE] [--json]
// Approves an intent with a software passkey; saves the advanced counter to the credential file.
int approve_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// custos sign --intent FILE --approval FILE... [--node HOST:PORT] [--timeout S] [--json]
// POST /v1/sign; prints the signature after verifying it locally, or each node's refusal.
int sign_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace custos::cli
