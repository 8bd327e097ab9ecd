#include "config/identity.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "config/validate.h"

namespace custos::config {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Z85 text of a secret key in a stack buffer that is wiped when it goes out of scope.
struct Z85Secret {
  char text[41] = {};
  ~Z85Secret() { secure_wipe(text, sizeof text); }
};

std::string errno_text(int err) { return std::strerror(err); }

Result<Key32> curve_public_from_secret(const SecretBytes& secret) {
  Z85Secret z;
  if (zmq_z85_encode(z.text, secret.expose().data(), 32) == nullptr) return internal_error("Z85 encoding failed");
  char pub[41] = {};
  if (zmq_curve_public(pub, z.text) != 0)
    return internal_error(std::string("zmq_curve_public failed (libzmq built without CURVE?): ") + errno_text(errno));
  Key32 out{};
  if (zmq_z85_decode(out.data(), pub) == nullptr) return internal_error("zmq_curve_public returned bad Z85");
  return out;
}

Result<Key32> ed25519_public_from_seed(const SecretBytes& seed) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.expose().data(), seed.size()));
  if (!key) return internal_error("OpenSSL rejected the Ed25519 seed");
  Key32 out{};
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), out.data(), &len) != 1 || len != 32)
    return internal_error("cannot read the Ed25519 public key from OpenSSL");
  return out;
}

}  // namespace

Status write_secret_file(const std::string& path, std::span<const uint8_t> content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) return failed_precondition("refusing to overwrite existing file " + path);
    return invalid_argument("cannot create " + path + ": " + errno_text(err));
  }
  // The umask could only remove bits from 0600; fchmod makes the mode exact regardless.
  Status st;
  if (::fchmod(fd, 0600) != 0) st = internal_error("cannot chmod " + path + ": " + errno_text(errno));
  size_t done = 0;
  while (st.ok() && done < content.size()) {
    const ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) st = internal_error("cannot write " + path + ": " + errno_text(errno));
    else done += static_cast<size_t>(w);
  }
  if (st.ok() && ::fsync(fd) != 0) st = internal_error("cannot fsync " + path + ": " + errno_text(errno));
  ::close(fd);
  if (!st.ok()) ::unlink(path.c_str());  // never leave a truncated key behind
  return st;
}

Result<SecretBytes> read_secret_key_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status(Code::kNotFound, "cannot open secret key file " + path + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return internal_error("cannot stat " + path + ": " + errno_text(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return invalid_argument("secret key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return failed_precondition("secret key file " + path + " is accessible by group or others (mode " + mode +
                               "); refusing to use it: run chmod 600 " + path);
  }
  if (st.st_size != 32) {
    ::close(fd);
    return invalid_argument("secret key file " + path + " has " + std::to_string(st.st_size) +
                            " bytes; a secret key file holds exactly 32");
  }
  SecretBytes out(32);
  size_t done = 0;
  while (done < 32) {
    const ssize_t r = ::read(fd, out.expose_mut().data() + done, 32 - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      const int err = r < 0 ? errno : 0;
      ::close(fd);
      return internal_error("cannot read " + path + ": " + (err ? errno_text(err) : "file shrank while reading"));
    }
    done += static_cast<size_t>(r);
  }
  ::close(fd);
  return out;
}

Result<IdentityPublicKeys> generate_node_identity(const IdentityFiles& files) {
  IdentityPublicKeys pub;
  // CURVE: libzmq draws the secret from libsodium's (or tweetnacl's) OS-seeded RNG.
  SecretBytes curve_secret(32);
  {
    Z85Secret z;
    char public_z85[41] = {};
    if (zmq_curve_keypair(public_z85, z.text) != 0)
      return internal_error(std::string("zmq_curve_keypair failed (libzmq built without CURVE?): ") + errno_text(errno));
    if (zmq_z85_decode(curve_secret.expose_mut().data(), z.text) == nullptr ||
        zmq_z85_decode(pub.curve_public_key.data(), public_z85) == nullptr)
      return internal_error("zmq_curve_keypair returned bad Z85");
  }
  // Ed25519 from OpenSSL's CSPRNG.
  SecretBytes ed_seed(32);
  {
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
      return internal_error("OpenSSL Ed25519 key generation failed");
    Pkey key(raw);
    size_t len = 32;
    if (EVP_PKEY_get_raw_private_key(key.get(), ed_seed.expose_mut().data(), &len) != 1 || len != 32)
      return internal_error("cannot read the Ed25519 seed from OpenSSL");
    len = 32;
    if (EVP_PKEY_get_raw_public_key(key.get(), pub.ed25519_public_key.data(), &len) != 1 || len != 32)
      return internal_error("cannot read the Ed25519 public key from OpenSSL");
  }
  RETURN_IF_ERROR(write_secret_file(files.curve_secret_key_file, curve_secret.expose()));
  Status st = write_secret_file(files.ed25519_secret_key_file, ed_seed.expose());
  if (!st.ok()) {
    // Half an identity is useless and would block a retry (O_EXCL); remove the file we just made.
    ::unlink(files.curve_secret_key_file.c_str());
    return st;
  }
  return pub;
}

Result<NodeIdentity> load_node_identity(const IdentityFiles& files) {
  NodeIdentity id;
  ASSIGN_OR_RETURN(id.curve_secret_key, read_secret_key_file(files.curve_secret_key_file));
  ASSIGN_OR_RETURN(id.ed25519_seed, read_secret_key_file(files.ed25519_secret_key_file));
  ASSIGN_OR_RETURN(id.public_keys.curve_public_key, curve_public_from_secret(id.curve_secret_key));
  ASSIGN_OR_RETURN(id.public_keys.ed25519_public_key, ed25519_public_from_seed(id.ed25519_seed));
  return id;
}

}  // namespace custos::config
