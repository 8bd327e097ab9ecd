#include "protocol/wire.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/unknown_field_set.h>

namespace custos::protocol {

std::vector<uint8_t> serialize_deterministic(const google::protobuf::Message& msg) {
  std::string s;
  {
    google::protobuf::io::StringOutputStream sos(&s);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    msg.SerializeToCodedStream(&cos);
  }
  return std::vector<uint8_t>(s.begin(), s.end());
}

Status parse_strict(google::protobuf::Message& msg, std::span<const uint8_t> bytes) {
  const std::string name = msg.GetDescriptor()->name();
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return malformed(name + " does not parse");
  if (!msg.GetReflection()->GetUnknownFields(msg).empty()) return malformed(name + " has unknown fields");
  auto again = serialize_deterministic(msg);
  if (!std::equal(again.begin(), again.end(), bytes.begin(), bytes.end())) {
    return malformed(name + " is not canonically encoded");
  }
  return ok_status();
}

}  // namespace custos::protocol
