#include "node/transport/frame.h"

#include "crypto/codec.h"

namespace custos::node {

WipedBytes encode_data_frame(const protocol::Message& m) {
  WipedBytes env = protocol::encode_envelope(m);
  WipedBytes out;
  out.reserve(env.size() + 1);
  out.push_back(static_cast<uint8_t>(FrameType::kData));
  out.insert(out.end(), env.begin(), env.end());
  return out;
}

Result<protocol::Message> decode_data_frame(std::span<const uint8_t> frame) {
  if (frame.empty()) return malformed("empty frame");
  if (frame.size() > kMaxDataFrameBytes) return out_of_range("data frame larger than the size limit");
  if (frame[0] != static_cast<uint8_t>(FrameType::kData)) return malformed("not a data frame");
  return protocol::decode_envelope(frame.subspan(1));
}

std::vector<uint8_t> encode_ack_frame(std::span<const uint64_t> seqs) {
  Writer w;
  w.u8(static_cast<uint8_t>(FrameType::kAck));
  w.u32(static_cast<uint32_t>(seqs.size()));
  for (uint64_t s : seqs) w.u64(s);
  return w.take();
}

Result<std::vector<uint64_t>> decode_ack_frame(std::span<const uint8_t> frame) {
  Reader r(frame, "ack frame");
  ASSIGN_OR_RETURN(uint8_t type, r.u8());
  if (type != static_cast<uint8_t>(FrameType::kAck)) return malformed("not an ack frame");
  ASSIGN_OR_RETURN(uint32_t n, r.u32());
  if (n == 0 || n > kMaxAckSeqs) return malformed("ack frame with " + std::to_string(n) + " entries");
  // Checked before reserving so a lying count cannot make us allocate.
  if (r.remaining() != static_cast<size_t>(n) * 8) return malformed("ack frame length does not match its count");
  std::vector<uint64_t> seqs;
  seqs.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(uint64_t s, r.u64());
    if (s == 0) return malformed("ack of sequence number 0");
    seqs.push_back(s);
  }
  RETURN_IF_ERROR(r.finish());
  return seqs;
}

}  // namespace custos::node
