// FirstRunSetup: lets the first admin of a wiki that has no users restore it
// from an off-site copy in the browser (/setup, handlers_setup.h), and
// nobody else. Private to the web layer.
//
// A fresh server may be reachable by anyone before its admin gets to it;
// whoever restored a backup of their own onto it would own the wiki. So
// /setup needs the one-time setup code that `arkwiki serve` makes while the
// wiki has no users: 128 random bits as 32 hex digits, printed on the
// server's console and kept in DATA/setup-code (mode 0600, outside live/,
// so no backup or restore ever holds it). Whoever can read either (the
// console may be a journal that more people read) can restore onto the
// server until it has a user. The code ends, and its file is removed, once the wiki
// has a user: after a restore through /setup, or when a request to /setup
// finds one (`arkwiki user add` removes the file itself).
//
// Between listing a target's restore points and restoring one, the opened
// target and its unlocked key stay here, in memory, under a random
// connection id that the form carries: the passphrase and the S3 secret are
// typed once and never sent back in a page, logged or stored. One
// connection at a time (a new one replaces it); it ends after
// kConnectionSeconds, and with the code.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "arkwiki/backup/offsite.h"
#include "arkwiki/backup/offsite_targets.h"

namespace arkwiki::web {

class FirstRunSetup {
 public:
  static constexpr int64_t kConnectionSeconds = int64_t{30} * 60;

  // `code_path`: DataDirLayout::setup_code.
  explicit FirstRunSetup(std::string code_path) : code_path_(std::move(code_path)) {}

  // Makes a new code and writes it to the code file (mode 0600, replacing
  // any file there, durably); returns it. The code is active only once the
  // file is written.
  Result<std::string> Begin();
  // True while a code is active and `typed` is that code (compared in
  // constant time; surrounding spaces ignored).
  bool CodeMatches(const std::string& typed);
  bool active();
  // Forgets the code and the connection and removes the code file (OK when
  // it is already gone).
  Status End();

  // A target opened and unlocked with the passphrase, and its restore
  // points, newest first.
  struct Connection {
    std::string id;
    std::shared_ptr<OffsiteTarget> target;
    std::shared_ptr<OffsiteKey> key;
    std::vector<OffsitePoint> points;
  };
  // Opens `spec` for reading, unlocks its key with `passphrase` and lists
  // its restore points, then keeps that as the connection. Fails as the
  // target does: PermissionDenied for a wrong passphrase or refused
  // credentials, NotFound for a target holding no off-site copy,
  // Corruption for a record that does not decrypt and check; NotFound too
  // when the target holds no restore point. Needs no lock: it reads only.
  // Each record read goes to an unnamed scratch file in `scratch_dir`.
  Result<std::shared_ptr<const Connection>> Connect(Env* env, const std::string& scratch_dir,
                                                    const OffsiteTargetSpec& spec,
                                                    const std::string& passphrase, int64_t now);
  // The connection `id` names, if it is the current one and younger than
  // kConnectionSeconds; nullptr otherwise.
  std::shared_ptr<const Connection> Find(const std::string& id, int64_t now);

 private:
  std::mutex mu_;
  const std::string code_path_;
  std::string code_;  // "" while no code is active
  std::shared_ptr<const Connection> connection_;
  int64_t connected_at_ = 0;
};

}  // namespace arkwiki::web
