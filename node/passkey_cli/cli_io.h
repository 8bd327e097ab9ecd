// Input helpers shared by the custos-passkey subcommands: bounded file reads with clear errors.
#pragma once

#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>

namespace custos::passkey_cli {

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
