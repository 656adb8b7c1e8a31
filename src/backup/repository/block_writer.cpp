#include "repository/block_writer.h"

namespace arkwiki {

BlockWriter::BlockWriter() : thread_([this] { Run(); }) {}

BlockWriter::~BlockWriter() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return out_ == nullptr; });
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Status BlockWriter::Append(WritableFile* out, std::string_view block) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return out_ == nullptr; });
    if (!status_.ok()) return status_;
    out_ = out;
    block_ = block;
  }
  cv_.notify_all();
  return Status::Ok();
}

Status BlockWriter::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return out_ == nullptr; });
  Status s = status_;
  status_ = Status::Ok();
  return s;
}

void BlockWriter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || out_ != nullptr; });
    if (out_ == nullptr) return;  // stop_, nothing in flight
    WritableFile* out = out_;
    const std::string_view block = block_;
    lock.unlock();
    Status s = out->Append(block);
    lock.lock();
    if (status_.ok()) status_ = s;
    out_ = nullptr;
    cv_.notify_all();
  }
}

}  // namespace arkwiki
