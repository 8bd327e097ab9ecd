#include "node/daemon/event_log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace custos::node {

EventLog::EventLog(std::string node_name) : node_(std::move(node_name)) {
  // One sink per process (stderr); several EventLogs (tests run several nodes in one process) share it.
  static std::shared_ptr<spdlog::sinks::stderr_sink_mt> sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  logger_ = std::make_shared<spdlog::logger>("custos-node", sink);
  // The message is the JSON object's remaining members; spdlog supplies the time (UTC) and level.
  logger_->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  logger_->flush_on(spdlog::level::info);
}

void EventLog::info(std::string_view event, nlohmann::json fields) const { write(spdlog::level::info, event, std::move(fields)); }
void EventLog::warn(std::string_view event, nlohmann::json fields) const { write(spdlog::level::warn, event, std::move(fields)); }
void EventLog::error(std::string_view event, nlohmann::json fields) const { write(spdlog::level::err, event, std::move(fields)); }

void EventLog::write(int level, std::string_view event, nlohmann::json fields) const {
  nlohmann::json line = nlohmann::json::object();
  line["node"] = node_;
  line["event"] = std::string(event);
  if (fields.is_object()) {
    for (auto& [k, v] : fields.items()) line[k] = v;
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // dump() gives "{...}": the pattern supplies the braces and the ts/level members.
  text = text.substr(1, text.size() - 2);
  logger_->log(static_cast<spdlog::level::level_enum>(level), "{}", text);
}

}  // namespace custos::node
