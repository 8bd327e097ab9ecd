// Strict protobuf parsing for round payloads: no unknown fields, and the
// encoding must be canonical (re-serialising gives the same bytes), so one
// message has exactly one valid byte string.
#pragma once

#include <google/protobuf/message.h>

#include <span>
#include <string>
#include <vector>

#include "crypto/status.h"

namespace custos::protocol {

std::vector<uint8_t> serialize_deterministic(const google::protobuf::Message& msg);
Status parse_strict(google::protobuf::Message& msg, std::span<const uint8_t> bytes);

template <class P>
Result<P> parse_payload(std::span<const uint8_t> bytes) {
  P p;
  RETURN_IF_ERROR(parse_strict(p, bytes));
  return p;
}

inline std::span<const uint8_t> field_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string to_field(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }

}  // namespace custos::protocol
