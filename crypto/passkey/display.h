// Quoting of untrusted strings inside rejection messages: the CLI prints messages verbatim to a
// terminal, so a hostile origin must not smuggle control characters or megabytes into it.
#pragma once

#include <string>
#include <string_view>

namespace custos::passkey {

// The value with control and non-ASCII bytes written as \xNN, cut to `max_chars` with "...".
std::string display_value(std::string_view value, size_t max_chars = 200);

}  // namespace custos::passkey
