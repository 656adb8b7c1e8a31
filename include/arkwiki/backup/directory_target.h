// A directory as an off-site target, for example a mounted NAS or USB disk.
//
// The object with key "objects/ab/<name>" is the file DIR/objects/ab/<name>.
// Put, in order:
//   1. writes the bytes to DIR/.incoming/<random>.part;
//   2. fsyncs it and closes it;
//   3. creates the key's directories and renames the file over DIR/<key>;
//   4. fsyncs the key's directory.
// A crash before 3 leaves only a file in .incoming/, which List never
// shows and an opening for writing removes once it is a day old (a
// younger one may be another writer's Put in progress); after 3 the
// object is whole. A failed Put removes its temporary file, so
// a full disk (kNoSpace, naming the directory) leaves nothing behind.
//
// Keys are relative paths of letters, digits and "._-" in components
// separated by "/"; anything else (such as "..") is InvalidArgument, and
// List shows no other names. Get reads only a regular file: a link, a FIFO
// or a device under a key is Corruption, refused before it is opened; Put
// refuses (Corruption) to write through a link in place of .incoming or of
// one of the key's directories. All I/O goes through the Env, so tests
// inject ENOSPC and EIO.
#pragma once

#include <memory>
#include <string>

#include "arkwiki/backup/offsite_target.h"
#include "arkwiki/core/env.h"

namespace arkwiki {

// Opens the directory `dir` as a target. With `for_writing` it creates the
// directory (and its parents) if needed and removes from .incoming/ what
// crashed Puts left there a day or more ago: a younger file may be another
// writer's Put in progress (another process of this machine, which may not
// hold the target's lock yet, or another machine sharing the disk);
// without it, a missing directory is NotFound.
Result<std::unique_ptr<OffsiteTarget>> OpenDirectoryTarget(Env* env, const std::string& dir,
                                                           bool for_writing);

}  // namespace arkwiki
