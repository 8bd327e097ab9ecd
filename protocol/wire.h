// Strict protobuf parsing for round payloads: no unknown fields, and the
// encoding must be canonical (re-serialising gives the same bytes), so one
// message has exactly one valid byte string.
#pragma once

#include <google/protobuf/message.h>

#include <span>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace custos::protocol {

// The result is wiped when freed, and so is the intermediate string: a payload may carry a share.
WipedBytes serialize_deterministic(const google::protobuf::Message& msg);
Status parse_strict(google::protobuf::Message& msg, std::span<const uint8_t> bytes);

template <class P>
Result<P> parse_payload(std::span<const uint8_t> bytes) {
  P p;
  RETURN_IF_ERROR(parse_strict(p, bytes));
  return p;
}

// Wipes a protobuf string field when it goes out of scope: for the fields that
// carry a share, on every path out of the function that parsed or filled them.
class WipeFieldOnExit {
 public:
  explicit WipeFieldOnExit(std::string* field) : field_(field) {}
  ~WipeFieldOnExit() { wipe_string(*field_); }
  WipeFieldOnExit(const WipeFieldOnExit&) = delete;
  WipeFieldOnExit& operator=(const WipeFieldOnExit&) = delete;

 private:
  std::string* field_;
};

inline std::span<const uint8_t> field_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string to_field(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }

}  // namespace custos::protocol
