#include "node/cli/cli_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace custos::cli {
namespace {

std::string errno_text() { return std::strerror(errno); }

Status write_all(int fd, const std::string& path, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return internal_error("cannot write " + path + ": " + errno_text());
    done += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0) return internal_error("cannot fsync " + path + ": " + errno_text());
  return ok_status();
}

std::string parent_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

std::optional<std::string> read_input_file(const std::string& path, const std::string& what, const std::string& prefix,
                                           std::ostream& err) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err << prefix << ": cannot read " << what << " " << path << ": " << errno_text() << "\n";
    return std::nullopt;
  }
  std::string data;
  char buf[4096];
  while (true) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      err << prefix << ": cannot read " << what << " " << path << ": " << errno_text() << "\n";
      ::close(fd);
      return std::nullopt;
    }
    if (r == 0) break;
    data.append(buf, static_cast<size_t>(r));
    if (data.size() > kMaxInputFileBytes) {
      err << prefix << ": " << what << " " << path << " is larger than 1 MiB; not the right file?\n";
      ::close(fd);
      return std::nullopt;
    }
  }
  ::close(fd);
  return data;
}

Status write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    if (errno == EEXIST) return failed_precondition(path + " already exists; refusing to overwrite it");
    return invalid_argument("cannot create " + path + ": " + errno_text());
  }
  // The umask may have narrowed `mode`; a secret file must end up exactly as asked, and so must a
  // public one that other users are meant to read.
  Status st = ::fchmod(fd, mode) == 0 ? ok_status() : internal_error("cannot chmod " + path + ": " + errno_text());
  if (st.ok()) st = write_all(fd, path, text);
  ::close(fd);
  if (!st.ok()) ::unlink(path.c_str());
  return st;
}

Status replace_file(const std::string& path, const std::string& text, mode_t mode) {
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());  // created 0600, so a secret is never readable by others
  if (fd < 0) return internal_error("cannot create a temporary file next to " + path + ": " + errno_text());
  Status st = ::fchmod(fd, mode) == 0 ? ok_status() : internal_error("cannot chmod " + tmp + ": " + errno_text());
  if (st.ok()) st = write_all(fd, tmp, text);
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    st = internal_error("cannot rename " + tmp + " to " + path + ": " + errno_text());
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  // The rename is durable only once the directory entry is.
  const int dir = ::open(parent_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    const int rc = ::fsync(dir);
    const int saved = errno;
    ::close(dir);
    if (rc != 0) return internal_error("cannot fsync the directory of " + path + ": " + std::strerror(saved));
  }
  return ok_status();
}

}  // namespace custos::cli
