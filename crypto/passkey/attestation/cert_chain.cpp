#include "crypto/passkey/attestation/cert_chain.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace custos::passkey {
namespace {

struct StoreDeleter {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxDeleter {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackDeleter {
  void operator()(STACK_OF(X509)* s) const { sk_X509_free(s); }  // does not free the certificates
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::string subject_of(X509* cert) {
  char buffer[256];
  X509_NAME_oneline(X509_get_subject_name(cert), buffer, sizeof(buffer));
  return buffer;
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid_argument("cannot read " + path.string());
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

bool is_pem_file(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".pem" || ext == ".crt";
}

}  // namespace

static Result<TrustRootsByFormat> load_roots_by_format(const std::string& directory);

Verdict<X509Ptr> parse_certificate_der(std::span<const uint8_t> der, const std::string& what) {
  if (der.empty()) return reject(Reason::kAttestationCertificateInvalid, what + " is empty");
  const unsigned char* p = der.data();
  const unsigned char* const start = p;
  X509* raw = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  ERR_clear_error();
  if (raw == nullptr) return reject(Reason::kAttestationCertificateInvalid, what + " is not a DER X.509 certificate");
  X509Ptr cert(raw, X509Deleter{});
  if (static_cast<size_t>(p - start) != der.size()) {  // offset reported by OpenSSL, compared only
    return reject(Reason::kAttestationCertificateInvalid, what + " has trailing bytes after the certificate");
  }
  return cert;
}

Result<TrustRoots> TrustRoots::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal_error("BIO_new_mem_buf failed");
  TrustRoots roots;
  while (true) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    roots.add(X509Ptr(cert, X509Deleter{}));
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (roots.empty()) return invalid_argument("no PEM certificate found");
  return roots;
}

Result<TrustRoots> TrustRoots::from_directory(const std::string& directory) {
  try {
    return load_directory(directory);
  } catch (const std::exception& e) {  // std::filesystem iteration may throw; no exception leaves the module
    return invalid_argument("cannot read " + directory + ": " + e.what());
  }
}

Result<TrustRoots> TrustRoots::load_directory(const std::string& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) return invalid_argument(directory + " is not a directory");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.is_regular_file() && is_pem_file(entry.path())) files.push_back(entry.path());
  }
  if (ec) return invalid_argument("cannot list " + directory + ": " + ec.message());
  std::sort(files.begin(), files.end());
  TrustRoots roots;
  for (const auto& file : files) {
    ASSIGN_OR_RETURN(std::string text, read_file(file));
    auto loaded = from_pem(text);
    if (!loaded.ok()) return loaded.status().with_context(file.string());
    for (const auto& cert : loaded->certs()) roots.add(cert);
  }
  return roots;
}

Result<TrustRootsByFormat> load_trust_roots_directory(const std::string& directory) {
  try {
    return load_roots_by_format(directory);
  } catch (const std::exception& e) {  // std::filesystem iteration may throw; no exception leaves the module
    return invalid_argument("cannot read " + directory + ": " + e.what());
  }
}

static Result<TrustRootsByFormat> load_roots_by_format(const std::string& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) return invalid_argument(directory + " is not a directory");
  static const char* const kFormats[] = {"packed", "tpm", "android-key", "apple", "fido-u2f"};
  TrustRootsByFormat out;
  TrustRoots common;
  bool has_common_files = false;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.is_regular_file() && is_pem_file(entry.path())) has_common_files = true;
  }
  if (ec) return invalid_argument("cannot list " + directory + ": " + ec.message());
  if (has_common_files) {
    ASSIGN_OR_RETURN(common, TrustRoots::from_directory(directory));
  }
  for (const char* fmt : kFormats) {
    const std::filesystem::path sub = std::filesystem::path(directory) / fmt;
    TrustRoots roots = common;
    if (std::filesystem::is_directory(sub, ec)) {
      ASSIGN_OR_RETURN(TrustRoots own, TrustRoots::from_directory(sub.string()));
      for (const auto& cert : own.certs()) roots.add(cert);
    }
    if (!roots.empty()) out.emplace(fmt, std::move(roots));
  }
  if (out.empty()) return invalid_argument(directory + " holds no PEM certificates (expected *.pem or <fmt>/*.pem)");
  return out;
}

Verdict<ChainVerification> verify_certificate_chain(const std::vector<X509Ptr>& x5c, const TrustRoots* roots,
                                                   int64_t at_unix_seconds, bool require_anchor) {
  if (x5c.empty()) return reject(Reason::kAttestationChainInvalid, "no attestation certificate to verify");
  const bool have_roots = roots != nullptr && !roots->empty();
  if (!have_roots && require_anchor) {
    return reject(Reason::kAttestationTrustRootMissing,
                  "no trust root is configured for this attestation format and the policy requires one");
  }

  // OpenSSL silently drops certificates whose extensions it cannot decode (EXFLAG_INVALID) from path
  // building; say so instead of "unable to get local issuer certificate".
  for (size_t i = 0; i < x5c.size(); ++i) {
    if ((X509_get_extension_flags(x5c[i].get()) & EXFLAG_INVALID) != 0) {
      ERR_clear_error();
      return reject(Reason::kAttestationCertificateInvalid,
                    "x5c[" + std::to_string(i) + "] (" + subject_of(x5c[i].get()) +
                        ") has an extension that does not decode (e.g. a malformed authorityKeyIdentifier)");
    }
  }
  ERR_clear_error();

  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  std::unique_ptr<STACK_OF(X509), StackDeleter> untrusted(sk_X509_new_null());
  std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return reject(Reason::kAttestationChainInvalid, "out of memory");

  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at_unix_seconds));
  // PARTIAL_CHAIN: a configured certificate is an anchor even when it is an intermediate (an operator may
  // pin a vendor CA below its root). Only configured certificates (or, unanchored, the top of x5c) are in
  // the store; the rest of x5c is untrusted input for path building.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  if (have_roots) {
    for (const auto& root : roots->certs()) X509_STORE_add_cert(store.get(), root.get());
    for (size_t i = 1; i < x5c.size(); ++i) sk_X509_push(untrusted.get(), x5c[i].get());
  } else {
    // Unanchored: the top of the supplied path stands in for the root, so signatures and validity
    // periods below it are still checked.
    X509_STORE_add_cert(store.get(), x5c.back().get());
    for (size_t i = 1; i + 1 < x5c.size(); ++i) sk_X509_push(untrusted.get(), x5c[i].get());
  }
  ERR_clear_error();
  if (X509_STORE_CTX_init(ctx.get(), store.get(), x5c.front().get(), untrusted.get()) != 1) {
    ERR_clear_error();
    return reject(Reason::kAttestationChainInvalid, "cannot initialise certificate verification");
  }
  // The store's param is inherited at init; set the time on the context too, to be explicit.
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), static_cast<time_t>(at_unix_seconds));
  const int ok = X509_verify_cert(ctx.get());
  ERR_clear_error();
  if (ok != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
    std::string where = at != nullptr ? " (certificate " + subject_of(at) + ")" : "";
    return reject(Reason::kAttestationChainInvalid,
                  std::string("attestation certificate path does not verify at unix time ") +
                      std::to_string(at_unix_seconds) + ": " + X509_verify_cert_error_string(error) + " at depth " +
                      std::to_string(depth) + where + (have_roots ? "" : " [no trust root configured: unanchored check]"));
  }
  ChainVerification out;
  out.anchored = have_roots;
  return out;
}

}  // namespace custos::passkey
