#include "repository/sealed_env.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/hash.h"
#include "repository/db_chunks.h"
#include "repository/packed_env.h"

namespace arkwiki {
namespace {

// The codec's layout (offsite_stream.cpp): magic and header, then chunks
// of kChunkBytes plaintext plus a tag, the last one shorter.
constexpr uint64_t kPrefixBytes = 8 + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr uint64_t kTagBytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr uint64_t kSealedChunk = kChunkBytes + kTagBytes;

// Appends what it is given to a string the caller empties.
class WindowSink final : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    data_.append(data);
    return Status::Ok();
  }
  std::string& data() { return data_; }

 private:
  std::string data_;
};

class AppendSink final : public ByteSink {
 public:
  explicit AppendSink(WritableFile* file) : file_(file) {}
  Status Write(std::string_view data) override { return file_->Append(data); }

 private:
  WritableFile* file_;
};

// The plaintext of a sealed stream, decrypted chunk by chunk as reads
// move forward (see OpenSealedFile).
class SealedFile final : public RandomAccessFile {
 public:
  SealedFile(std::unique_ptr<RandomAccessFile> sealed, const OffsiteKey& key, std::string binding,
             std::string what, uint64_t plain_size)
      : sealed_(std::move(sealed)),
        key_(key),
        binding_(std::move(binding)),
        what_(std::move(what)),
        plain_size_(plain_size) {
    Restart();
  }

  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (offset >= plain_size_ || n == 0) return size_t{0};
    if (offset < window_start_) Restart();
    while (offset >= window_start_ + window_.data().size()) {
      ARKWIKI_RETURN_IF_ERROR(Advance());
    }
    const uint64_t at = offset - window_start_;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(n, window_.data().size() - at));
    std::memcpy(buf, window_.data().data() + at, take);
    return take;
  }
  uint64_t Size() const override { return plain_size_; }

 private:
  void Restart() const {
    window_.data().clear();
    window_start_ = 0;
    position_ = 0;
    done_ = false;
    sink_ = std::make_unique<DecryptingSink>(key_, binding_, &window_);
  }

  // Decrypts the next chunk into the window.
  Status Advance() const {
    window_start_ += window_.data().size();
    window_.data().clear();
    while (window_.data().empty()) {
      if (done_) return Refuse("it ends before its stated size");
      const uint64_t want = (position_ == 0 ? kPrefixBytes : 0) + kSealedChunk;
      const size_t n = static_cast<size_t>(std::min(want, sealed_->Size() - position_));
      piece_.resize(n);
      size_t got = 0;
      while (got < n) {
        ARKWIKI_ASSIGN_OR_RETURN(size_t r, sealed_->ReadAt(position_ + got, &piece_[got], n - got));
        if (r == 0) return Refuse("it was cut while being read");
        got += r;
      }
      position_ += n;
      Status s = sink_->Write(piece_);
      if (s.ok() && position_ == sealed_->Size()) {
        done_ = true;
        s = sink_->Finish();
      }
      if (s.code() == StatusCode::kCorruption) return Refuse("it failed to authenticate");
      ARKWIKI_RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  }

  Status Refuse(const std::string& why) const {
    return Status::Corruption(what_ + " is damaged or is not the file stored there (" + why + ")");
  }

  std::unique_ptr<RandomAccessFile> sealed_;
  const OffsiteKey& key_;
  std::string binding_;
  std::string what_;
  uint64_t plain_size_;
  mutable std::mutex mutex_;
  mutable WindowSink window_;
  mutable uint64_t window_start_ = 0;  // plaintext offset of window_'s first byte
  mutable uint64_t position_ = 0;      // sealed bytes fed so far
  mutable bool done_ = false;
  mutable std::string piece_;
  mutable std::unique_ptr<DecryptingSink> sink_;
};

// Seals what is appended; the final chunk is written by Sync or Close.
class SealingFile final : public WritableFile {
 public:
  SealingFile(std::unique_ptr<WritableFile> file, const OffsiteKey& key, const std::string& binding)
      : file_(std::move(file)), out_(file_.get()), seal_(key, binding, &out_) {}
  Status Append(std::string_view data) override {
    if (finished_) return Status::InvalidArgument("append to a sealed file after its end");
    return seal_.Write(data);
  }
  Status Sync() override {
    ARKWIKI_RETURN_IF_ERROR(Finish());
    return file_->Sync();
  }
  Status Close() override {
    Status s = Finish();
    Status closed = file_->Close();
    return s.ok() ? closed : s;
  }

 private:
  Status Finish() {
    if (finished_) return Status::Ok();
    finished_ = true;
    return seal_.Finish();
  }

  std::unique_ptr<WritableFile> file_;
  AppendSink out_;
  EncryptingSink seal_;
  bool finished_ = false;
};

class InOrderReader final : public SequentialFile {
 public:
  explicit InOrderReader(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    ARKWIKI_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(position_, buf, n));
    position_ += got;
    return got;
  }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t position_ = 0;
};

// "name.json.tmp-12-3" -> "name.json": a temporary file is bound as the
// file it becomes.
std::string WithoutTmpSuffix(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  const size_t tmp = rel.find(".tmp", slash == std::string::npos ? 0 : slash);
  return tmp == std::string::npos ? rel : rel.substr(0, tmp);
}

}  // namespace

Result<uint64_t> PlainSizeOf(uint64_t sealed_bytes) {
  if (sealed_bytes < kPrefixBytes + kTagBytes) return Status::Corruption("wrong size");
  const uint64_t body = sealed_bytes - kPrefixBytes - kTagBytes;
  const uint64_t full = body / kSealedChunk;
  const uint64_t rest = body % kSealedChunk;
  if (rest >= kChunkBytes) return Status::Corruption("wrong size");
  return full * kChunkBytes + rest;
}

std::string SealedObjectName(const OffsiteKey& key, const std::string& sha256_hex) {
  Sha256Raw raw{};
  if (!ParseSha256Hex(sha256_hex, &raw)) return "";
  return key.ObjectName(raw);
}

Sha256Raw StoredObjectName(const Sha256Raw& sha256, const OffsiteKey* key) {
  Sha256Raw name = sha256;
  // ObjectName is 64 hex digits by its contract, so this parse cannot fail.
  if (key != nullptr) (void)ParseSha256Hex(key->ObjectName(sha256), &name);
  return name;
}

std::string ObjectBinding(const std::string& name) { return "object/" + name; }

Result<std::unique_ptr<RandomAccessFile>> OpenSealedFile(std::unique_ptr<RandomAccessFile> sealed,
                                                         const OffsiteKey& key,
                                                         const std::string& binding,
                                                         const std::string& what) {
  Result<uint64_t> plain = PlainSizeOf(sealed->Size());
  if (!plain.ok()) {
    return Status::Corruption(what + " is damaged: it has a size no encrypted file has");
  }
  return std::unique_ptr<RandomAccessFile>(
      new SealedFile(std::move(sealed), key, binding, what, *plain));
}

std::unique_ptr<SequentialFile> ReadInOrder(std::unique_ptr<RandomAccessFile> file) {
  return std::make_unique<InOrderReader>(std::move(file));
}

SealedRepoEnv::SealedRepoEnv(Env* target, RepoLayout repo, const OffsiteKey& key)
    : EnvWrapper(target), repo_(std::move(repo)), key_(key) {}

SealedRepoEnv::SealedRepoEnv(std::unique_ptr<Env> target, RepoLayout repo, const OffsiteKey& key)
    : EnvWrapper(target.get()), owned_(std::move(target)), repo_(std::move(repo)), key_(key) {}

SealedRepoEnv::~SealedRepoEnv() = default;

SealedRepoEnv::Sealed SealedRepoEnv::Classify(const std::string& path) const {
  auto under = [&](const std::string& dir) -> std::string_view {
    if (path.size() <= dir.size() + 1 || path.compare(0, dir.size(), dir) != 0 ||
        path[dir.size()] != '/') {
      return {};
    }
    return std::string_view(path).substr(dir.size() + 1);
  };
  // objects/<aa>/<sha256>, stored as objects/<nn>/<name>.
  if (std::string_view rest = under(repo_.objects); rest.size() == 67 && rest[2] == '/') {
    const std::string name = SealedObjectName(key_, std::string(rest.substr(3)));
    if (!name.empty() && rest.substr(0, 2) == rest.substr(3, 2)) {
      return {JoinPath(JoinPath(repo_.objects, name.substr(0, 2)), name), ObjectBinding(name)};
    }
  }
  if (path.compare(0, repo_.damaged_list.size(), repo_.damaged_list) == 0 &&
      WithoutTmpSuffix(path) == repo_.damaged_list) {
    return {path, "damaged-objects"};
  }
  for (const std::string* dir : {&repo_.snapshots, &repo_.tmp}) {
    const std::string_view rest = under(*dir);
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash + 1 == rest.size()) continue;
    if (!IsSnapshotId(std::string(rest.substr(0, slash)))) continue;
    return {path, "point/" + WithoutTmpSuffix(std::string(rest))};
  }
  return {};
}

Result<std::unique_ptr<RandomAccessFile>> SealedRepoEnv::NewRandomAccessFile(
    const std::string& path) {
  const Sealed s = Classify(path);
  if (s.stored.empty()) return target()->NewRandomAccessFile(path);
  ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewRandomAccessFile(s.stored));
  return OpenSealedFile(std::move(file), key_, s.binding, path);
}

Result<std::unique_ptr<SequentialFile>> SealedRepoEnv::NewSequentialFile(const std::string& path) {
  const Sealed s = Classify(path);
  if (s.stored.empty()) return target()->NewSequentialFile(path);
  ARKWIKI_ASSIGN_OR_RETURN(auto file, NewRandomAccessFile(path));
  return ReadInOrder(std::move(file));
}

Result<std::unique_ptr<WritableFile>> SealedRepoEnv::NewWritableFile(const std::string& path,
                                                                     CreateMode mode) {
  const Sealed s = Classify(path);
  if (s.stored.empty()) return target()->NewWritableFile(path, mode);
  if (s.stored != path) {
    // Objects are written by the object and pack writers, never here.
    return Status::InvalidArgument(
        "an object of an encrypted repository is written only by a "
        "snapshot: " +
        path);
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewWritableFile(path, mode));
  return std::unique_ptr<WritableFile>(new SealingFile(std::move(file), key_, s.binding));
}

Result<bool> SealedRepoEnv::FileExists(const std::string& path) {
  const Sealed s = Classify(path);
  return target()->FileExists(s.stored.empty() ? path : s.stored);
}

Result<uint64_t> SealedRepoEnv::GetFileSize(const std::string& path) {
  const Sealed s = Classify(path);
  if (s.stored.empty()) return target()->GetFileSize(path);
  ARKWIKI_ASSIGN_OR_RETURN(uint64_t sealed, target()->GetFileSize(s.stored));
  return PlainSizeOf(sealed);
}

Result<std::unique_ptr<Env>> OpenStoredObjects(Env* target, const RepoLayout& repo,
                                               const OffsiteKey* key, const PackIndex** index,
                                               PackedObjectsEnv** packed_env) {
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<PackedObjectsEnv> packed,
                           OpenPackedObjects(target, repo));
  if (index != nullptr) *index = &packed->index();
  if (packed_env != nullptr) *packed_env = packed.get();
  std::unique_ptr<Env> stored = std::move(packed);
  if (key != nullptr) stored = std::make_unique<SealedRepoEnv>(std::move(stored), repo, *key);
  return std::unique_ptr<Env>(new ChunkedDatabaseEnv(std::move(stored), repo));
}

}  // namespace arkwiki
