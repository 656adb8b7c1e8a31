#include "arkwiki/storage/password_hash.h"

#include <sodium.h>
#include <sqlite3.h>

#include <charconv>
#include <cstdint>

namespace arkwiki {
namespace {

constexpr std::string_view kAlgorithm = "$argon2id$v=19$";
constexpr uint64_t kMemoryKiB = crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024;
constexpr uint64_t kPasses = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr uint64_t kLanes = 1;

// Reads "<key>=<digits>" from the front of `text` and the separator after it.
bool ReadParameter(std::string_view* text, char key, char separator, uint64_t* value) {
  if (text->size() < 3 || (*text)[0] != key || (*text)[1] != '=') return false;
  const char* begin = text->data() + 2;
  const char* end = text->data() + text->size();
  auto [next, error] = std::from_chars(begin, end, *value);
  if (error != std::errc() || next == begin || next == end || *next != separator) return false;
  if (*begin == '0') return false;  // no leading zeros, as libsodium writes them
  text->remove_prefix(static_cast<size_t>(next + 1 - text->data()));
  return true;
}

// libsodium refuses a malformed salt or digest before it allocates, so
// their shape is only bounded here; arkwiki's own fixtures store
// deliberately unusable ones ("$fixture-no-login$").
bool IsSaltOrDigestChar(char c) { return c > ' ' && c < 0x7f; }

Status Refuse(const std::string& rule) { return Status::InvalidArgument("password hash " + rule); }

}  // namespace

Status CheckPasswordHash(std::string_view hash) {
  if (hash.size() >= crypto_pwhash_STRBYTES) return Refuse("is longer than arkwiki writes");
  if (hash.substr(0, kAlgorithm.size()) != kAlgorithm) {
    return Refuse("is not argon2id (v=19), the only algorithm arkwiki writes");
  }
  std::string_view rest = hash.substr(kAlgorithm.size());
  uint64_t memory = 0;
  uint64_t passes = 0;
  uint64_t lanes = 0;
  if (!ReadParameter(&rest, 'm', ',', &memory) || !ReadParameter(&rest, 't', ',', &passes) ||
      !ReadParameter(&rest, 'p', '$', &lanes)) {
    return Refuse("has malformed cost parameters");
  }
  if (memory != kMemoryKiB) {
    return Refuse("uses costs arkwiki never writes (m=" + std::to_string(memory) + " KiB)");
  }
  if (passes != kPasses) {
    return Refuse("uses costs arkwiki never writes (t=" + std::to_string(passes) + ")");
  }
  if (lanes != kLanes) {
    return Refuse("uses costs arkwiki never writes (p=" + std::to_string(lanes) + ")");
  }
  int dollars = 0;
  for (char c : rest) {
    if (c == '$') {
      ++dollars;
    } else if (!IsSaltOrDigestChar(c)) {
      return Refuse("has a malformed salt or digest");
    }
  }
  if (dollars != 1) return Refuse("has a malformed salt or digest");
  return Status::Ok();
}

Result<std::vector<std::string>> UsersNeedingPasswordReset(Db& db) {
  std::vector<std::string> names;
  ARKWIKI_RETURN_IF_ERROR(db.ForEachRow(
      "SELECT name, password_hash FROM users ORDER BY name", [&](sqlite3_stmt* st) -> Status {
        const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        const auto* hash = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
        if (!CheckPasswordHash(hash != nullptr ? hash : "").ok()) {
          names.emplace_back(name != nullptr ? name : "");
        }
        return Status::Ok();
      }));
  return names;
}

}  // namespace arkwiki
