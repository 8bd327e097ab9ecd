// The node's structured log (issue 4): one JSON object per line on stderr, written through spdlog:
//   {"ts":"2026-11-21T12:00:00.123Z","level":"info","node":"node-1","event":"sign.done","request":"…",…}
// Events name what happened ("node.start", "sign.done", "sign.refused", "flow", …); fields are public
// values only. Nothing secret reaches this log: secret types print "<redacted>", and callers pass ids,
// indices, reasons and timings, never key material, presignatures or approvals' signatures.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace spdlog {
class logger;
}

namespace custos::node {

class EventLog {
 public:
  explicit EventLog(std::string node_name);
  void info(std::string_view event, nlohmann::json fields = nlohmann::json::object()) const;
  void warn(std::string_view event, nlohmann::json fields = nlohmann::json::object()) const;
  void error(std::string_view event, nlohmann::json fields = nlohmann::json::object()) const;

 private:
  void write(int level, std::string_view event, nlohmann::json fields) const;
  std::string node_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace custos::node
