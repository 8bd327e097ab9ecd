// Loading and validating a node's YAML config (schema: docs/operations.md,
// "Configuration"; example: config/examples/node.example.yaml).
//
// The loader reports every problem it finds, not just the first, each as
//   FILE:LINE:COL: path.to.field: problem
// with 1-based lines and columns, e.g.
//   node.yaml:23:23: peers[2].curve_public_key: not 40 Z85 characters (has 39)
// Unknown keys are errors (a misspelt option must not be silently ignored),
// missing required keys are reported at the line of the map that should hold
// them, and a value of the wrong type is an error. Malformed YAML is reported
// with the line yaml-cpp stopped at. No exception leaves this module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/node_config.h"
#include "crypto/status.h"

namespace custos::config {

struct ConfigProblem {
  std::string file;
  int line = 1;    // 1-based
  int column = 1;  // 1-based
  std::string path;  // "peers[2].curve_public_key"; "(document)" for the file as a whole
  std::string message;

  // "FILE:LINE:COL: path: message"
  std::string to_string() const;
};

struct ParsedConfig {
  std::optional<NodeConfig> config;     // set exactly when `problems` is empty
  std::vector<ConfigProblem> problems;  // in file order
};

// Parses `yaml_text` as the config file `file_name` (used in problem texts).
// Relative paths in the config, and credential_file entries (which are read
// here), are resolved against `base_dir`, which should be absolute.
ParsedConfig parse_node_config(std::string_view yaml_text, const std::string& file_name, const std::string& base_dir);

// Reads and parses the config file at `path`. On any problem the Status
// (kInvalidArgument) lists every problem, one per line, in file order; a file
// that cannot be read gives kNotFound.
Result<NodeConfig> load_node_config(const std::string& path);

// The problems one per line (no trailing newline).
std::string format_problems(const std::vector<ConfigProblem>& problems);

}  // namespace custos::config
