#include "first_run_setup.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "arkwiki/core/hash.h"
#include "arkwiki/core/trim.h"

namespace arkwiki::web {
namespace {

constexpr size_t kCodeBytes = 16;  // 128 bits
constexpr size_t kConnectionBytes = 16;

bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status Errno(const std::string& what, const std::string& path) {
  const std::string message = what + " " + path + ": " + std::strerror(errno);
  return errno == EACCES ? Status::PermissionDenied(message) : Status::IoError(message);
}

// Writes `text` to `path` readable by its owner only: a new file (any old
// one is removed first, so no other file's mode or link is reused), synced.
Status WritePrivateFile(const std::string& path, const std::string& text) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("cannot remove", path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", path);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = Errno("cannot write", path);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  // The umask may have taken bits away, never added them; fchmod states it.
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    Status s = Errno("cannot make private and sync", path);
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0) return Errno("cannot close", path);
  return Status::Ok();
}

}  // namespace

Result<std::string> FirstRunSetup::Begin() {
  std::lock_guard<std::mutex> lock(mu_);
  code_.clear();
  connection_.reset();
  const std::string code = RandomHex(kCodeBytes);
  ARKWIKI_RETURN_IF_ERROR(WritePrivateFile(code_path_, code + "\n"));
  code_ = code;
  return code;
}

bool FirstRunSetup::CodeMatches(const std::string& typed) {
  std::lock_guard<std::mutex> lock(mu_);
  return SameSecret(std::string(Trim(typed)), code_);
}

bool FirstRunSetup::active() {
  std::lock_guard<std::mutex> lock(mu_);
  return !code_.empty();
}

Status FirstRunSetup::End() {
  std::lock_guard<std::mutex> lock(mu_);
  code_.clear();
  connection_.reset();
  if (::unlink(code_path_.c_str()) != 0 && errno != ENOENT) {
    return Errno("cannot remove", code_path_);
  }
  return Status::Ok();
}

Result<std::shared_ptr<const FirstRunSetup::Connection>> FirstRunSetup::Connect(
    Env* env, const std::string& scratch_dir, const OffsiteTargetSpec& spec,
    const std::string& passphrase, int64_t now) {
  auto connection = std::make_shared<Connection>();
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<OffsiteTarget> target,
                           OpenOffsiteTarget(env, spec, false));
  connection->target = std::move(target);
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<OffsiteKey> key,
                           UnlockTarget(connection->target.get(), passphrase));
  connection->key = std::move(key);
  ARKWIKI_ASSIGN_OR_RETURN(connection->points,
                           ListTargetPoints(connection->target.get(), *connection->key,
                                            OffsiteScratch{env, scratch_dir}));
  if (connection->points.empty()) {
    return Status::NotFound("there is no restore point on " + connection->target->Describe());
  }
  std::reverse(connection->points.begin(), connection->points.end());  // newest first
  connection->id = RandomHex(kConnectionBytes);
  std::lock_guard<std::mutex> lock(mu_);
  if (code_.empty()) return Status::NotFound("the setup has ended: the wiki has a user now");
  connection_ = connection;
  connected_at_ = now;
  return std::shared_ptr<const Connection>(connection);
}

std::shared_ptr<const FirstRunSetup::Connection> FirstRunSetup::Find(const std::string& id,
                                                                     int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!connection_ || code_.empty() || now - connected_at_ > kConnectionSeconds) return nullptr;
  if (!SameSecret(id, connection_->id)) return nullptr;
  return connection_;
}

}  // namespace arkwiki::web
