#include "scenario_util.h"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "arkwiki/core/url.h"
#include "arkwiki/process/http_client.h"
#include "capture.h"

namespace arkwiki::drill {
namespace {

namespace fs = std::filesystem;

void RecordHttpRun(const RestoreRun& run, Verdict* v) {
  v->restore_seconds = run.seconds;
  if (run.unavailable_ms >= 0) {
    v->downtime_ms = run.unavailable_ms;
    v->downtime_source = "restore JSON unavailable_ms";
  }
  if (run.measured_503_ms >= 0) {
    v->Note("measured /api/health 503 window: " +
            std::to_string(static_cast<int>(run.measured_503_ms)) + " ms");
  }
}

void CliRestoreAndCheck(DrillContext& ctx, const fixture::Fingerprint& expected,
                        const std::string& data, const std::string& archive, ServerPtr& server,
                        double down_since_ms, Verdict* v) {
  double down = down_since_ms;
  if (server) {
    down = down < 0 ? NowMs() : std::min(down, NowMs());
    server->Stop();
    server.reset();
  }
  if (down < 0) down = NowMs();
  RestoreRun run = ctx.RestoreCli(data, archive);
  v->restore_seconds = run.seconds;
  if (run.exit_code != 0) {
    return v->Fail("arkwiki backup restore exited " + std::to_string(run.exit_code) + ": " +
                   run.message);
  }
  DRILL_ASSIGN(server, ctx.Serve(data));
  v->downtime_ms = NowMs() - down;
  v->downtime_source = "server stopped until healthy again (includes the restore)";
  DRILL_ASSIGN(auto diffs, ctx.DiffServer(server->port(), expected));
  v->RecordDiff("restored wiki vs fingerprint", diffs);
}

}  // namespace

Result<Prepared> PrepareWithBackup(DrillContext& ctx, const Golden& g, const std::string& name) {
  Prepared p;
  ARKWIKI_ASSIGN_OR_RETURN(p.dir, ctx.NewDir(name + "-" + g.profile));
  p.data = p.dir + "/data";
  p.archive = p.dir + "/backup.zip";
  ARKWIKI_RETURN_IF_ERROR(ctx.CopyGolden(g, p.data));
  ARKWIKI_ASSIGN_OR_RETURN(p.server, ctx.Serve(p.data));
  ARKWIKI_RETURN_IF_ERROR(ctx.Backup(p.data, p.archive));
  return p;
}

void RestoreAndCheck(DrillContext& ctx, const fixture::Fingerprint& expected,
                     const std::string& path, const std::string& data, const std::string& archive,
                     ServerPtr& server, const std::string& token, double down_since_ms,
                     Verdict* v) {
  if (path == "cli")
    return CliRestoreAndCheck(ctx, expected, data, archive, server, down_since_ms, v);
  if (!server) return v->Fail("setup: the http path needs a running server");
  RestoreRun run = ctx.RestoreHttp(server->port(), token, archive);
  RecordHttpRun(run, v);
  if (run.http_status != 200) {
    return v->Fail("POST /api/restore answered " + std::to_string(run.http_status) + ": " +
                   run.message);
  }
  DRILL_ASSIGN(auto diffs, ctx.DiffServer(server->port(), expected));
  v->RecordDiff("restored wiki vs fingerprint", diffs);
}

Status ServeOrFreshInstall(DrillContext& ctx, const Golden& g, const std::string& data,
                           ServerPtr* server, std::string* token, Verdict* v) {
  auto started = ctx.Serve(data);
  if (started.ok()) {
    *server = std::move(started).value();
    *token = g.fp.admin_token();
    return Status::Ok();
  }
  v->Note("the server does not start on the damaged data (" +
          started.status().message().substr(0, 200) +
          "); recovering through a fresh install + import");
  std::error_code ec;
  fs::rename(data, data + ".damaged", ec);
  if (ec) return Status::IoError("moving the damaged data aside: " + ec.message());
  ARKWIKI_ASSIGN_OR_RETURN(*token, ctx.FreshInstall(data));
  ARKWIKI_ASSIGN_OR_RETURN(*server, ctx.Serve(data));
  return Status::Ok();
}

Result<fixture::Fingerprint> MakeChanges(DrillContext& ctx, int port,
                                         const fixture::Fingerprint& g) {
  (void)ctx;
  process::HttpClient admin(port, g.admin_token());
  Poco::JSON::Object::Ptr page = new Poco::JSON::Object;
  page->set("title", "Written after the backup");
  page->set("markdown", "This page exists only in the changed wiki.");
  ARKWIKI_RETURN_IF_ERROR(admin.Json("PUT", "/api/pages/written-after-the-backup", page).status());
  for (const auto& [slug, p] : g.state.pages) {
    if (p.trashed) continue;
    Poco::JSON::Object::Ptr edit = new Poco::JSON::Object;
    edit->set("title", p.title);
    edit->set("markdown", "Edited after the backup.");
    ARKWIKI_RETURN_IF_ERROR(
        admin.Json("PUT", "/api/pages/" + UrlEncodeComponent(slug), edit).status());
    break;
  }
  ARKWIKI_RETURN_IF_ERROR(
      admin.Upload("written-after-the-backup", "after.txt", "uploaded after the backup\n")
          .status());
  fixture::Fingerprint changed = g;
  ARKWIKI_ASSIGN_OR_RETURN(changed.state, fixture::CaptureState(port, g.admin_token(), g.tokens));
  return changed;
}

Result<uint64_t> FileSize(const std::string& path) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return Status::IoError(path + ": " + ec.message());
  return size;
}

uint64_t TreeBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

Status OverwriteBytes(const std::string& path, uint64_t offset, size_t count, uint64_t seed) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!f) return Status::IoError("cannot open " + path);
  std::mt19937_64 rng(seed);
  std::string junk(count, '\0');
  for (char& c : junk) c = static_cast<char>(rng());
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  f.close();
  return f ? Status::Ok() : Status::IoError("cannot write " + path);
}

Status FlipBit(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!f) return Status::IoError("cannot open " + path);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x10);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
  f.close();
  return f ? Status::Ok() : Status::IoError("cannot write " + path);
}

Status TruncateTo(const std::string& path, double fraction) {
  ARKWIKI_ASSIGN_OR_RETURN(uint64_t size, FileSize(path));
  std::error_code ec;
  fs::resize_file(path, static_cast<uint64_t>(static_cast<double>(size) * fraction), ec);
  return ec ? Status::IoError("truncating " + path + ": " + ec.message()) : Status::Ok();
}

Result<std::unique_ptr<TmpfsMount>> TmpfsMount::Mount(const std::string& dir, uint64_t bytes) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string options = "size=" + std::to_string(std::max<uint64_t>(bytes, 65536));
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    return Status::PermissionDenied("mount -t tmpfs -o " + options + " " + dir + ": " +
                                    std::strerror(errno));
  }
  return std::unique_ptr<TmpfsMount>(new TmpfsMount(dir));
}

TmpfsMount::~TmpfsMount() {
  if (::umount2(dir_.c_str(), MNT_DETACH) != 0) {
    std::fprintf(stderr, "warning: could not unmount %s: %s\n", dir_.c_str(), std::strerror(errno));
  }
}

bool MentionsNoSpace(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return lower.find("space") != std::string::npos || lower.find("disk full") != std::string::npos;
}

}  // namespace arkwiki::drill
