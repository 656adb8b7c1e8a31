#include "arkwiki/storage/schema_catalog.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "arkwiki/storage/db.h"
#include "arkwiki/storage/schema.h"

namespace arkwiki {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Characters beside which whitespace never separates two tokens. A line
// break in the output can only end a line comment.
bool IsTight(char c) { return c == '(' || c == ')' || c == ',' || c == '\n'; }

// The length of the quoted string or identifier, or comment, that starts at
// sql[i]; 0 when none starts there. An unterminated one runs to the end.
size_t VerbatimLength(std::string_view sql, size_t i) {
  const char c = sql[i];
  const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
  size_t end = std::string_view::npos;
  if (c == '-' && next == '-') {
    end = sql.find('\n', i);
    end = end == std::string_view::npos ? sql.size() : end + 1;  // with its line break
  } else if (c == '/' && next == '*') {
    end = sql.find("*/", i + 2);
    end = end == std::string_view::npos ? sql.size() : end + 2;
  } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
    const char close = c == '[' ? ']' : c;
    end = i + 1;
    while (end < sql.size()) {
      if (sql[end++] != close) continue;
      if (close == ']' || end >= sql.size() || sql[end] != close) break;
      ++end;  // a doubled quote stands for itself
    }
  } else {
    return 0;
  }
  return end - i;
}

// A name from an untrusted schema, fit for a one-line message.
std::string Printable(std::string_view name) {
  constexpr size_t kMaxShown = 80;
  std::string out;
  for (const char c : name.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  if (name.size() > kMaxShown) out += "...";
  return out;
}

std::string Describe(const SchemaObject& o) { return Printable(o.type) + " " + Printable(o.name); }

bool SameKey(const SchemaObject& a, const SchemaObject& b) {
  return a.type == b.type && a.name == b.name;
}

const SchemaObject* Find(const std::vector<SchemaObject>& objects, const SchemaObject& key) {
  auto it = std::find_if(objects.begin(), objects.end(),
                         [&](const SchemaObject& o) { return SameKey(o, key); });
  return it == objects.end() ? nullptr : &*it;
}

std::string ColumnText(sqlite3_stmt* st, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, column));
  if (text == nullptr) return "";
  return {text, static_cast<size_t>(sqlite3_column_bytes(st, column))};
}

Status SchemaReadError(sqlite3* db, int rc) {
  const std::string message =
      "the database schema cannot be read (" + std::string(sqlite3_errmsg(db)) + ")";
  if ((rc & 0xff) == SQLITE_IOERR || rc == SQLITE_NOMEM || (rc & 0xff) == SQLITE_BUSY) {
    return Status::IoError(message);
  }
  return Status::Corruption(message);
}

}  // namespace

std::string NormalizeSchemaSql(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool space = false;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (IsSpace(c)) {
      space = true;
      ++i;
      continue;
    }
    if (space && !out.empty() && !IsTight(out.back()) && !IsTight(c)) out += ' ';
    space = false;
    const size_t verbatim = VerbatimLength(sql, i);
    const size_t n = verbatim == 0 ? 1 : verbatim;
    out.append(sql.substr(i, n));
    i += n;
  }
  return out;
}

Result<std::vector<SchemaObject>> ReadSchemaObjects(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema", -1,
                              &raw, nullptr);
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(raw, sqlite3_finalize);
  if (rc != SQLITE_OK) return SchemaReadError(db, rc);
  std::vector<SchemaObject> out;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    out.push_back({ColumnText(st.get(), 0), ColumnText(st.get(), 1), ColumnText(st.get(), 2),
                   NormalizeSchemaSql(ColumnText(st.get(), 3))});
  }
  if (rc != SQLITE_DONE) return SchemaReadError(db, rc);
  std::sort(out.begin(), out.end(), [](const SchemaObject& a, const SchemaObject& b) {
    return std::tie(a.type, a.name) < std::tie(b.type, b.name);
  });
  return out;
}

Result<std::shared_ptr<const std::vector<SchemaObject>>> ExpectedSchemaObjects(int version) {
  if (version < 1 || version > kSchemaVersion) {
    return Status::InvalidArgument("no arkwiki schema version " + std::to_string(version));
  }
  static std::mutex mu;
  static std::map<int, std::shared_ptr<const std::vector<SchemaObject>>> cache;
  const std::lock_guard<std::mutex> lock(mu);
  auto& cached = cache[version];
  if (cached) return cached;
  DbOptions options;
  options.wal = false;
  // Without cache=shared every connection to this URI is its own database.
  ARKWIKI_ASSIGN_OR_RETURN(auto db, Db::Open("file:arkwiki-expected-schema?mode=memory", options));
  ARKWIKI_RETURN_IF_ERROR(Migrate(*db, version));
  const std::lock_guard<std::recursive_mutex> db_lock(db->lock());
  ARKWIKI_ASSIGN_OR_RETURN(auto objects, ReadSchemaObjects(db->raw_handle()));
  cached = std::make_shared<const std::vector<SchemaObject>>(std::move(objects));
  return cached;
}

Status CompareSchema(const std::vector<SchemaObject>& actual,
                     const std::vector<SchemaObject>& expected, int version) {
  const std::string ours = "arkwiki schema version " + std::to_string(version);
  for (const SchemaObject& o : actual) {
    if (Find(expected, o) == nullptr) {
      return Status::Corruption("the database schema has an object arkwiki does not create: " +
                                Describe(o));
    }
  }
  for (const SchemaObject& o : actual) {
    if (!(o == *Find(expected, o))) {
      return Status::Corruption("the database schema defines " + Describe(o) +
                                " differently from " + ours);
    }
  }
  for (const SchemaObject& o : expected) {
    if (Find(actual, o) == nullptr) {
      return Status::Corruption("the database schema lacks " + Describe(o) + ", which " + ours +
                                " has");
    }
  }
  if (actual.size() != expected.size()) {  // only a listing twice is left
    return Status::Corruption("the database schema lists an object more than once");
  }
  return Status::Ok();
}

Status CheckSchemaIsExact(sqlite3* db, int version) {
  ARKWIKI_ASSIGN_OR_RETURN(auto expected, ExpectedSchemaObjects(version));
  ARKWIKI_ASSIGN_OR_RETURN(auto actual, ReadSchemaObjects(db));
  return CompareSchema(actual, *expected, version);
}

}  // namespace arkwiki
