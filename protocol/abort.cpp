#include "protocol/round.h"

namespace custos::protocol {

std::string Abort::to_string() const {
  std::string s = "abort: " + reason + " (culprit";
  s += culprits.size() == 1 ? " " : "s ";
  for (size_t i = 0; i < culprits.size(); ++i) s += (i ? ", " : "") + std::to_string(culprits[i]);
  s += ")";
  return s;
}

}  // namespace custos::protocol
