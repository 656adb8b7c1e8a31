// Types shared by ZipWriter and ZipReader, and the archive layout they agree on.
//
// WHY OUR OWN ZIP CODE: Poco 1.11's Zip is unsafe for reading hostile archives
// (Decompress follows "../" only as an event, writes symlinks as files, has no
// size, count or ratio caps, reports success on a cut-off central directory,
// trusts local-header names over the central directory, ignores encryption and
// CRC errors) and cannot stream ZIP64 correctly (seekable output breaks every
// entry of 4 GiB or more — Poco issue #2590 — and it cannot read back its own
// streamed 4.5 GiB entry). See
// docs/design-notes.md#poco-compress-breaks-zip64-entries-in-seekable-mode. So arkwiki writes and
// reads ZIP itself, with zlib, libdeflate and OpenSSL SHA-256.
//
// LAYOUT WRITTEN (and, strictly, the only layout ZipReader accepts):
//
//   offset 0: [local header][name][zip64 extra?][data][data descriptor]  entry 1
//             ... entries back to back, no gaps, no prepended bytes ...
//             [central directory: one record per entry, same order]
//             [ZIP64 end of central directory record]   only when needed
//             [ZIP64 end of central directory locator]  only when needed
//             [end of central directory record][comment, normally empty]
//
// - Every local header has flag bit 3 (sizes and CRC follow the data in a
//   data descriptor, so the writer never seeks) and bit 11 (names are UTF-8).
// - Methods: 0 (store) and 8 (raw deflate). No encryption, no directories, no
//   links: made-by OS is Unix and the external attributes are 0100644 << 16.
// - An entry of 0xFFFFFFFF bytes or more carries a ZIP64 extra field (sizes
//   0xFFFFFFFF in its local header) and a 24-byte ZIP64 data descriptor.
//   Central records carry a ZIP64 extra for every size or offset that does
//   not fit in 32 bits. ZIP64 end records appear when there are 65535 entries
//   or more, or the central directory's size or offset overflows 32 bits.
// - Every central record ends with arkwiki's own extra field (tag 0x6B61,
//   "ak"): the CRC-32 of the entry's data as stored, so that even a change
//   to the deflate stream that leaves the output the same is detectable.
//   Other tools skip it.
// - Timestamps are a fixed DOS date/time (UTC) from EntryOptions, so the same
//   input gives byte-identical archives.
// - zip_canonical.h encodes all of the above; a reader in
//   canonical mode (ZipLimits::require_canonical, used for backups) demands
//   exactly those bytes.
#pragma once

#include <cstdint>

namespace arkwiki {

// Compression method numbers as stored in the archive.
inline constexpr uint16_t kZipMethodStore = 0;
inline constexpr uint16_t kZipMethodDeflate = 8;

// General-purpose flag bits.
inline constexpr uint16_t kZipFlagEncrypted = 1u << 0;
inline constexpr uint16_t kZipFlagDataDescriptor = 1u << 3;
inline constexpr uint16_t kZipFlagStrongEncryption = 1u << 6;
inline constexpr uint16_t kZipFlagUtf8 = 1u << 11;

// "Version made by" high byte for Unix; external attributes then hold
// st_mode in their upper 16 bits.
inline constexpr uint8_t kZipMadeByUnix = 3;

}  // namespace arkwiki
