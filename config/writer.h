// Rendering a NodeConfig as YAML (used by `custos init-network`, and by tests:
// load_node_config(render_node_config(c)) gives back c).
#pragma once

#include <string>

#include "config/node_config.h"

namespace custos::config {

// The config as YAML in the schema load_node_config reads. Every string is
// double-quoted, so no value can change meaning (a Z85 key starting with '&'
// or '*', an id that looks like a number). Paths are written as stored; a
// config built in code may use paths relative to where the file will be written.
std::string render_node_config(const NodeConfig& config);

}  // namespace custos::config
