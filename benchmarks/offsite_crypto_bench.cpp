// Encryption and decryption of off-site objects on one core: the
// XChaCha20-Poly1305 secretstream in 1 MiB chunks (offsite_crypto.h), from
// memory to a sink that drops the bytes, so only the cipher is measured.
// bytes_per_second counts plaintext bytes per second of the thread's CPU
// time (one core, whatever else the machine runs); the wall-clock time is
// shown beside it. The target is >= 1 GB/s. No peak RSS here: the 64 MiB
// input is held in memory on purpose, and the sinks themselves hold two
// 1 MiB chunk buffers whatever the object size.
#include <sodium.h>

#include <string>

#include "arkwiki/backup/offsite_crypto.h"
#include "bench_report.h"

namespace arkwiki::bench {
namespace {

class DropSink : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    bytes_ += data.size();
    return Status::Ok();
  }
  uint64_t bytes_ = 0;
};

constexpr size_t kObjectBytes = size_t{64} << 20;

std::unique_ptr<OffsiteKey> BenchKey() {
  auto key = OffsiteKey::Create("benchmark passphrase", KdfParams::ForTests());
  CheckOk(key.status(), "OffsiteKey::Create");
  return std::move(key).value();
}

std::string RandomObject() {
  std::string data(kObjectBytes, '\0');
  randombytes_buf(data.data(), data.size());
  return data;
}

// Feeds `data` in 1 MiB writes, as the copy engine reads files.
Status Feed(ByteSink* sink, const std::string& data) {
  for (size_t at = 0; at < data.size(); at += kChunkBytes) {
    ARKWIKI_RETURN_IF_ERROR(sink->Write(std::string_view(data).substr(at, kChunkBytes)));
  }
  return Status::Ok();
}

void Report(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<int64_t>(kObjectBytes) *
                          static_cast<int64_t>(state.iterations()));
  state.counters["object_MiB"] = static_cast<double>(kObjectBytes >> 20);
}

void Encrypt(benchmark::State& state) {
  auto key = BenchKey();
  const std::string data = RandomObject();
  for (auto _ : state) {
    DropSink out;
    EncryptingSink sink(*key, "objects/ab/bench", &out);
    CheckOk(Feed(&sink, data), "encrypt");
    CheckOk(sink.Finish(), "encrypt finish");
  }
  Report(state);
}

void Decrypt(benchmark::State& state) {
  auto key = BenchKey();
  auto sealed = EncryptBytes(*key, "objects/ab/bench", RandomObject());
  CheckOk(sealed.status(), "encrypt");
  for (auto _ : state) {
    DropSink out;
    DecryptingSink sink(*key, "objects/ab/bench", &out);
    CheckOk(Feed(&sink, *sealed), "decrypt");
    CheckOk(sink.Finish(), "decrypt finish");
  }
  Report(state);
}

void Register() {
  for (auto [name, fn] :
       {std::pair{"OffsiteEncrypt", &Encrypt}, std::pair{"OffsiteDecrypt", &Decrypt}}) {
    benchmark::RegisterBenchmark(name, fn)->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace arkwiki::bench

ARKWIKI_BENCH_MAIN(arkwiki::bench::Register)
