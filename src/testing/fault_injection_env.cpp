#include "arkwiki/testing/fault_injection_env.h"

namespace arkwiki {
namespace {

class FaultyWritableFile final : public WritableFile {
 public:
  FaultyWritableFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> target)
      : env_(env), path_(std::move(path)), target_(std::move(target)) {}
  Status Append(std::string_view data) override {
    ARKWIKI_RETURN_IF_ERROR(env_->Tick("append " + path_));
    return target_->Append(data);
  }
  Status Sync() override {
    ARKWIKI_RETURN_IF_ERROR(env_->Tick("sync " + path_));
    return target_->Sync();
  }
  Status WriteBack(uint64_t offset, uint64_t length, bool wait) override {
    return target_->WriteBack(offset, length, wait);  // a hint: not counted
  }
  bool UseDirectIo() override { return target_->UseDirectIo(); }  // not counted
  Status Close() override {
    Status injected = env_->Tick("close " + path_);
    Status real = target_->Close();  // always release the descriptor
    return injected.ok() ? real : injected;
  }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> target_;
};

class FaultyFileSystemSync final : public FileSystemSync {
 public:
  FaultyFileSystemSync(FaultInjectionEnv* env, std::string dir,
                       std::unique_ptr<FileSystemSync> target)
      : env_(env), dir_(std::move(dir)), target_(std::move(target)) {}
  Status Sync() override {
    ARKWIKI_RETURN_IF_ERROR(env_->Tick("syncfs " + dir_));
    return target_->Sync();
  }

 private:
  FaultInjectionEnv* env_;
  std::string dir_;
  std::unique_ptr<FileSystemSync> target_;
};

}  // namespace

Status FaultInjectionEnv::Tick(const std::string& what) {
  uint64_t n = ++operations_;
  uint64_t at = fail_at_;
  if (at == 0 || n < at) return Status::Ok();
  return Status(fail_code_, "injected fault at operation " + std::to_string(n) + " (" + what + ")");
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& p,
                                                                         CreateMode m) {
  ARKWIKI_RETURN_IF_ERROR(Tick("create " + p));
  ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewWritableFile(p, m));
  return std::unique_ptr<WritableFile>(new FaultyWritableFile(this, p, std::move(file)));
}

#define ARKWIKI_FAULTY(call, what)     \
  ARKWIKI_RETURN_IF_ERROR(Tick(what)); \
  return target()->call

Status FaultInjectionEnv::CreateDir(const std::string& p) {
  ARKWIKI_FAULTY(CreateDir(p), "mkdir " + p);
}
Status FaultInjectionEnv::CreateDirs(const std::string& p) {
  ARKWIKI_FAULTY(CreateDirs(p), "mkdir -p " + p);
}
Status FaultInjectionEnv::RemoveFile(const std::string& p) {
  ARKWIKI_FAULTY(RemoveFile(p), "remove " + p);
}
Status FaultInjectionEnv::RemoveDir(const std::string& p) {
  ARKWIKI_FAULTY(RemoveDir(p), "rmdir " + p);
}
Status FaultInjectionEnv::RemoveTree(const std::string& p) {
  ARKWIKI_FAULTY(RemoveTree(p), "rm -r " + p);
}
Status FaultInjectionEnv::Rename(const std::string& f, const std::string& t) {
  ARKWIKI_FAULTY(Rename(f, t), "rename " + f);
}
Status FaultInjectionEnv::Exchange(const std::string& a, const std::string& b) {
  ARKWIKI_FAULTY(Exchange(a, b), "exchange " + a);
}
Status FaultInjectionEnv::LinkFile(const std::string& f, const std::string& t) {
  ARKWIKI_FAULTY(LinkFile(f, t), "link " + f);
}
Status FaultInjectionEnv::CloneFile(const std::string& f, const std::string& t) {
  ARKWIKI_FAULTY(CloneFile(f, t), "clone " + f);
}
Status FaultInjectionEnv::SyncDir(const std::string& p) {
  ARKWIKI_FAULTY(SyncDir(p), "dirsync " + p);
}

#undef ARKWIKI_FAULTY

Result<std::unique_ptr<FileSystemSync>> FaultInjectionEnv::NewFileSystemSync(
    const std::string& dir) {
  ARKWIKI_ASSIGN_OR_RETURN(auto sync, target()->NewFileSystemSync(dir));
  return std::unique_ptr<FileSystemSync>(new FaultyFileSystemSync(this, dir, std::move(sync)));
}

}  // namespace arkwiki
