// Scenarios 15-17: the repository of restore points under faults. A kill at
// each crash point of a snapshot and of a prune, a full disk under a
// snapshot and a prune, and bit rot in a stored upload. After each, `backup
// check --read-all` passes (or, for bit rot, names exactly the restore
// points affected), the restore points that should be there are listed, and
// every one of them restores to the wiki it was taken of.
#include <signal.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include <zlib.h>

#include "arkwiki/process/http_client.h"
#include "repository_steps.h"

namespace arkwiki::drill {
namespace {

namespace fs = std::filesystem;

// In the order a snapshot reaches them. The first kill that gets past
// "after_pack" leaves the new small uploads in a placed pack, so the later
// ones reuse it and write no pack.
const char* const kSnapshotCrashPoints[] = {
    "repository.snapshot.before_pack",     "repository.snapshot.after_pack",
    "repository.snapshot.after_objects",   "repository.snapshot.after_chunks",
    "repository.snapshot.before_manifest", "repository.snapshot.before_commit",
};
// Loose objects are removed before packs: the first kill leaves the pack,
// the second finds no loose object left to remove.
const char* const kPruneCrashPoints[] = {
    "repository.prune.after_first_removal",
    "repository.prune.after_pack_removal",
};

// Runs `args` with ARKWIKI_CRASH_AT=point; true when it was killed there.
bool KilledAt(DrillContext& ctx, const std::vector<std::string>& args, const std::string& point,
              Verdict* v) {
  auto r = ctx.Arkwiki(args, {{"ARKWIKI_CRASH_AT", point}});
  if (!r.ok()) {
    v->Fail(point + ": " + r.status().ToString());
    return false;
  }
  if (r->exit_code != 128 + SIGKILL) {
    v->Fail(point + " was not reached: exit " + std::to_string(r->exit_code) + ": " +
            r->err.substr(0, 200));
    return false;
  }
  return true;
}

void KillDuringRepository(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "repository-kill"));
  PointList points;
  DRILL_ASSIGN(std::string first, Snapshot(ctx, p.data));
  points.emplace_back(first, g.fp);
  // Two rounds: two new small uploads for the killed snapshots to pack, and
  // one too large for a pack, stored loose; so a pack and a loose object
  // that no restore point names for the killed prunes to remove.
  DRILL_ASSIGN(fixture::Fingerprint changed, ChangeRound(p.server->port(), g.fp, 1));
  DRILL_ASSIGN(changed, ChangeRound(p.server->port(), changed, 2));
  DRILL_ASSIGN(changed, AddRoundUpload(p.server->port(), changed, 2, "large.bin",
                                       std::string(600 << 10, 'L')));
  for (const char* point : kSnapshotCrashPoints) {
    if (!KilledAt(ctx, {"backup", "snapshot", "--data", p.data}, point, v)) continue;
    ExpectHealthy(ctx, p.data, {}, IdsOf(points), std::string("after the kill at ") + point, v);
  }
  for (const char* point : kPruneCrashPoints) {
    if (!KilledAt(ctx, {"backup", "prune", "--data", p.data}, point, v)) continue;
    ExpectHealthy(ctx, p.data, {}, IdsOf(points), std::string("after the kill at ") + point, v);
  }
  v->Note("killed 5 snapshots and 2 prunes at their crash points while serving");
  // The next runs work and clean up what the killed ones left.
  DRILL_ASSIGN(std::string second, Snapshot(ctx, p.data));
  points.emplace_back(second, changed);
  DRILL_ASSIGN(auto pruned, ctx.Arkwiki({"backup", "prune", "--data", p.data}));
  if (pruned.exit_code != 0) v->Fail("backup prune after the kills: " + pruned.err);
  ExpectHealthy(ctx, p.data, {}, IdsOf(points), "after a snapshot and a prune", v);
  std::error_code ec;
  if (!fs::is_empty(p.data + "/backups/tmp", ec)) v->Fail("tmp/ still holds leftovers");
  if (v->result == "fail") return;
  RestoreEachPoint(ctx, g, path, p, points, {}, v);
}

// Writes zeros to `path` until the file system is full (or `max` bytes).
void FillUp(const std::string& path, uint64_t max) {
  std::ofstream out(path, std::ios::binary);
  const std::string block(64 << 10, '\0');
  for (uint64_t done = 0; done < max && out.write(block.data(), block.size());
       done += block.size()) {
  }
}

// A snapshot refused for space: exit 4 naming the space, nothing new listed.
void ExpectNoSpace(DrillContext& ctx, const std::string& data, const std::vector<std::string>& repo,
                   const PointList& points, const std::string& what, Verdict* v) {
  std::vector<std::string> args = {"backup", "snapshot", "--data", data};
  args.insert(args.end(), repo.begin(), repo.end());
  DRILL_ASSIGN(auto r, ctx.Arkwiki(args));
  v->Note(what + ": exit " + std::to_string(r.exit_code) + ": " + r.err.substr(0, 200));
  if (r.exit_code != 4) v->Fail(what + ": backup snapshot exited " + std::to_string(r.exit_code));
  if (!MentionsNoSpace(r.err)) v->Fail(what + ": the error does not name missing space");
  DRILL_ASSIGN(auto ids, ListPoints(ctx, data, repo));
  if (ids != IdsOf(points)) v->Fail(what + ": the failed snapshot changed the restore points");
}

void DiskFullRepository(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "repository-disk-full"));
  // Room for two restore points (every upload once, the database twice;
  // stored as compressed chunks it takes less) and then for a third
  // database snapshot (its check asks for 1.1 x the database + 1 MiB), but
  // not for the uploads added then, which are larger than the space left.
  const uint64_t live = TreeBytes(p.data + "/live");
  DRILL_ASSIGN(const uint64_t db, FileSize(p.data + "/live/arkwiki.db"));
  const uint64_t size = live + db * 21 / 10 + (3 << 20);
  auto mount = TmpfsMount::Mount(p.dir + "/small-fs", size);
  if (!mount.ok()) return v->Skip(mount.status().message() + " (needs root)");
  const std::string dir = (*mount)->dir() + "/backups";
  const std::vector<std::string> repo = {"--backup-dir", dir};
  v->Note("repository on a tmpfs of " + std::to_string(size) +
          " bytes (live data: " + std::to_string(live) + ", database " + std::to_string(db) + ")");
  PointList points;
  DRILL_ASSIGN(std::string first, Snapshot(ctx, p.data, repo));
  points.emplace_back(first, g.fp);
  DRILL_ASSIGN(fixture::Fingerprint changed, ChangeRound(p.server->port(), g.fp, 1));
  DRILL_ASSIGN(std::string second, Snapshot(ctx, p.data, repo));
  points.emplace_back(second, changed);
  // 1. New uploads larger than the space left: refused before any copy.
  process::HttpClient admin(p.server->port(), g.fp.admin_token());
  std::error_code ec;
  const uint64_t left = fs::space((*mount)->dir(), ec).available;
  DRILL_CHECK(
      admin.Upload("time-travel-1", "too-big.bin", std::string(left + (1 << 20), 'x')).status());
  ExpectNoSpace(ctx, p.data, repo, points, "uploads larger than the free space", v);
  ExpectHealthy(ctx, p.data, repo, IdsOf(points), "after the refused snapshot", v);
  // 2. Less space left than the database snapshot needs. (Both cases meet
  // the free-space checks a snapshot makes before writing; a full disk at
  // each single write is swept by RepositoryTest.FailureAtEveryStepOf...)
  const std::string filler = (*mount)->dir() + "/filler";
  const uint64_t free = fs::space((*mount)->dir(), ec).available;
  FillUp(filler, free > db / 2 ? free - db / 2 : 0);
  ExpectNoSpace(ctx, p.data, repo, points, "a database snapshot larger than the free space", v);
  // 3. A prune on a full disk, after a delete: removals need no space.
  FillUp(filler + "-2", UINT64_MAX);
  DRILL_ASSIGN(auto deleted, ctx.Arkwiki({"backup", "delete", "--data", p.data, "--snapshot",
                                          second, "--backup-dir", dir}));
  DRILL_ASSIGN(auto pruned,
               ctx.Arkwiki({"backup", "prune", "--data", p.data, "--backup-dir", dir}));
  v->Note("on a full disk: delete exit " + std::to_string(deleted.exit_code) + ", prune exit " +
          std::to_string(pruned.exit_code) + " " + pruned.err.substr(0, 160));
  if (deleted.exit_code == 0) points.pop_back();
  if (pruned.exit_code != 0 && pruned.exit_code != 4) v->Fail("prune on a full disk failed oddly");
  fs::remove(filler, ec);
  fs::remove(filler + "-2", ec);
  ExpectHealthy(ctx, p.data, repo, IdsOf(points), "after the full disk was freed", v);
  if (v->result == "fail") return;
  RestoreEachPoint(ctx, g, path, p, points, repo, v);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// One pack's index as docs/backup-repository.md describes it, read from its
// trailer: (SHA-256, offset, size) in index order; nullopt without a trailer.
std::optional<std::vector<std::tuple<std::string, uint64_t, uint64_t>>> PackIndexEntries(
    const std::string& pack) {
  std::ifstream in(pack, std::ios::binary);
  std::string trailer(32, '\0');
  in.seekg(-32, std::ios::end);
  in.read(trailer.data(), 32);
  if (trailer.rfind("arkwiki-pack-v1 ", 0) != 0) return std::nullopt;
  const uint64_t index_size = std::stoull(trailer.substr(16, 15));
  in.seekg(-static_cast<std::streamoff>(32 + index_size), std::ios::end);
  std::string index(index_size, '\0');
  in.read(index.data(), static_cast<std::streamsize>(index_size));
  std::istringstream lines(index);
  std::vector<std::tuple<std::string, uint64_t, uint64_t>> entries;
  std::string sha256;
  uint64_t offset = 0, size = 0;
  while (lines >> sha256 >> offset >> size)
    entries.emplace_back(sha256, offset, size);  // "<sha256> <offset> <size>"
  return entries;
}

// Where each packed object is, read from each pack's trailer and index as
// docs/backup-repository.md describes them: SHA-256 -> (pack, offset, size).
std::map<std::string, std::tuple<std::string, uint64_t, uint64_t>> PackedObjects(
    const std::string& repo_dir) {
  std::map<std::string, std::tuple<std::string, uint64_t, uint64_t>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(repo_dir + "/objects/packs", ec)) {
    if (e.path().extension() != ".pack") continue;
    const std::string pack = e.path().string();
    auto entries = PackIndexEntries(pack);
    if (!entries) continue;
    for (const auto& [sha256, offset, size] : *entries) found[sha256] = {pack, offset, size};
  }
  return found;
}

// A gzip member's bytes inflated (empty when they are not one).
std::string Gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return "";
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[16384];
  int r = Z_OK;
  while (r == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
  }
  inflateEnd(&z);
  return r == Z_STREAM_END ? out : "";
}

// Restore point `id`'s manifest.json: whole, or put together from the
// chunks its manifest.json.chunks lists ("<sha256> <size>", or
// "<sha256> <size> gzip <plain size>" for a gzip chunk, a line), each loose
// or in a pack.
std::string PointManifest(const std::string& repo_dir, const std::string& id) {
  const std::string dir = repo_dir + "/snapshots/" + id;
  if (fs::exists(dir + "/manifest.json")) return Slurp(dir + "/manifest.json");
  const auto packed = PackedObjects(repo_dir);
  std::istringstream list(Slurp(dir + "/manifest.json.chunks"));
  std::string text, line;
  while (std::getline(list, line)) {
    const std::string sha256 = line.substr(0, 64);
    const bool gzip = line.find(" gzip ") != std::string::npos;
    std::string bytes;
    const std::string loose = repo_dir + "/objects/" + sha256.substr(0, 2) + "/" + sha256;
    if (fs::exists(loose)) {
      bytes = Slurp(loose);
    } else if (auto it = packed.find(sha256); it != packed.end()) {
      std::ifstream in(std::get<0>(it->second), std::ios::binary);
      bytes.resize(std::get<2>(it->second));
      in.seekg(static_cast<std::streamoff>(std::get<1>(it->second)));
      in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    text += gzip ? Gunzip(bytes) : bytes;
  }
  return text;
}

// The restore points whose manifest names `sha256`.
std::vector<std::string> PointsNaming(const std::string& repo_dir, const std::string& sha256,
                                      const std::vector<std::string>& ids) {
  std::vector<std::string> naming;
  for (const std::string& id : ids) {
    if (PointManifest(repo_dir, id).find(sha256) != std::string::npos) naming.push_back(id);
  }
  return naming;
}

// The first stored upload, as (pack path, its SHA-256, the offset of its
// middle byte in the pack): the first object in the packs (by name, index
// in order, read from each pack's trailer and index as
// docs/backup-repository.md describes them) that a manifest of `ids` names,
// so not a database chunk; the first loose one a manifest names where no
// pack holds one.
Result<std::tuple<std::string, std::string, uint64_t>> SomeStoredUpload(
    const std::string& repo_dir, const std::vector<std::string>& ids) {
  std::vector<std::string> manifests;
  for (const std::string& id : ids) manifests.push_back(PointManifest(repo_dir, id));
  const auto named = [&](const std::string& sha256) {
    for (const std::string& m : manifests) {
      if (m.find(sha256) != std::string::npos) return true;
    }
    return false;
  };
  std::set<fs::path> packs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(repo_dir + "/objects/packs", ec)) {
    if (e.path().extension() == ".pack") packs.insert(e.path());
  }
  for (const fs::path& path : packs) {
    const std::string pack = path.string();
    auto entries = PackIndexEntries(pack);
    if (!entries) return Status::Corruption(pack + ": no trailer");
    for (const auto& [sha256, offset, size] : *entries) {
      if (named(sha256)) return std::make_tuple(pack, sha256, offset + size / 2);
    }
  }
  std::set<fs::path> loose;
  for (const auto& e : fs::recursive_directory_iterator(repo_dir + "/objects", ec)) {
    if (e.is_regular_file() && e.path().parent_path().filename() != "packs") loose.insert(e.path());
  }
  for (const fs::path& path : loose) {
    if (!named(path.filename().string())) continue;
    ARKWIKI_ASSIGN_OR_RETURN(uint64_t size, FileSize(path.string()));
    return std::make_tuple(path.string(), path.filename().string(), size / 2);
  }
  return Status::NotFound("no stored upload in " + repo_dir + "/objects");
}

// `backup check --read-all --json` must find exactly `sha256` damaged and
// name exactly `expected` as the restore points that need it.
void ExpectDamageFound(DrillContext& ctx, const std::string& data, const std::string& sha256,
                       const std::vector<std::string>& expected, Verdict* v) {
  DRILL_ASSIGN(auto r, ctx.Arkwiki({"backup", "check", "--data", data, "--read-all", "--json"}));
  if (r.exit_code != 3)
    v->Fail("check --read-all exited " + std::to_string(r.exit_code) + ", not 3");
  try {
    Poco::JSON::Parser parser;
    auto report = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
    auto damaged = report->getArray("damaged");
    if (damaged->size() != 1)
      return v->Fail("check named " + std::to_string(damaged->size()) +
                     " damaged objects, not 1: " + r.out.substr(0, 300));
    auto entry = damaged->getObject(0);
    std::vector<std::string> named;
    auto ids = entry->getArray("snapshots");
    for (size_t i = 0; i < ids->size(); ++i) named.push_back(ids->getElement<std::string>(i));
    if (entry->getValue<std::string>("sha256") != sha256) v->Fail("check named another object");
    if (named != expected) v->Fail("check named other restore points: " + r.out.substr(0, 300));
    v->Note("check --read-all: " + entry->getValue<std::string>("problem") + ", needed by " +
            std::to_string(named.size()) + " restore point(s), exit 3");
  } catch (const Poco::Exception& e) {
    v->Fail("check --read-all --json: " + e.displayText() + ": " + r.out.substr(0, 200));
  }
}

void BitRot(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "repository-bit-rot"));
  const std::string repo_dir = p.data + "/backups";
  PointList points;
  DRILL_ASSIGN(std::string first, Snapshot(ctx, p.data));
  points.emplace_back(first, g.fp);
  DRILL_ASSIGN(fixture::Fingerprint changed, ChangeRound(p.server->port(), g.fp, 1));
  DRILL_ASSIGN(std::string second, Snapshot(ctx, p.data));
  points.emplace_back(second, changed);
  DRILL_ASSIGN(auto object, SomeStoredUpload(repo_dir, IdsOf(points)));
  const auto& [file, sha256, offset] = object;
  DRILL_CHECK(FlipBit(file, offset));
  const std::vector<std::string> affected = PointsNaming(repo_dir, sha256, IdsOf(points));
  v->Note("flipped a bit at " + std::to_string(offset) + " of " +
          fs::path(file).filename().string() + ", inside the stored upload " +
          sha256.substr(0, 12));
  ExpectDamageFound(ctx, p.data, sha256, affected, v);
  // The next snapshot copies it again from the intact live upload.
  DRILL_ASSIGN(std::string third, Snapshot(ctx, p.data));
  points.emplace_back(third, changed);
  ExpectHealthy(ctx, p.data, {}, IdsOf(points), "after the repairing snapshot", v);
  if (v->result == "fail") return;
  RestoreEachPoint(ctx, g, path, p, points, {}, v);
}

}  // namespace

std::vector<Scenario> RepositoryFaultScenarios() {
  return {
      {15,
       "kill-during-repository",
       "kill -9 at each crash point of a snapshot and of a prune",
       {"cli", "http"},
       KillDuringRepository},
      {16,
       "repository-disk-full",
       "disk full during a snapshot and during a prune",
       {"cli"},
       DiskFullRepository},
      {17, "bit-rot", "a flipped bit in a stored upload: found, named, repaired", {"cli"}, BitRot},
  };
}

}  // namespace arkwiki::drill
