#include "arkwiki/backup/s3_target.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "arkwiki/core/hash.h"
#include "offsite/s3_client.h"
#include "offsite/s3_multipart.h"
#include "offsite/s3_xml.h"
#include "offsite/upload_state.h"

namespace arkwiki {
namespace {

// The longest key arkwiki writes below the prefix is an object's:
// "objects/ab/" and 64 hex digits, 75 bytes. A listed key longer than this
// is none of its own.
constexpr size_t kMaxOwnKeyBytes = 128;

class S3Target final : public OffsiteTarget {
 public:
  // `config.key_prefix` is "" or ends in '/'.
  explicit S3Target(const S3TargetConfig& config)
      : client_(config),
        states_(config.env != nullptr ? config.env : Env::Default(), config.state_dir,
                config.endpoint + "\n" + config.bucket),
        prefix_(config.key_prefix) {}

  std::string Describe() const override { return client_.Describe(); }

  Status Put(const std::string& key, const RandomAccessFile& source) override {
    return PutHashed(key, source, "");
  }

  Status PutHashed(const std::string& key, const RandomAccessFile& source,
                   const std::string& sha256_hex) override {
    const std::string full = prefix_ + key;
    if (source.Size() > client_.config().multipart_threshold) {
      ARKWIKI_RETURN_IF_ERROR(s3::MultipartPut(&client_, &states_, full, source));
      return Undamaged(full);
    }
    s3::Call call{"PUT", full};
    if (sha256_hex.empty()) {
      ARKWIKI_RETURN_IF_ERROR(s3::SetBodyFromFile(source, &call));
    } else {
      call.body_file = &source;
      call.body_sha256 = sha256_hex;
    }
    ARKWIKI_RETURN_IF_ERROR(client_.Execute(call).status());
    return Undamaged(full);
  }

  // Objects above multipart_threshold go up in parts, which keep their
  // spool for resuming (s3_multipart.h).
  uint64_t MaxStreamedSize() const override { return client_.config().multipart_threshold; }

  Status PutStreamed(const std::string& key, StreamedObject* object) override {
    if (object->Size() > MaxStreamedSize()) {
      return Status::InvalidArgument("a streamed object of " + std::to_string(object->Size()) +
                                     " bytes is above multipart_threshold");
    }
    s3::Call call{"PUT", prefix_ + key};
    call.body_object = object;
    const Result<s3::Reply> reply = client_.Execute(call);
    if (!reply.ok()) return AfterFailedStream(call.key, reply.status());
    if (reply->body_unchecked) ++unchecked_puts_;
    return Undamaged(call.key);
  }

  uint64_t UncheckedPuts() const override { return unchecked_puts_; }

  Status Get(const std::string& key, uint64_t max_bytes, ByteSink* sink) override {
    s3::Call call{"GET", prefix_ + key};
    call.sink = sink;
    call.max_sink_bytes = max_bytes;
    return client_.Execute(call).status();
  }

  Result<uint64_t> Stat(const std::string& key) override {
    ARKWIKI_ASSIGN_OR_RETURN(s3::Reply reply, client_.Execute({"HEAD", prefix_ + key}));
    return reply.content_length;
  }

  Result<std::vector<OffsiteObject>> List(const std::string& prefix) override {
    std::vector<OffsiteObject> all;
    std::string token;
    uint64_t taken = 0;  // keys, and empty pages, counted against the cap
    do {
      s3::Call call{"GET",
                    "",
                    {{"list-type", "2"},
                     {"max-keys", std::to_string(client_.config().list_page_keys)},
                     {"prefix", prefix_ + prefix}}};
      if (!token.empty()) call.query.emplace_back("continuation-token", token);
      ARKWIKI_ASSIGN_OR_RETURN(s3::Reply reply, client_.Execute(call));
      ARKWIKI_ASSIGN_OR_RETURN(s3::ListPage page, s3::ParseListPage(reply.body));
      taken += std::max<uint64_t>(page.objects.size(), 1);
      if (taken > client_.config().max_listed_keys) {
        return Status::Corruption(Describe() + " listed more than " +
                                  std::to_string(client_.config().max_listed_keys) +
                                  " keys under " + prefix + " (max_listed_keys); refused");
      }
      // A server that ignores `prefix` must not hand back other keys (prune
      // would remove them), nor page forever by repeating its token. A key
      // longer than any arkwiki writes is not kept either: 5,000,000 keys
      // of 7 MiB each would otherwise all be held.
      const std::string wanted = prefix_ + prefix;
      for (OffsiteObject& object : page.objects) {
        if (object.key.compare(0, wanted.size(), wanted) != 0) continue;
        if (object.key.size() - prefix_.size() > kMaxOwnKeyBytes) continue;
        object.key.erase(0, prefix_.size());
        all.push_back(std::move(object));
      }
      if (!page.next_token.empty() && page.next_token == token) {
        return Status::Corruption(Describe() + " repeated its continuation token while listing " +
                                  prefix + "; the listing would never end");
      }
      token = std::move(page.next_token);
    } while (!token.empty());
    std::sort(all.begin(), all.end(),
              [](const OffsiteObject& a, const OffsiteObject& b) { return a.key < b.key; });
    ARKWIKI_ASSIGN_OR_RETURN(std::set<std::string> damaged, states_.DamagedKeys());
    for (OffsiteObject& object : all) {
      // No sealed object is 0 bytes long: a copy sends it again, a check
      // reports it, and prune may remove it.
      if (damaged.count(prefix_ + object.key) > 0) object.size = 0;
    }
    return all;
  }

  Status Remove(const std::string& key) override {
    const auto reply = client_.Execute({"DELETE", prefix_ + key});
    // S3 answers 204 for an absent key; some servers answer NoSuchKey.
    if (!reply.ok() && reply.status().message().find("(NoSuchKey)") == std::string::npos) {
      return reply.status();
    }
    return Undamaged(prefix_ + key);
  }

 private:
  // After the full key `full` was put whole or removed: any damaged mark
  // goes.
  Status Undamaged(const std::string& full) {
    const Status s = states_.ClearDamaged(full);
    if (s.ok()) return Status::Ok();
    return Status(s.code(),
                  "the damaged mark of " + full + " in " + client_.config().state_dir +
                      " could not be removed (the object will be sent again): " + s.message());
  }

  // After a PutStreamed of the full key `full` failed with `failure`:
  // unless the key is known to hold nothing, it is marked damaged. A body
  // cut short is never the object's size, but one the server stored
  // damaged is (the ETag said so), and the removal the client tried may
  // have failed, or a cancellation may have stopped the retry that would
  // have replaced it. (No request after a cancellation: the mark is made
  // without asking.)
  Status AfterFailedStream(const std::string& full, const Status& failure) {
    if (failure.code() != StatusCode::kCancelled) {
      const auto head = client_.Execute({"HEAD", full});
      if (head.status().code() == StatusCode::kNotFound) return failure;
    }
    const Status marked = states_.MarkDamaged(full);
    if (marked.ok()) return failure;
    return Status(failure.code(), failure.message() + "; what the request may have left under " +
                                      full + " could not be marked damaged in " +
                                      client_.config().state_dir + " (" + marked.message() +
                                      "): remove that object before the next copy");
  }

  s3::Client client_;
  s3::UploadStateStore states_;
  uint64_t unchecked_puts_ = 0;
  std::string prefix_;  // "" or ending in '/'
};

Status CheckEndpoint(const std::string& endpoint) {
  try {
    const Poco::URI uri(endpoint);
    if (uri.getScheme() != "https" && uri.getScheme() != "http") {
      return Status::InvalidArgument("S3 endpoint must start with https:// or http://: " +
                                     endpoint);
    }
    if (uri.getHost().empty()) return Status::InvalidArgument("S3 endpoint has no host");
    if (!uri.getQuery().empty() || !uri.getUserInfo().empty()) {
      return Status::InvalidArgument("S3 endpoint must be a plain URL, without user or query");
    }
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("S3 endpoint is not a URL: " + e.displayText());
  }
  return Status::Ok();
}

Status CheckConfig(const S3TargetConfig& c) {
  ARKWIKI_RETURN_IF_ERROR(CheckEndpoint(c.endpoint));
  if (c.bucket.empty()) return Status::InvalidArgument("S3 bucket is not set");
  if (c.region.empty()) return Status::InvalidArgument("S3 region is not set");
  if (c.access_key.empty() || c.secret_key.empty()) {
    return Status::InvalidArgument("S3 access key and secret key must both be set");
  }
  if (c.state_dir.empty()) return Status::InvalidArgument("S3 state_dir is not set");
  if (c.part_size < kS3MinPartSize || c.part_size > (uint64_t{5} << 30)) {
    return Status::InvalidArgument("S3 part_size must be between 5 MiB and 5 GiB");
  }
  if (c.multipart_threshold > (uint64_t{5} << 30)) {
    return Status::InvalidArgument("S3 multipart_threshold must be at most 5 GiB");
  }
  if (c.parallel_parts < 1 || c.parallel_parts > 16) {
    return Status::InvalidArgument("S3 parallel_parts must be between 1 and 16");
  }
  if (c.list_page_keys < 1 || c.list_page_keys > 1000) {
    return Status::InvalidArgument("S3 list_page_keys must be between 1 and 1000");
  }
  if (c.max_listed_keys < 1) return Status::InvalidArgument("S3 max_listed_keys must be positive");
  if (c.max_attempts < 1 || c.initial_backoff_ms < 0 || c.max_backoff_ms < 0 ||
      c.connect_timeout_ms <= 0 || c.io_timeout_ms <= 0 || c.request_deadline_ms <= 0 ||
      c.deadline_ms_per_mib < 0) {
    return Status::InvalidArgument(
        "S3 max_attempts must be at least 1, and the timeouts, deadlines and backoffs positive");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<OffsiteTarget>> OpenS3Target(const S3TargetConfig& config) {
  ARKWIKI_RETURN_IF_ERROR(CheckConfig(config));
  S3TargetConfig normal = config;
  std::string& prefix = normal.key_prefix;
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
  if (!prefix.empty() && prefix.back() != '/') prefix.push_back('/');
  return std::unique_ptr<OffsiteTarget>(std::make_unique<S3Target>(normal));
}

}  // namespace arkwiki
