#include "support/zip_crafter.h"

#include <sys/wait.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "arkwiki/core/env.h"

namespace arkwiki::testing {
namespace {

void P16(std::string* o, uint64_t v) {
  o->push_back(static_cast<char>(v));
  o->push_back(static_cast<char>(v >> 8));
}
void P32(std::string* o, uint64_t v) {
  P16(o, v & 0xFFFF);
  P16(o, (v >> 16) & 0xFFFF);
}
void P64(std::string* o, uint64_t v) {
  P32(o, v & 0xFFFFFFFF);
  P32(o, v >> 32);
}

[[noreturn]] void Die(const std::string& why) {
  std::cerr << "zip_crafter: " << why << std::endl;
  std::abort();
}

struct Resolved {
  std::string payload;
  uint32_t crc;
  uint64_t csize, usize;
};

Resolved Resolve(const CraftEntry& e) {
  Resolved r;
  r.payload = e.raw ? *e.raw : (e.method == 8 ? RawDeflate(e.data) : e.data);
  r.crc = e.crc.value_or(Crc32(e.data));
  r.csize = e.declared_compressed.value_or(r.payload.size());
  r.usize = e.declared_uncompressed.value_or(e.data.size());
  return r;
}

uint16_t Flags(const CraftEntry& e) {
  return static_cast<uint16_t>(e.flags | (e.data_descriptor ? 0x0008 : 0));
}

std::string LocalHeader(const CraftEntry& e, const Resolved& r) {
  const std::string& name = e.local_name ? *e.local_name : e.name;
  const bool dd = e.data_descriptor;
  std::string h;
  P32(&h, 0x04034b50);
  P16(&h, e.zip64 ? 45 : 20);
  P16(&h, e.local_flags.value_or(Flags(e)));
  P16(&h, e.local_method.value_or(e.method));
  P16(&h, 0);
  P16(&h, 0x21);  // 1980-01-01
  P32(&h, dd ? 0 : r.crc);
  P32(&h, e.zip64 ? 0xFFFFFFFF : (dd ? 0 : r.csize));
  P32(&h, e.zip64 ? 0xFFFFFFFF : (dd ? 0 : r.usize));
  P16(&h, name.size());
  P16(&h, e.zip64 ? 20 : 0);
  h += name;
  if (e.zip64) {
    P16(&h, 1);
    P16(&h, 16);
    P64(&h, dd ? 0 : r.usize);
    P64(&h, dd ? 0 : r.csize);
  }
  return h;
}

std::string Descriptor(const CraftEntry& e, const Resolved& r) {
  std::string d;
  if (e.descriptor_signature) P32(&d, 0x08074b50);
  P32(&d, e.descriptor_crc.value_or(r.crc));
  if (e.zip64) {
    P64(&d, r.csize);
    P64(&d, r.usize);
  } else {
    P32(&d, r.csize);
    P32(&d, r.usize);
  }
  return d;
}

std::string CentralRecord(const CraftEntry& e, const Resolved& r, uint64_t offset) {
  std::string extra;
  if (e.zip64) {
    P16(&extra, 1);
    P16(&extra, 24);
    P64(&extra, r.usize);
    P64(&extra, r.csize);
    P64(&extra, offset);
  }
  std::string c;
  P32(&c, 0x02014b50);
  P16(&c, (uint16_t{e.made_by_os} << 8) | 45);
  P16(&c, e.zip64 ? 45 : 20);
  P16(&c, Flags(e));
  P16(&c, e.method);
  P16(&c, 0);
  P16(&c, 0x21);
  P32(&c, r.crc);
  P32(&c, e.zip64 ? 0xFFFFFFFF : r.csize);
  P32(&c, e.zip64 ? 0xFFFFFFFF : r.usize);
  P16(&c, e.name.size());
  P16(&c, extra.size());
  P16(&c, 0);
  P16(&c, 0);
  P16(&c, 0);
  P32(&c, e.external_attrs);
  P32(&c, e.zip64 ? 0xFFFFFFFF : offset);
  c += e.name;
  c += extra;
  return c;
}

void EndRecords(const CraftOptions& o, uint64_t count, uint64_t cd_off, uint64_t cd_size,
                CraftedZip* z) {
  std::string& b = z->bytes;
  const uint64_t n = o.declared_entry_count.value_or(count);
  const uint64_t off = o.declared_cd_offset.value_or(cd_off);
  const uint64_t size = o.declared_cd_size.value_or(cd_size);
  if (o.zip64_end) {
    uint64_t rec = b.size();
    P32(&b, 0x06064b50);
    P64(&b, 44);
    P16(&b, 0x032D);
    P16(&b, 45);
    P32(&b, 0);
    P32(&b, 0);
    P64(&b, n);
    P64(&b, n);
    P64(&b, size);
    P64(&b, off);
    P32(&b, 0x07064b50);
    P32(&b, 0);
    P64(&b, o.offsets_include_prefix ? rec : rec - o.prefix.size());
    P32(&b, 1);
  }
  const bool sat = o.zip64_end && o.saturate_eocd;
  z->eocd_offset = b.size();
  P32(&b, 0x06054b50);
  P16(&b, 0);
  P16(&b, 0);
  P16(&b, sat ? 0xFFFF : n & 0xFFFF);
  P16(&b, sat ? 0xFFFF : n & 0xFFFF);
  P32(&b, sat ? 0xFFFFFFFF : size & 0xFFFFFFFF);
  P32(&b, sat ? 0xFFFFFFFF : off & 0xFFFFFFFF);
  P16(&b, o.declared_comment_length.value_or(o.comment.size()));
  b += o.comment;
  b += o.suffix;
}

}  // namespace

CraftedZip CraftZip(const std::vector<CraftEntry>& entries, const CraftOptions& options) {
  CraftedZip z;
  z.bytes = options.prefix;
  const uint64_t bias = options.offsets_include_prefix ? 0 : options.prefix.size();
  std::string central;
  for (const CraftEntry& e : entries) {
    Resolved r = Resolve(e);
    const uint64_t offset = z.bytes.size();
    z.local_offsets.push_back(offset);
    z.bytes += LocalHeader(e, r);
    z.bytes += r.payload;
    if (e.data_descriptor) z.bytes += Descriptor(e, r);
    central += CentralRecord(e, r, e.local_offset.value_or(offset - bias));
  }
  z.cd_offset = z.bytes.size();
  z.cd_size = central.size();
  z.bytes += central;
  EndRecords(options, entries.size(), z.cd_offset - bias, z.cd_size, &z);
  return z;
}

std::string RawDeflate(std::string_view data, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) Die("deflateInit2");
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) Die("deflate");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string DeflatedZeros(uint64_t n) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) Die("deflateInit2");
  std::string zeros(1 << 20, '\0'), out, buf(1 << 16, '\0');
  for (uint64_t left = n;;) {
    const size_t take = static_cast<size_t>(std::min<uint64_t>(left, zeros.size()));
    left -= take;
    zs.next_in = reinterpret_cast<Bytef*>(zeros.data());
    zs.avail_in = static_cast<uInt>(take);
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    int rc;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf.data());
      zs.avail_out = static_cast<uInt>(buf.size());
      rc = deflate(&zs, flush);
      out.append(buf.data(), buf.size() - zs.avail_out);
    } while (zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    if (left == 0) break;
  }
  deflateEnd(&zs);
  return out;
}

uint32_t Crc32(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

void WriteFileOrDie(const std::string& path, std::string_view bytes) {
  auto file = Env::Default()->NewWritableFile(path, CreateMode::kTruncate);
  if (!file.ok()) Die(file.status().ToString());
  Status s = (*file)->Append(bytes);
  if (s.ok()) s = (*file)->Close();
  if (!s.ok()) Die(s.ToString());
}

std::string ReadFileOrDie(const std::string& path) {
  auto data = ReadFileToString(Env::Default(), path, uint64_t{1} << 32);
  if (!data.ok()) Die(data.status().ToString());
  return *data;
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
    if (output != nullptr) output->append(buf, n);
  }
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace arkwiki::testing
