#include "node/storage/kek.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "crypto/codec.h"
#include "crypto/hash.h"
#include "crypto/rng.h"
#include "node/storage/sealed_box.h"

namespace custos::node {
namespace {

constexpr std::string_view kRecordMagic = "CUSTOS-KEK";
constexpr uint32_t kRecordVersion = 1;
constexpr std::string_view kCheckLabel = "custos/kek-check/v1: this database's key-encryption key";
constexpr uint64_t kMaxScryptMemory = uint64_t{1} << 30;

std::string errno_text() { return std::strerror(errno); }

// The key-check value is bound to the KEK parameters, so a database whose
// stored salt or cost was altered reports a wrong key rather than deriving a
// different key and failing later.
std::vector<uint8_t> check_binding_row(const KekRecord& r) {
  Writer w;
  w.u8(static_cast<uint8_t>(r.kind)).u8(r.scrypt.log2_n).u32(r.scrypt.r).u32(r.scrypt.p).bytes(r.salt);
  return w.take();
}

RecordBinding check_binding(std::span<const uint8_t> row) {
  return RecordBinding{"meta", "kek_check", {}, row, kRecordVersion};
}

Status check_source(const KekSource& s) {
  if (s.kind == KekKind::kKeyFile && s.key_file.empty()) return invalid_argument("KEK: empty key file path");
  if (s.kind == KekKind::kPassphrase && s.passphrase.empty()) return invalid_argument("KEK: empty passphrase");
  if (s.kind != KekKind::kKeyFile && s.kind != KekKind::kPassphrase) return invalid_argument("KEK: unknown kind");
  return ok_status();
}

}  // namespace

const char* kek_kind_name(KekKind kind) {
  switch (kind) {
    case KekKind::kKeyFile:
      return "key file";
    case KekKind::kPassphrase:
      return "passphrase";
  }
  return "unknown";
}

KekSource KekSource::from_key_file(std::string path) {
  KekSource s;
  s.kind = KekKind::kKeyFile;
  s.key_file = std::move(path);
  return s;
}

KekSource KekSource::from_passphrase(SecretBytes passphrase, ScryptParams params) {
  KekSource s;
  s.kind = KekKind::kPassphrase;
  s.passphrase = std::move(passphrase);
  s.scrypt = params;
  return s;
}

Status validate_scrypt_params(const ScryptParams& p) {
  if (p.log2_n < 10 || p.log2_n > 22) {
    return out_of_range("scrypt: log2(N) = " + std::to_string(p.log2_n) + " is outside 10..22");
  }
  if (p.r < 1 || p.r > 32) return out_of_range("scrypt: r = " + std::to_string(p.r) + " is outside 1..32");
  if (p.p < 1 || p.p > 16) return out_of_range("scrypt: p = " + std::to_string(p.p) + " is outside 1..16");
  if (uint64_t{128} * p.r * (uint64_t{1} << p.log2_n) > kMaxScryptMemory) {
    return out_of_range("scrypt: 128·r·N exceeds 1 GiB of memory");
  }
  return ok_status();
}

Result<SecretBytes> read_key_file(const std::string& path) {
  // Open first, then fstat the descriptor we read from, so the checks apply to
  // the file actually read (no check-then-swap race).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status(Code::kNotFound, "key file " + path + ": cannot open: " + errno_text());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return internal_error("key file " + path + ": cannot stat: " + errno_text());
  if (!S_ISREG(st.st_mode)) return invalid_argument("key file " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return failed_precondition("key file " + path + " is accessible by group or others (mode " + mode +
                               "); refusing to use it: run chmod 600 " + path);
  }
  if (st.st_size != static_cast<off_t>(kKekBytes)) {
    return invalid_argument("key file " + path + " must hold exactly 32 bytes (it holds " +
                            std::to_string(st.st_size) + ")");
  }
  SecretBytes key(kKekBytes);
  size_t got = 0;
  while (got < kKekBytes) {
    ssize_t n = ::read(fd, key.expose_mut().data() + got, kKekBytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return internal_error("key file " + path + ": short read");
    got += static_cast<size_t>(n);
  }
  return key;
}

Status create_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return failed_precondition("key file " + path + ": cannot create: " + errno_text());
  SecretBytes key(kKekBytes);
  OsRng().fill(key.expose_mut());
  size_t done = 0;
  Status st;
  while (done < kKekBytes) {
    ssize_t n = ::write(fd, key.expose().data() + done, kKekBytes - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      st = internal_error("key file " + path + ": write failed: " + errno_text());
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (st.ok() && ::fsync(fd) != 0) st = internal_error("key file " + path + ": fsync failed: " + errno_text());
  ::close(fd);
  if (!st.ok()) ::unlink(path.c_str());
  return st;
}

Result<SecretBytes> derive_kek_scrypt(const SecretBytes& passphrase, std::span<const uint8_t> salt,
                                      const ScryptParams& params) {
  RETURN_IF_ERROR(validate_scrypt_params(params));
  if (passphrase.empty()) return invalid_argument("scrypt: empty passphrase");
  if (salt.size() != kScryptSaltBytes) return invalid_argument("scrypt: salt must be 16 bytes");
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
  if (!kdf) return internal_error("scrypt: OpenSSL has no SCRYPT KDF");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (!ctx) return internal_error("scrypt: cannot allocate KDF context");
  uint64_t n = uint64_t{1} << params.log2_n;
  uint32_t r = params.r, p = params.p;
  // OpenSSL refuses work needing more than maxmem; our own bound is checked above.
  uint64_t maxmem = kMaxScryptMemory + (uint64_t{1} << 24);
  OSSL_PARAM ps[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                        const_cast<uint8_t*>(passphrase.expose().data()), passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  SecretBytes out(kKekBytes);
  int ok = EVP_KDF_derive(ctx, out.expose_mut().data(), out.size(), ps);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) return internal_error("scrypt: OpenSSL key derivation failed");
  return out;
}

std::vector<uint8_t> KekRecord::encode() const {
  Writer w;
  w.bytes(as_bytes(kRecordMagic)).u32(kRecordVersion);
  w.u8(static_cast<uint8_t>(kind)).u8(scrypt.log2_n).u32(scrypt.r).u32(scrypt.p).bytes(salt).bytes(check);
  return w.take();
}

Result<KekRecord> KekRecord::decode(std::span<const uint8_t> bytes) {
  Reader rd(bytes, "KEK record");
  ASSIGN_OR_RETURN(auto magic, rd.bytes(32));
  if (std::string(magic.begin(), magic.end()) != kRecordMagic) return malformed("KEK record: bad magic");
  ASSIGN_OR_RETURN(uint32_t version, rd.u32());
  if (version != kRecordVersion) {
    return malformed("KEK record: version " + std::to_string(version) + " is not supported");
  }
  KekRecord r;
  ASSIGN_OR_RETURN(uint8_t kind, rd.u8());
  if (kind != static_cast<uint8_t>(KekKind::kKeyFile) && kind != static_cast<uint8_t>(KekKind::kPassphrase)) {
    return malformed("KEK record: unknown kind " + std::to_string(kind));
  }
  r.kind = static_cast<KekKind>(kind);
  ASSIGN_OR_RETURN(r.scrypt.log2_n, rd.u8());
  ASSIGN_OR_RETURN(r.scrypt.r, rd.u32());
  ASSIGN_OR_RETURN(r.scrypt.p, rd.u32());
  ASSIGN_OR_RETURN(r.salt, rd.bytes(kScryptSaltBytes));
  ASSIGN_OR_RETURN(r.check, rd.bytes(256));
  RETURN_IF_ERROR(rd.finish());
  if (r.kind == KekKind::kPassphrase) {
    Status s = validate_scrypt_params(r.scrypt);
    if (!s.ok()) return s.with_context("KEK record");
    if (r.salt.size() != kScryptSaltBytes) return malformed("KEK record: scrypt salt must be 16 bytes");
  } else if (!r.salt.empty()) {
    return malformed("KEK record: a key-file KEK has no salt");
  }
  if (r.check.size() < kSealedOverhead) return malformed("KEK record: key-check value truncated");
  return r;
}

Result<NewKek> setup_kek(const KekSource& source) {
  RETURN_IF_ERROR(check_source(source));
  NewKek out;
  out.record.kind = source.kind;
  if (source.kind == KekKind::kKeyFile) {
    out.record.scrypt = ScryptParams{0, 0, 0};  // unused: recorded as zeros
    ASSIGN_OR_RETURN(out.kek, read_key_file(source.key_file));
  } else {
    out.record.scrypt = source.scrypt;
    out.record.salt.resize(kScryptSaltBytes);
    OsRng().fill(out.record.salt);
    ASSIGN_OR_RETURN(out.kek, derive_kek_scrypt(source.passphrase, out.record.salt, source.scrypt));
  }
  std::vector<uint8_t> row = check_binding_row(out.record);
  ASSIGN_OR_RETURN(out.record.check, seal(out.kek, check_binding(row), as_bytes(kCheckLabel)));
  return out;
}

Result<SecretBytes> unlock_kek(const KekSource& source, const KekRecord& record, const std::string& db_path) {
  RETURN_IF_ERROR(check_source(source));
  if (source.kind != record.kind) {
    return failed_precondition(std::string("database ") + db_path + " is protected by a " +
                               kek_kind_name(record.kind) + " key-encryption key, but a " +
                               kek_kind_name(source.kind) + " was given");
  }
  SecretBytes kek;
  if (record.kind == KekKind::kKeyFile) {
    ASSIGN_OR_RETURN(kek, read_key_file(source.key_file));
  } else {
    ASSIGN_OR_RETURN(kek, derive_kek_scrypt(source.passphrase, record.salt, record.scrypt));
  }
  std::vector<uint8_t> row = check_binding_row(record);
  auto opened = open_sealed(kek, check_binding(row), record.check);
  if (!opened.ok()) {
    if (opened.status().code() == Code::kVerifyFailed) {
      return verify_failed("wrong key-encryption key for " + db_path);
    }
    return opened.status().with_context("key-check value of " + db_path);
  }
  const auto label = as_bytes(kCheckLabel);
  if (!std::equal(opened->expose().begin(), opened->expose().end(), label.begin(), label.end())) {
    return verify_failed("wrong key-encryption key for " + db_path);
  }
  return kek;
}

}  // namespace custos::node
