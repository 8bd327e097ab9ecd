// Input helpers shared by the custos-passkey subcommands: bounded file reads with clear errors.
#pragma once

#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "crypto/passkey/base64url.h"
#include "crypto/passkey/verdict.h"

namespace custos::passkey_cli {

// Parses the command line; returns the exit status to end with (0 after --help, 2 for a usage
// error, which CLI11 has already explained on `err`), or nullopt to go on.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                                             std::ostream& err) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }
  return std::nullopt;
}

// Prints a rejection as `reject: <code>: <message>` or, with --json, {"verdict","reason","message"};
// returns exit status 1.
inline int print_rejection(const passkey::Rejection& r, bool json_output, std::ostream& out) {
  if (json_output) {
    nlohmann::json j = {{"verdict", "reject"}, {"reason", passkey::reason_code(r.reason)}, {"message", r.message}};
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    out << r.to_string() << "\n";
  }
  return 1;
}

// The --challenge argument: non-empty unpadded base64url, or a usage error written to `err`.
inline std::optional<std::vector<uint8_t>> challenge_argument(const std::string& text, std::ostream& err) {
  auto challenge = passkey::base64url_decode(text);
  if (!challenge || challenge->empty()) {
    err << "custos-passkey: --challenge " << text.substr(0, 100) << " is not unpadded base64url\n";
    return std::nullopt;
  }
  return challenge;
}

// Inputs are small JSON documents; anything bigger is a wrong file, not a large approval.
inline constexpr size_t kMaxInputFileBytes = 1024 * 1024;

// Reads the whole file, or writes "custos-passkey: cannot read <what> <path>: <why>" to `err`.
inline std::optional<std::string> read_input_file(const std::string& path, const char* what, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "custos-passkey: cannot read " << what << " " << path << ": no such file or not readable\n";
    return std::nullopt;
  }
  std::string data;
  char buf[4096];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxInputFileBytes) {
      err << "custos-passkey: " << what << " " << path << " is larger than 1 MiB\n";
      return std::nullopt;
    }
  }
  if (in.bad()) {
    err << "custos-passkey: cannot read " << what << " " << path << ": read error\n";
    return std::nullopt;
  }
  return data;
}

}  // namespace custos::passkey_cli
