// A SQLite VFS for tests that fails the Nth write, sync or truncate, like
// SQLite's own test_vfs.c. Open a database through it with the URI
// "file:<path>?vfs=arkwiki-faulty" (Db::Open accepts file: URIs).
#pragma once

#include <cstdint>

namespace arkwiki {

class FaultVfs {
 public:
  static constexpr char kName[] = "arkwiki-faulty";
  // Registers the VFS (idempotent). Not the default VFS.
  static void Register();
  // Fails operation n (1-based) and every later one with `sqlite_error`
  // (e.g. SQLITE_FULL, SQLITE_IOERR_WRITE); 0 disables and resets the count.
  static void FailAt(uint64_t n, int sqlite_error);
  static uint64_t operations();
};

}  // namespace arkwiki
