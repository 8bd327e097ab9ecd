// Strict CBOR decoding on top of libcbor (RFC 8949), shared by the COSE key, authenticatorData and
// attestationObject decoders. libcbor's cbor_load accepts far more than WebAuthn producers emit
// (indefinite lengths, tags, duplicate map keys, arbitrarily deep nesting, containers whose declared
// size is a memory-exhaustion request), so every untrusted item first goes through a streaming pass
// (libcbor's cbor_stream_decode) that enforces the limits, and only then is built as a tree.
#pragma once

#include <cbor.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace custos::passkey {

struct CborItemDeleter {
  void operator()(cbor_item_t* item) const {
    if (item != nullptr) cbor_decref(&item);
  }
};
using CborItemPtr = std::unique_ptr<cbor_item_t, CborItemDeleter>;

struct CborLimits {
  size_t max_bytes = 64 * 1024;  // the encoded item, not the surrounding buffer
  size_t max_depth = 4;          // a flat map of scalars has depth 1
};

// Decodes one definite-length CBOR data item at the start of `bytes`. Rejects indefinite-length
// strings and containers, tags, nesting deeper than limits.max_depth, an item longer than
// limits.max_bytes, and maps with two equal keys (compared by value, so 1 and 0x1801 collide).
// When `consumed` is null the item must occupy all of `bytes` (no trailing bytes); otherwise
// *consumed receives its encoded length. On failure returns null and sets *error (never null).
CborItemPtr decode_cbor_strict(std::span<const uint8_t> bytes, const CborLimits& limits, size_t* consumed,
                               std::string* error);

// The integer value of a CBOR uint or negint item, if it is one and fits in int64_t.
bool cbor_int_value(const cbor_item_t* item, int64_t* value);

// A definite byte string's contents.
std::vector<uint8_t> cbor_bytes(const cbor_item_t* item);

// Builds an integer item of minimal width (for encoders); caller owns the returned reference.
cbor_item_t* cbor_build_int(int64_t value);

// Serialises an item to bytes (empty on allocation failure).
std::vector<uint8_t> cbor_encode(const cbor_item_t* item);

}  // namespace custos::passkey
