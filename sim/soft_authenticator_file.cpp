// The software authenticator's credential file (format in sim/soft_authenticator.h): what
// `custos approver create` writes and `custos approve` reads and updates. Parsing is strict because the
// file decides what a passkey signs as: a misspelt "user_verified" must be an error, not a default.
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "crypto/passkey/base64url.h"
#include "crypto/passkey/display.h"
#include "crypto/passkey/json_strict.h"
#include "sim/soft_authenticator.h"
#include "sim/soft_keys.h"

namespace custos::sim {
namespace {

constexpr const char* kFormat = "custos-soft-authenticator";
constexpr uint64_t kVersion = 1;

constexpr char kHex[] = "0123456789abcdef";

Status bad(const std::string& message) { return malformed("software authenticator file: " + message); }

// Reads the members of one JSON object, each at most once, and reports what was left unread.
class Members {
 public:
  Members(const nlohmann::json& object, std::string prefix) : object_(object), prefix_(std::move(prefix)) {}

  Result<const nlohmann::json*> get(const std::string& name) {
    read_.insert(name);
    auto it = object_.find(name);
    if (it == object_.end()) return bad("missing member \"" + prefix_ + name + "\"");
    return &*it;
  }
  Result<std::string> string(const std::string& name, size_t min_len, size_t max_len) {
    ASSIGN_OR_RETURN(const nlohmann::json* v, get(name));
    if (!v->is_string()) return bad("\"" + prefix_ + name + "\" is not a string");
    const std::string& s = v->get_ref<const std::string&>();
    if (s.size() < min_len || s.size() > max_len)
      return bad("\"" + prefix_ + name + "\" must be " + std::to_string(min_len) + ".." + std::to_string(max_len) + " bytes");
    for (unsigned char c : s)
      if (c < 0x20 || c > 0x7e) return bad("\"" + prefix_ + name + "\" must be printable ASCII");
    return s;
  }
  Result<bool> boolean(const std::string& name) {
    ASSIGN_OR_RETURN(const nlohmann::json* v, get(name));
    if (!v->is_boolean()) return bad("\"" + prefix_ + name + "\" is not true or false");
    return v->get<bool>();
  }
  Result<std::vector<uint8_t>> bytes(const std::string& name, size_t min_len, size_t max_len) {
    ASSIGN_OR_RETURN(const nlohmann::json* v, get(name));
    if (!v->is_string()) return bad("\"" + prefix_ + name + "\" is not a string");
    auto b = passkey::base64url_decode(v->get_ref<const std::string&>());
    if (!b) return bad("\"" + prefix_ + name + "\" is not unpadded base64url");
    if (b->size() < min_len || b->size() > max_len)
      return bad("\"" + prefix_ + name + "\" must decode to " + std::to_string(min_len) + ".." + std::to_string(max_len) +
                 " bytes (has " + std::to_string(b->size()) + ")");
    return std::move(*b);
  }
  // Every member must have been read: an unknown one is an error, not ignored.
  Status finish() const {
    for (const auto& [name, value] : object_.items())
      if (!read_.count(name)) return bad("unknown member \"" + prefix_ + passkey::display_value(name, 64) + "\"");
    return ok_status();
  }

 private:
  const nlohmann::json& object_;
  std::string prefix_;
  std::set<std::string> read_;
};

std::string hex(std::span<const uint8_t> b) {
  std::string s;
  for (uint8_t v : b) {
    s += kHex[v >> 4];
    s += kHex[v & 15];
  }
  return s;
}

Result<std::array<uint8_t, 16>> aaguid_from_hex(const std::string& text) {
  std::array<uint8_t, 16> out{};
  if (text.size() != 32) return bad("\"options.aaguid\" must be 32 lower-case hex digits");
  for (size_t i = 0; i < 32; ++i) {
    const char* at = std::strchr(kHex, text[i]);
    if (text[i] == '\0' || at == nullptr) return bad("\"options.aaguid\" must be 32 lower-case hex digits");
    out[i / 2] = static_cast<uint8_t>(out[i / 2] << 4 | (at - kHex));
  }
  return out;
}

Result<SoftAuthenticatorOptions> parse_options(const nlohmann::json& j) {
  if (!j.is_object()) return bad("\"options\" is not an object");
  Members m(j, "options.");
  SoftAuthenticatorOptions o;
  ASSIGN_OR_RETURN(o.rp_id, m.string("rp_id", 1, 253));
  ASSIGN_OR_RETURN(o.origin, m.string("origin", 1, 2048));
  ASSIGN_OR_RETURN(o.cross_origin, m.boolean("cross_origin"));
  ASSIGN_OR_RETURN(const nlohmann::json* top, m.get("top_origin"));
  if (!top->is_null()) {
    ASSIGN_OR_RETURN(std::string t, m.string("top_origin", 1, 2048));
    o.top_origin = std::move(t);
  }
  ASSIGN_OR_RETURN(o.user_present, m.boolean("user_present"));
  ASSIGN_OR_RETURN(o.user_verified, m.boolean("user_verified"));
  ASSIGN_OR_RETURN(o.backup_eligible, m.boolean("backup_eligible"));
  ASSIGN_OR_RETURN(o.backup_state, m.boolean("backup_state"));
  ASSIGN_OR_RETURN(o.counter_enabled, m.boolean("counter_enabled"));
  ASSIGN_OR_RETURN(o.include_user_handle, m.boolean("include_user_handle"));
  ASSIGN_OR_RETURN(std::string aaguid, m.string("aaguid", 32, 32));
  ASSIGN_OR_RETURN(o.aaguid, aaguid_from_hex(aaguid));
  ASSIGN_OR_RETURN(o.attachment, m.string("attachment", 1, 32));
  if (o.attachment != "platform" && o.attachment != "cross-platform")
    return bad("\"options.attachment\" must be \"platform\" or \"cross-platform\"");
  RETURN_IF_ERROR(m.finish());
  return o;
}

}  // namespace

Result<std::string> SoftAuthenticator::to_file_json() const {
  ASSIGN_OR_RETURN(SecretBytes der, private_key_pkcs8(key_.get()));
  const SoftAuthenticatorOptions& o = options_;
  nlohmann::ordered_json options = {{"rp_id", o.rp_id},
                                    {"origin", o.origin},
                                    {"cross_origin", o.cross_origin},
                                    {"top_origin", o.top_origin ? nlohmann::ordered_json(*o.top_origin) : nullptr},
                                    {"user_present", o.user_present},
                                    {"user_verified", o.user_verified},
                                    {"backup_eligible", o.backup_eligible},
                                    {"backup_state", o.backup_state},
                                    {"counter_enabled", o.counter_enabled},
                                    {"include_user_handle", o.include_user_handle},
                                    {"aaguid", hex(o.aaguid)},
                                    {"attachment", o.attachment}};
  nlohmann::ordered_json j = {{"format", kFormat},
                              {"version", kVersion},
                              {"key_type", alg_ == passkey::CoseAlg::kES256 ? "es256" : "eddsa"},
                              {"private_key_pkcs8", passkey::base64url_encode(der.expose())},
                              {"credential_id", passkey::base64url_encode(credential_id_)},
                              {"user_handle", passkey::base64url_encode(user_handle_)},
                              {"user_name", user_name_},
                              {"sign_count", sign_count_},
                              {"options", options}};
  // Validate what we write with the reader, so a file this writes can always be loaded again.
  std::string text = j.dump(2) + "\n";
  if (auto back = from_file_json(text); !back.ok()) return back.status();
  return text;
}

Result<SoftAuthenticator> SoftAuthenticator::from_file_json(std::string_view text) {
  if (text.size() > kMaxFileBytes) return bad("larger than 64 KiB");
  std::string error;
  auto doc = passkey::parse_json_strict(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), &error);
  if (!doc) return bad(error);
  if (!doc->is_object()) return bad("not a JSON object");
  Members m(*doc, "");
  ASSIGN_OR_RETURN(std::string format, m.string("format", 1, 64));
  if (format != kFormat) return bad("\"format\" is \"" + passkey::display_value(format, 64) + "\", expected \"" + kFormat + "\"");
  ASSIGN_OR_RETURN(const nlohmann::json* version, m.get("version"));
  if (!version->is_number_unsigned() || version->get<uint64_t>() != kVersion)
    return bad("\"version\" must be " + std::to_string(kVersion) + " (the only version this build reads)");
  ASSIGN_OR_RETURN(std::string key_type, m.string("key_type", 1, 16));
  if (key_type != "es256" && key_type != "eddsa") return bad("\"key_type\" must be \"es256\" or \"eddsa\"");
  const SoftKeyType type = key_type == "es256" ? SoftKeyType::kES256 : SoftKeyType::kEdDSA;

  SoftAuthenticator a;
  a.alg_ = type == SoftKeyType::kES256 ? passkey::CoseAlg::kES256 : passkey::CoseAlg::kEdDSA;
  {
    ASSIGN_OR_RETURN(const nlohmann::json* v, m.get("private_key_pkcs8"));
    if (!v->is_string()) return bad("\"private_key_pkcs8\" is not a string");
    auto der_plain = passkey::base64url_decode(v->get_ref<const std::string&>());
    if (!der_plain) return bad("\"private_key_pkcs8\" is not unpadded base64url");
    SecretBytes der(*der_plain);
    secure_wipe(der_plain->data(), der_plain->size());
    auto secret = private_key_secret_from_pkcs8(der.expose(), type);
    if (!secret.ok()) return bad("\"private_key_pkcs8\": " + secret.status().message());
    auto key = key_from_secret(secret->expose(), type);
    if (!key.ok()) return bad("\"private_key_pkcs8\": " + key.status().message());
    RETURN_IF_ERROR(a.set_key(std::move(*key)));
  }
  ASSIGN_OR_RETURN(a.credential_id_, m.bytes("credential_id", 1, 1023));
  ASSIGN_OR_RETURN(a.user_handle_, m.bytes("user_handle", 1, 64));
  ASSIGN_OR_RETURN(a.user_name_, m.string("user_name", 0, kMaxUserNameBytes));
  ASSIGN_OR_RETURN(const nlohmann::json* count, m.get("sign_count"));
  if (!count->is_number_unsigned() || count->get<uint64_t>() > 0xffffffffu)
    return bad("\"sign_count\" must be an integer in 0..4294967295");
  a.sign_count_ = static_cast<uint32_t>(count->get<uint64_t>());
  ASSIGN_OR_RETURN(const nlohmann::json* options, m.get("options"));
  ASSIGN_OR_RETURN(a.options_, parse_options(*options));
  RETURN_IF_ERROR(m.finish());
  return a;
}

}  // namespace custos::sim
