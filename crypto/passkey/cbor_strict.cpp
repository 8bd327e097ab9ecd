#include "crypto/passkey/cbor_strict.h"

#include <cstdlib>
#include <limits>

namespace custos::passkey {
namespace {

// State of the streaming validation pass: a stack of "items still expected" per open container.
struct Scan {
  std::vector<uint64_t> open;
  size_t max_depth = 0;
  size_t input_size = 0;
  bool done = false;
  std::string error;

  void fail(std::string message) {
    if (error.empty()) error = std::move(message);
  }
  // Every item (leaf or container header) fills one slot of the innermost open container.
  void take_slot() {
    if (!open.empty()) open.back()--;
  }
  void close_finished() {
    while (!open.empty() && open.back() == 0) open.pop_back();
    if (open.empty()) done = true;
  }
  void leaf() {
    take_slot();
    close_finished();
  }
  void container(uint64_t entries, const char* what) {
    take_slot();
    // Each entry needs at least one byte: a larger count is a lie that would make cbor_load
    // allocate for it.
    if (entries > input_size) return fail(std::string(what) + " declares more entries than there are bytes");
    open.push_back(entries);
    if (open.size() > max_depth) return fail("CBOR nesting deeper than " + std::to_string(max_depth));
    close_finished();
  }
};

Scan& scan_of(void* ctx) { return *static_cast<Scan*>(ctx); }

void on_u8(void* c, uint8_t) { scan_of(c).leaf(); }
void on_u16(void* c, uint16_t) { scan_of(c).leaf(); }
void on_u32(void* c, uint32_t) { scan_of(c).leaf(); }
void on_u64(void* c, uint64_t) { scan_of(c).leaf(); }
void on_string(void* c, cbor_data, size_t) { scan_of(c).leaf(); }
void on_simple(void* c) { scan_of(c).leaf(); }
void on_float(void* c, float) { scan_of(c).leaf(); }
void on_double(void* c, double) { scan_of(c).leaf(); }
void on_bool(void* c, bool) { scan_of(c).leaf(); }
void on_array(void* c, size_t n) { scan_of(c).container(n, "CBOR array"); }
void on_map(void* c, size_t n) {
  if (n > std::numeric_limits<uint64_t>::max() / 2) return scan_of(c).fail("CBOR map too large");
  scan_of(c).container(static_cast<uint64_t>(n) * 2, "CBOR map");
}
void on_indefinite(void* c) { scan_of(c).fail("indefinite-length CBOR item"); }
void on_tag(void* c, uint64_t) { scan_of(c).fail("CBOR tags are not allowed here"); }

cbor_callbacks strict_callbacks() {
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.uint8 = on_u8;
  cb.uint16 = on_u16;
  cb.uint32 = on_u32;
  cb.uint64 = on_u64;
  cb.negint8 = on_u8;
  cb.negint16 = on_u16;
  cb.negint32 = on_u32;
  cb.negint64 = on_u64;
  cb.byte_string = on_string;
  cb.byte_string_start = on_indefinite;
  cb.string = on_string;
  cb.string_start = on_indefinite;
  cb.array_start = on_array;
  cb.indef_array_start = on_indefinite;
  cb.map_start = on_map;
  cb.indef_map_start = on_indefinite;
  cb.tag = on_tag;
  cb.float2 = on_float;
  cb.float4 = on_float;
  cb.float8 = on_double;
  cb.undefined = on_simple;
  cb.null = on_simple;
  cb.boolean = on_bool;
  cb.indef_break = on_indefinite;
  return cb;
}

// Key equality by value for integers and strings (the only key types WebAuthn uses), by encoding otherwise.
bool same_key(const cbor_item_t* a, const cbor_item_t* b) {
  int64_t ia = 0, ib = 0;
  const bool a_int = cbor_int_value(a, &ia), b_int = cbor_int_value(b, &ib);
  if (a_int || b_int) {
    // Same sign class and same value (an out-of-int64 uint never equals an in-range one).
    if (a_int != b_int) return false;
    return ia == ib && cbor_typeof(a) == cbor_typeof(b);
  }
  return cbor_encode(a) == cbor_encode(b);
}

bool has_duplicate_keys(const cbor_item_t* item) {
  if (cbor_isa_map(item)) {
    const size_t n = cbor_map_size(item);
    const cbor_pair* pairs = cbor_map_handle(item);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j)
        if (same_key(pairs[i].key, pairs[j].key)) return true;
      if (has_duplicate_keys(pairs[i].key) || has_duplicate_keys(pairs[i].value)) return true;
    }
  } else if (cbor_isa_array(item)) {
    const size_t n = cbor_array_size(item);
    cbor_item_t** items = cbor_array_handle(item);
    for (size_t i = 0; i < n; ++i)
      if (has_duplicate_keys(items[i])) return true;
  }
  return false;
}

}  // namespace

CborItemPtr decode_cbor_strict(std::span<const uint8_t> bytes, const CborLimits& limits, size_t* consumed,
                               std::string* error) {
  if (bytes.empty()) {
    *error = "empty CBOR input";
    return nullptr;
  }
  Scan scan;
  scan.max_depth = limits.max_depth;
  scan.input_size = bytes.size();
  const cbor_callbacks callbacks = strict_callbacks();
  size_t offset = 0;
  while (!scan.done) {
    if (offset >= bytes.size()) {
      *error = "truncated CBOR item";
      return nullptr;
    }
    const cbor_decoder_result r = cbor_stream_decode(bytes.data() + offset, bytes.size() - offset, &callbacks, &scan);
    if (r.status == CBOR_DECODER_NEDATA) {
      *error = "truncated CBOR item";
      return nullptr;
    }
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) {
      *error = "malformed CBOR";
      return nullptr;
    }
    offset += r.read;
    if (!scan.error.empty()) {
      *error = scan.error;
      return nullptr;
    }
    if (offset > limits.max_bytes) {
      *error = "CBOR item larger than " + std::to_string(limits.max_bytes) + " bytes";
      return nullptr;
    }
  }
  if (consumed == nullptr && offset != bytes.size()) {
    *error = std::to_string(bytes.size() - offset) + " trailing bytes after the CBOR item";
    return nullptr;
  }
  cbor_load_result load{};
  CborItemPtr item(cbor_load(bytes.data(), offset, &load));
  if (!item || load.error.code != CBOR_ERR_NONE || load.read != offset) {
    *error = "malformed CBOR";
    return nullptr;
  }
  if (has_duplicate_keys(item.get())) {
    *error = "duplicate CBOR map key";
    return nullptr;
  }
  if (consumed != nullptr) *consumed = offset;
  return item;
}

bool cbor_int_value(const cbor_item_t* item, int64_t* value) {
  if (cbor_isa_uint(item)) {
    const uint64_t v = cbor_get_int(item);
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *value = static_cast<int64_t>(v);
    return true;
  }
  if (cbor_isa_negint(item)) {
    const uint64_t n = cbor_get_int(item);  // value is -1 - n
    if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *value = -1 - static_cast<int64_t>(n);
    return true;
  }
  return false;
}

std::vector<uint8_t> cbor_bytes(const cbor_item_t* item) {
  if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) return {};
  const uint8_t* p = cbor_bytestring_handle(item);
  return std::vector<uint8_t>(p, p + cbor_bytestring_length(item));
}

cbor_item_t* cbor_build_int(int64_t value) {
  const uint64_t magnitude = value >= 0 ? static_cast<uint64_t>(value) : static_cast<uint64_t>(-(value + 1));
  const bool neg = value < 0;
  if (magnitude <= 0xff) return neg ? cbor_build_negint8(static_cast<uint8_t>(magnitude)) : cbor_build_uint8(static_cast<uint8_t>(magnitude));
  if (magnitude <= 0xffff)
    return neg ? cbor_build_negint16(static_cast<uint16_t>(magnitude)) : cbor_build_uint16(static_cast<uint16_t>(magnitude));
  if (magnitude <= 0xffffffffu)
    return neg ? cbor_build_negint32(static_cast<uint32_t>(magnitude)) : cbor_build_uint32(static_cast<uint32_t>(magnitude));
  return neg ? cbor_build_negint64(magnitude) : cbor_build_uint64(magnitude);
}

std::vector<uint8_t> cbor_encode(const cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  size_t buffer_size = 0;
  const size_t n = cbor_serialize_alloc(item, &buffer, &buffer_size);
  std::vector<uint8_t> out(buffer, buffer + n);
  free(buffer);
  return out;
}

}  // namespace custos::passkey
