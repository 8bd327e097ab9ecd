#include "node/cli/intent_text.h"

#include <ctime>

#include "crypto/passkey/display.h"
#include "crypto/hex.h"

namespace custos::cli {
namespace {

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void line(std::ostream& os, const char* name, const std::string& value) {
  std::string padded = name;
  padded.resize(13, ' ');
  os << "  " << padded << value << "\n";
}

std::string duration(int64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 7200) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds / 3600) + " h";
}

}  // namespace

std::string utc_time(uint64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  char buf[64];
  if (::gmtime_r(&t, &tm) == nullptr || std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
    return std::to_string(unix_seconds);
  return buf;
}

void describe_intent(const SigningIntent& intent, int64_t now_unix, std::ostream& os) {
  // Intents come from files: validate_intent limits their text to printable ASCII, and display_value
  // keeps even an unvalidated one from writing control characters to the terminal.
  using passkey::display_value;
  line(os, "key", display_value(intent.key_id()));
  std::string path = "m";
  // Appended piecewise: GCC 12 -O3 warns (-Wrestrict, a false positive) on "literal" + std::string&&.
  for (uint32_t c : intent.derivation_path()) path.append("/").append(std::to_string(c));
  line(os, "path", path);
  line(os, "chain", display_value(intent.chain()));
  if (intent.payload_case() == SigningIntent::kDigest) {
    line(os, "digest", to_hex(bytes_of(intent.digest())));
  } else {
    const std::string& raw = intent.raw_transaction();
    std::string shown = to_hex(bytes_of(raw.substr(0, 64)));
    if (raw.size() > 64) shown += "...";
    line(os, "raw tx", std::to_string(raw.size()) + " bytes: " + shown);
  }
  if (intent.has_amount()) {
    std::string amount = display_value(intent.amount());
    if (intent.has_asset()) amount.append(" ").append(display_value(intent.asset()));
    line(os, "amount", amount);
  } else if (intent.has_asset()) {
    line(os, "asset", display_value(intent.asset()));
  }
  line(os, "destination", intent.has_destination() ? display_value(intent.destination()) : "(not stated)");
  line(os, "initiator", display_value(intent.initiator()));
  line(os, "created", utc_time(intent.created_at_unix()));
  const int64_t left = static_cast<int64_t>(intent.expires_at_unix()) - now_unix;
  std::string expires = utc_time(intent.expires_at_unix());
  if (left > 0)
    expires.append(" (in ").append(duration(left)).append(")");
  else
    expires.append(" (expired ").append(duration(-left)).append(" ago)");
  line(os, "expires", expires);
}

}  // namespace custos::cli
