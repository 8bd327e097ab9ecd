// Fuzz target over every decoder that sees bytes from a peer or from disk:
// the envelope and echo, the transport's ack frame, every round payload
// through its round's strict parser, every ZK-proof decoder, and the
// key-share / aux-info / presignature formats. Decoders must return an
// error, never crash, hang or allocate without bound. Built with libFuzzer
// (clang, -DCUSTOS_FUZZ=ON) and, always, as the deterministic mutation smoke
// test `fuzz_smoke` run by ctest.
#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/zk/aff_g.h"
#include "crypto/zk/dec.h"
#include "crypto/zk/enc.h"
#include "crypto/zk/fac.h"
#include "crypto/zk/log_star.h"
#include "crypto/zk/mod.h"
#include "crypto/zk/mul.h"
#include "crypto/zk/mul_star.h"
#include "crypto/zk/prm.h"
#include "crypto/zk/sch.h"
#include "node/flows/control.h"
#include "node/transport/frame.h"
#include "protocol/cggmp21/key_share.h"
#include "protocol/cggmp21/presign.h"
#include "protocol/message.h"
#include "protocol/proto/cggmp21.pb.h"
#include "protocol/wire.h"

namespace {
template <class P>
void parse(std::span<const uint8_t> in) {
  (void)custos::protocol::parse_payload<P>(in);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte selects the decoder so one corpus covers them all.
  std::span<const uint8_t> in(data + 1, size - 1);
  using namespace custos;
  switch (data[0] % 30) {
    case 0: (void)protocol::decode_envelope(in); break;
    case 1: (void)protocol::decode_echo(in); break;
    case 2: (void)zk::decode_sch_proof(in); break;
    case 3: (void)zk::decode_enc_proof(in); break;
    case 4: (void)zk::decode_log_star_proof(in); break;
    case 5: (void)zk::decode_aff_g_proof(in); break;
    case 6: (void)zk::decode_mod_proof(in); break;
    case 7: (void)zk::decode_prm_proof(in); break;
    case 8: (void)zk::decode_fac_proof(in); break;
    case 9: (void)zk::decode_mul_proof(in); break;
    case 10: (void)zk::decode_dec_proof(in); break;
    case 11: (void)zk::decode_mul_star_proof(in); break;
    case 12: (void)cggmp21::deserialize_key_share(in); break;
    case 13: (void)cggmp21::deserialize_aux_info(in); break;
    case 14: (void)cggmp21::deserialize_presignature(in); break;
    case 15: parse<wire::KeygenOpening>(in); break;
    case 16: parse<wire::AuxOpening>(in); break;
    case 17: parse<wire::PresignR2Private>(in); break;
    case 18: parse<wire::PresignR2Broadcast>(in); break;
    case 19: parse<wire::PresignR3Broadcast>(in); break;
    case 20: parse<wire::PresignIdentifyBroadcast>(in); break;
    case 21: parse<wire::SignShare>(in); break;
    case 22: parse<wire::AuxPrivate>(in); break;
    case 23: (void)protocol::decode_complaint(in); break;
    case 25: (void)node::decode_ack_frame(in); break;  // selector 24 stays PresignR1Broadcast (default)
    case 26: (void)node::decode_keygen_request(in); break;
    case 27: (void)node::decode_sign_request(in); break;
    case 28: (void)node::decode_reply(in); break;
    case 29: (void)node::decode_presign_request(in); break;
    default: parse<wire::PresignR1Broadcast>(in); break;
  }
  return 0;
}
