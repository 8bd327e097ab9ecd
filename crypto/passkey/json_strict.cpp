#include "crypto/passkey/json_strict.h"

#include <set>
#include <vector>

#include "crypto/passkey/display.h"

namespace custos::passkey {

std::optional<nlohmann::json> parse_json_strict(std::span<const uint8_t> bytes, std::string* error, int max_depth) {
  using json = nlohmann::json;
  std::vector<std::set<std::string>> member_names;  // one set per open object
  std::string problem;
  json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) -> bool {
    if (depth > max_depth && problem.empty()) problem = "JSON nested deeper than " + std::to_string(max_depth);
    switch (event) {
      case json::parse_event_t::object_start: member_names.emplace_back(); break;
      case json::parse_event_t::object_end:
        if (!member_names.empty()) member_names.pop_back();
        break;
      case json::parse_event_t::key:
        if (!member_names.empty() && parsed.is_string()) {
          const std::string& name = parsed.get_ref<const std::string&>();
          if (!member_names.back().insert(name).second && problem.empty())
            problem = "duplicate JSON member \"" + display_value(name) + "\"";
        }
        break;
      default: break;
    }
    return true;
  };
  try {
    json doc = json::parse(bytes.begin(), bytes.end(), callback, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      *error = "not valid JSON";
      return std::nullopt;
    }
    if (!problem.empty()) {
      *error = problem;
      return std::nullopt;
    }
    return doc;
  } catch (const std::exception& e) {  // allocation failures and the like: never let them escape
    *error = std::string("JSON parser failed: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace custos::passkey
