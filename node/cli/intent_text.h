// A signing intent as a person reads it before approving or submitting it: what key, what payload, how
// much to whom, until when. Approvers must see what they sign (DESIGN §5), not just a challenge.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "protocol/intent.h"

namespace custos::cli {

// "2026-01-01 00:10:00 UTC".
std::string utc_time(uint64_t unix_seconds);

// One "  name  value" line per field; the expiry is shown relative to `now_unix` as well.
void describe_intent(const SigningIntent& intent, int64_t now_unix, std::ostream& os);

}  // namespace custos::cli
