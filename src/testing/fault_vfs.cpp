#include "arkwiki/testing/fault_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace arkwiki {
namespace {

std::atomic<uint64_t> g_operations{0};
std::atomic<uint64_t> g_fail_at{0};
std::atomic<int> g_error{SQLITE_FULL};
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

struct FaultyFile {
  sqlite3_file base;  // must be first: SQLite casts between the two
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultyFile*>(f)->real; }
sqlite3_vfs* Target() { return static_cast<sqlite3_vfs*>(g_vfs.pAppData); }

int Tick() {
  uint64_t n = ++g_operations;
  uint64_t at = g_fail_at;
  return at != 0 && n >= at ? g_error.load() : SQLITE_OK;
}

int Close(sqlite3_file* f) {
  int rc = Real(f)->pMethods ? Real(f)->pMethods->xClose(Real(f)) : SQLITE_OK;
  sqlite3_free(Real(f));
  return rc;
}
int Read(sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
  return Real(f)->pMethods->xRead(Real(f), b, n, o);
}
int Write(sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
  if (int rc = Tick()) return rc;
  return Real(f)->pMethods->xWrite(Real(f), b, n, o);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = Tick()) return rc;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (int rc = Tick()) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* s) { return Real(f)->pMethods->xFileSize(Real(f), s); }
int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int CheckReserved(sqlite3_file* f, int* r) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), r);
}
int FileControl(sqlite3_file* f, int op, void* a) {
  return Real(f)->pMethods->xFileControl(Real(f), op, a);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int i, int sz, int e, void volatile** p) {
  return Real(f)->pMethods->xShmMap(Real(f), i, sz, e, p);
}
int ShmLock(sqlite3_file* f, int o, int n, int fl) {
  return Real(f)->pMethods->xShmLock(Real(f), o, n, fl);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int d) { return Real(f)->pMethods->xShmUnmap(Real(f), d); }

int Open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  auto* file = reinterpret_cast<FaultyFile*>(f);
  file->base.pMethods = nullptr;
  file->real = static_cast<sqlite3_file*>(sqlite3_malloc(Target()->szOsFile));
  if (file->real == nullptr) return SQLITE_NOMEM;
  std::memset(file->real, 0, static_cast<size_t>(Target()->szOsFile));
  int rc = Target()->xOpen(Target(), name, file->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    sqlite3_free(file->real);
    return rc;
  }
  file->base.pMethods = &g_methods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (int rc = Tick()) return rc;
  return Target()->xDelete(Target(), name, sync_dir);
}

void Build() {
  sqlite3_vfs* target = sqlite3_vfs_find(nullptr);
  g_vfs = *target;
  g_vfs.zName = FaultVfs::kName;
  g_vfs.szOsFile = static_cast<int>(sizeof(FaultyFile));
  g_vfs.pAppData = target;
  g_vfs.xOpen = Open;
  g_vfs.xDelete = Delete;
  g_methods = sqlite3_io_methods{2,
                                 Close,
                                 Read,
                                 Write,
                                 Truncate,
                                 Sync,
                                 FileSize,
                                 Lock,
                                 Unlock,
                                 CheckReserved,
                                 FileControl,
                                 SectorSize,
                                 DeviceCharacteristics,
                                 ShmMap,
                                 ShmLock,
                                 ShmBarrier,
                                 ShmUnmap,
                                 nullptr,
                                 nullptr};
}

}  // namespace

void FaultVfs::Register() {
  static std::once_flag once;
  std::call_once(once, [] {
    Build();
    sqlite3_vfs_register(&g_vfs, 0);
  });
}

void FaultVfs::FailAt(uint64_t n, int sqlite_error) {
  g_operations = 0;
  g_error = sqlite_error;
  g_fail_at = n;
}

uint64_t FaultVfs::operations() { return g_operations; }

}  // namespace arkwiki
