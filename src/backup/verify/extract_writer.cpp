// ExtractWriter: writing unpacked files on a second thread (see the header).
#include "verify/extract_writer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace arkwiki {
namespace {

constexpr size_t kMaxPooledBlocks = 4;

size_t RoundUp(size_t n) {
  return (std::max<size_t>(n, 1) + kDirectIoAlignment - 1) / kDirectIoAlignment *
         kDirectIoAlignment;
}

}  // namespace

Status Sha256Mismatch(const std::string& path) {
  return Status::Corruption(path +
                            " does not match the SHA-256 in the manifest: it was "
                            "altered or damaged");
}

ExtractWriter::ExtractWriter(Env* env, std::string root) : env_(env), root_(std::move(root)) {
  made_dirs_.insert(root_);
  hasher_ = std::thread([this] { Walk(&hashed_, [this](Op* op) { return Hash(op); }); });
  writer_ = std::thread([this] { Walk(&written_, [this](Op* op) { return Apply(op); }); });
}

ExtractWriter::~ExtractWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  hasher_.join();
  writer_.join();
  file_.reset();  // an unfinished file: the caller removes the directory
}

void ExtractWriter::NewBlock(size_t capacity, bool direct_io) {
  current_.used = 0;
  if (!direct_io && capacity < kExactBlockBelow) {
    // A small file goes through the page cache: no alignment, and no
    // rounding up to 4 KiB, which for files of 1-4 KiB doubled the queue's
    // memory (aligned_alloc pads each block besides). Larger blocks stay
    // aligned: malloc'ing them exactly made a 512 MiB restore 50% slower
    // (more page faults), measured.
    capacity = std::max<size_t>(capacity, 1);
    char* p = static_cast<char*>(std::malloc(capacity));
    if (p == nullptr) throw std::bad_alloc();
    current_.data.reset(p);
    current_.capacity = capacity;
    return;
  }
  capacity = RoundUp(capacity);
  if (capacity == kBlockSize) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pool_.empty()) {
      current_.data = std::move(pool_.back());
      pool_.pop_back();
      current_.capacity = capacity;
      return;
    }
  }
  char* p = static_cast<char*>(std::aligned_alloc(kDirectIoAlignment, capacity));
  if (p == nullptr) throw std::bad_alloc();
  current_.data.reset(p);
  current_.capacity = capacity;
}

Status ExtractWriter::Begin(const std::string& path, uint64_t size, const std::string& name,
                            const std::string& sha256) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
  }
  current_ = Op{};
  current_.path = path;
  current_.size = size;
  current_.name = name;
  current_.sha256 = sha256;
  left_ = size;
  direct_io_ = UsesDirectIo(size);
  NewBlock(static_cast<size_t>(std::min<uint64_t>(size, kBlockSize)), direct_io_);
  return Status::Ok();
}

Status ExtractWriter::Write(std::string_view data) {
  while (!data.empty()) {
    if (current_.used == current_.capacity) {
      ARKWIKI_RETURN_IF_ERROR(Push(/*close=*/false));
      NewBlock(static_cast<size_t>(std::min<uint64_t>(left_, kBlockSize)), direct_io_);
    }
    const size_t n = std::min(current_.capacity - current_.used, data.size());
    std::memcpy(current_.data.get() + current_.used, data.data(), n);
    current_.used += n;
    left_ -= std::min<uint64_t>(left_, n);
    data.remove_prefix(n);
  }
  return Status::Ok();
}

Status ExtractWriter::End() { return Push(/*close=*/true); }

Status ExtractWriter::Adopt(const std::string& path, const std::string& from) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
  }
  current_ = Op{};
  current_.path = path;
  current_.adopt_from = from;
  left_ = 0;
  return Push(/*close=*/true);
}

Status ExtractWriter::Push(bool close) {
  current_.close = close;
  std::unique_lock<std::mutex> lock(mu_);
  space_cv_.wait(lock, [&] {
    return !error_.ok() || queue_.empty() ||
           queued_bytes_ + QueuedCost(current_.capacity) <= kMaxQueuedBytes;
  });
  if (!error_.ok()) {
    current_ = Op{};
    return error_;
  }
  queued_bytes_ += QueuedCost(current_.capacity);
  queue_.push_back(std::move(current_));
  current_ = Op{};
  if (ReadyLocked(hashed_) || ReadyLocked(written_)) work_cv_.notify_all();
  return Status::Ok();
}

Status ExtractWriter::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  draining_ = true;  // every queued op is worth a wake-up now
  work_cv_.notify_all();
  space_cv_.wait(lock, [&] { return queue_.empty(); });
  draining_ = false;
  return error_;
}

// With mu_ held: whether the thread whose position is `done` has a batch
// to run (or the caller waits for it: queued bytes are high, or Drain).
// Push waits only while more than kMaxQueuedBytes - kBlockSize >=
// kWakeBytes is queued, so it never waits on a thread that sleeps.
bool ExtractWriter::ReadyLocked(uint64_t done) const {
  const uint64_t pending = front_seq_ + queue_.size() - done;
  return pending > 0 && (pending >= kWakeOps || queued_bytes_ >= kWakeBytes || draining_);
}

// With mu_ held: drops the ops both threads are done with.
void ExtractWriter::ReleaseLocked() {
  while (!queue_.empty() && front_seq_ < std::min(hashed_, written_)) {
    Op& op = queue_.front();
    queued_bytes_ -= QueuedCost(op.capacity);
    if (op.capacity == kBlockSize && pool_.size() < kMaxPooledBlocks) {
      pool_.push_back(std::move(op.data));
    }
    queue_.pop_front();
    ++front_seq_;
  }
  space_cv_.notify_all();
}

// Runs `step` on every op in order, as the thread whose position is *done.
// Ops stay in queue_ (references to deque elements survive push_back and
// the other end's pop_front) until both threads are past them.
// With mu_ held: keeps the failure of the earliest op.
void ExtractWriter::RecordErrorLocked(Status s, uint64_t seq) {
  if (seq >= failed_seq_.load()) return;
  error_ = std::move(s);
  failed_seq_.store(seq);
}

// A batch is every op queued when the thread wakes, run without the lock.
// Ops after the earliest failure so far (this thread's or the other's) are
// skipped; ops before it still run, so that an earlier file's SHA-256
// mismatch is found even when a later file's write failed first.
void ExtractWriter::Walk(uint64_t* done, const std::function<Status(Op*)>& step) {
  std::vector<Op*> batch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || ReadyLocked(*done); });
    if (stop_) return;  // the caller gave up on the extraction
    const uint64_t first = *done;
    batch.clear();
    for (uint64_t seq = first; seq < front_seq_ + queue_.size(); ++seq) {
      batch.push_back(&queue_[seq - front_seq_]);
    }
    lock.unlock();
    Status s;
    uint64_t failed_at = 0;
    for (size_t k = 0; k < batch.size() && first + k <= failed_seq_.load(); ++k) {
      s = step(batch[k]);
      if (!s.ok()) {
        failed_at = first + k;
        break;
      }
    }
    lock.lock();
    if (!s.ok()) RecordErrorLocked(std::move(s), failed_at);
    *done += batch.size();
    ReleaseLocked();
  }
}

// The hashing thread: each file's SHA-256 against the manifest's (an
// adopted file's the caller checked).
Status ExtractWriter::Hash(Op* op) {
  if (!op->adopt_from.empty()) return Status::Ok();
  if (!op->path.empty()) {
    hash_ = std::make_unique<Sha256>();
    hash_name_ = op->name;
    hash_expected_ = op->sha256;
  }
  if (hash_ == nullptr) return Status::InvalidArgument("ExtractWriter: no file is open");
  hash_->Update(op->data.get(), op->used);
  if (!op->close) return Status::Ok();
  const std::string got = hash_->FinishHex();
  hash_.reset();
  if (got == hash_expected_) return Status::Ok();
  return Sha256Mismatch(hash_name_);
}

// The writing thread: directories, create, write, close; or for an
// adopted file, the link and unlink when it ends.
Status ExtractWriter::Apply(Op* op) {
  Status s = [&]() -> Status {
    if (!op->path.empty()) ARKWIKI_RETURN_IF_ERROR(EnsureDir(DirName(op->path)));
    if (!op->adopt_from.empty()) return MoveInto(op->adopt_from, op->path);
    if (!op->path.empty()) {
      ARKWIKI_ASSIGN_OR_RETURN(file_, env_->NewWritableFile(op->path, CreateMode::kExclusive));
      file_size_ = op->size;
      if (UsesDirectIo(file_size_)) (void)file_->UseDirectIo();
    }
    if (file_ == nullptr) return Status::InvalidArgument("ExtractWriter: no file is open");
    if (op->used > 0) {
      ARKWIKI_RETURN_IF_ERROR(file_->Append(std::string_view(op->data.get(), op->used)));
    }
    if (!op->close) return Status::Ok();
    // Start writing the buffered tail back now, so the one file-system sync
    // at the end of staging has less left to do.
    Status hint = file_size_ >= kBlockSize ? file_->WriteBack(0, 0, /*wait=*/false) : Status::Ok();
    Status closed = file_->Close();
    file_.reset();
    return hint.ok() ? closed : hint;
  }();
  if (!s.ok()) file_.reset();
  return s;
}

// link(2) then unlink: it fails if `to` exists and never follows a link
// there, as exclusive as creating the file. Where the file system has no
// hard links (link fails with EPERM, EOPNOTSUPP or EMLINK: a permission or
// I/O error here), a rename once `to` is known not to exist: only this
// thread writes below the extraction's root. Any other failure (no space,
// a missing piece) keeps its own code.
Status ExtractWriter::MoveInto(const std::string& from, const std::string& to) {
  Status linked = env_->LinkFile(from, to);
  if (linked.ok()) return env_->RemoveFile(from);
  // A fault of this server, not of the archive.
  if (linked.code() == StatusCode::kNotFound) {
    return Status::IoError("the received " + from + " is gone: " + linked.message());
  }
  if (linked.code() != StatusCode::kPermissionDenied && linked.code() != StatusCode::kIoError) {
    return linked;
  }
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(to));
  if (exists) return Status::AlreadyExists(to + " exists");
  return env_->Rename(from, to).WithContext("after " + linked.ToString());
}

// mkdir -p, remembering what exists: one mkdir per new directory instead of
// one per path component per file (7 per file, nearly all EEXIST, before).
Status ExtractWriter::EnsureDir(const std::string& dir) {
  if (made_dirs_.count(dir) != 0) return Status::Ok();
  const bool parent_made = made_dirs_.count(DirName(dir)) != 0;
  ARKWIKI_RETURN_IF_ERROR(parent_made ? env_->CreateDir(dir) : env_->CreateDirs(dir));
  for (std::string d = dir; d.size() > root_.size() && made_dirs_.insert(d).second;
       d = DirName(d)) {
  }
  return Status::Ok();
}

}  // namespace arkwiki
