// Multipart upload with resume (s3_target.h, steps 2-5): the upload of an
// object larger than one part, with up to parallel_parts parts in flight,
// each read from the source twice in 1 MiB blocks (hashed, then sent)
// rather than held, resumed from the UploadStateStore
// record when a previous Put of the same key and size did not finish.
#pragma once

#include <string>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "offsite/s3_client.h"
#include "offsite/upload_state.h"

namespace arkwiki::s3 {

// Stores source's bytes under `key` (the full key). On failure the record
// stays, so the next call resumes; after success it is removed.
Status MultipartPut(Client* client, UploadStateStore* states, const std::string& key,
                    const RandomAccessFile& source);

// Reads exactly `n` bytes at `offset` (a short read is corruption: the
// source shrank).
Status ReadFully(const RandomAccessFile& source, uint64_t offset, char* buf, size_t n);

// Makes `call` send source's bytes (Call::body_file, which must outlive
// the call) with their SHA-256, and their MD5 as Content-MD5 and as
// Call::body_md5, all from one reading of the source in 1 MiB blocks.
Status SetBodyFromFile(const RandomAccessFile& source, Call* call);

}  // namespace arkwiki::s3
