#include "protocol/wire.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/unknown_field_set.h>

#include <cstdio>
#include <cstdlib>

namespace custos::protocol {

// Straight into a buffer of the exact size: a growing string would free partial
// encodings (possibly holding a share) unwiped on every reallocation.
WipedBytes serialize_deterministic(const google::protobuf::Message& msg) {
  WipedBytes out(msg.ByteSizeLong());
  google::protobuf::io::ArrayOutputStream aos(out.data(), static_cast<int>(out.size()));
  google::protobuf::io::CodedOutputStream cos(&aos);
  cos.SetSerializationDeterministic(true);
  msg.SerializeWithCachedSizes(&cos);
  cos.Trim();
  if (cos.HadError() || static_cast<size_t>(cos.ByteCount()) != out.size()) {
    // Cannot happen for a message built by this process (sizes are bounded far below 2 GiB).
    std::fprintf(stderr, "serialize_deterministic: %s did not serialize to its computed size\n",
                 msg.GetDescriptor()->name().c_str());
    std::abort();
  }
  return out;
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
