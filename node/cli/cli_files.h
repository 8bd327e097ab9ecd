// File input and output for the `custos` commands that work on local files (approver, intent, approve,
// sign): bounded reads with errors that name the file, and writes that never clobber by accident.
//   write_new_file      creates a file that must not exist yet (O_EXCL), with the given mode, fsynced;
//                       a half-written file is removed.
//   replace_file        atomically replaces a file's contents: temporary file in the same directory,
//                       mode set before any byte is written, fsync, rename, fsync of the directory. A
//                       crash leaves either the old or the new contents, never a mix (the credential
//                       file's counter must not go backwards or be lost).
#pragma once

#include <sys/types.h>

#include <optional>
#include <ostream>
#include <string>

#include "crypto/status.h"

namespace custos::cli {

// Input files are small JSON documents; anything bigger is a wrong file.
inline constexpr size_t kMaxInputFileBytes = 1024 * 1024;

// The whole file, or writes "<prefix>: cannot read <what> <path>: <why>" to `err` and returns nullopt.
std::optional<std::string> read_input_file(const std::string& path, const std::string& what, const std::string& prefix,
                                           std::ostream& err);

Status write_new_file(const std::string& path, const std::string& text, mode_t mode);

Status replace_file(const std::string& path, const std::string& text, mode_t mode);

}  // namespace custos::cli
