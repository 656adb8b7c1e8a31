// PageStore::Search: full-text search with bounded cost.
//
// FTS5's snippet() compares every match in a text with every other, so its
// cost grows with the square of the matches in one page (a page of one word
// repeated 40,000 times took seconds per query), and one call cannot be
// interrupted. Snippets are therefore made from a bounded window of each hit
// (kSnippetSourceBytes, starting near the first match) copied into a small
// temporary FTS5 table; the ranking query runs on the page index itself.
#include <algorithm>
#include <string_view>

#include "arkwiki/core/utf8.h"
#include "arkwiki/storage/page_store.h"

namespace arkwiki {
namespace {

// Text a snippet is chosen from: at most ~800 repeated words, so snippet()
// costs well under a millisecond whatever the page holds.
constexpr size_t kSnippetSourceBytes = 4096;
// Context kept before the first match inside the window.
constexpr size_t kSnippetLeadBytes = 256;
// Characters of a page's text scanned for the first match.
constexpr int64_t kSnippetScanChars = 262144;
constexpr size_t kFallbackSnippetWords = 16;

bool IsSeparator(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f || c == '"';
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Adds `word` unless a kept term already implies it. Terms are ANDed prefix
// queries, so a term that is a prefix of another matches every page the
// longer one matches: only the longer one is kept.
void AddTerm(std::string word, SearchResult* out) {
  if (word.size() > kMaxSearchTermBytes) {
    size_t cut = kMaxSearchTermBytes;
    while (cut > 0 && IsContinuation(word[cut])) --cut;
    word.resize(cut);
  }
  word = AsciiLower(word);
  for (std::string& kept : out->terms) {
    if (kept.rfind(word, 0) == 0) return;
    if (word.rfind(kept, 0) == 0) {
      kept = word;
      return;
    }
  }
  if (out->terms.size() < kMaxSearchTerms) {
    out->terms.push_back(std::move(word));
  } else {
    ++out->ignored_terms;
  }
}

void ParseTerms(std::string_view query, SearchResult* out) {
  const std::string text = ToValidUtf8(query);
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSeparator(text[i])) ++i;
    size_t end = i;
    while (end < text.size() && !IsSeparator(text[end])) ++end;
    if (end > i) AddTerm(text.substr(i, end - i), out);
    i = end;
  }
}

// Quoted prefix phrases, so user input is never parsed as FTS5 syntax.
std::string FtsQuery(const std::vector<std::string>& terms, const char* joiner) {
  std::string out;
  for (const std::string& t : terms) {
    if (!out.empty()) out += joiner;
    out += '"' + t + "\"*";
  }
  return out;
}

// The window of `body` a snippet is made from, with control characters
// (which would fake snippet()'s \x01/\x02 match markers) turned into spaces.
std::string SnippetSource(std::string_view body, const std::vector<std::string>& terms) {
  const std::string lower = AsciiLower(body);
  size_t first = std::string::npos;
  for (const std::string& t : terms) first = std::min(first, lower.find(t));
  size_t start =
      first == std::string::npos || first < kSnippetLeadBytes ? 0 : first - kSnippetLeadBytes;
  while (start > 0 && IsContinuation(body[start])) --start;
  size_t end = std::min(body.size(), start + kSnippetSourceBytes);
  while (end > start && end < body.size() && IsContinuation(body[end])) --end;
  std::string out(body.substr(start, end - start));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t' && c != '\r') || u == 0x7f) c = ' ';
  }
  return out;
}

// The first words of `text`, for a page that matched only in its title.
std::string LeadingWords(const std::string& text) {
  std::string out;
  size_t words = 0;
  size_t i = 0;
  while (i < text.size() && words < kFallbackSnippetWords) {
    while (i < text.size() && IsSeparator(text[i])) ++i;
    size_t end = i;
    while (end < text.size() && !IsSeparator(text[end])) ++end;
    if (end == i) break;
    if (!out.empty()) out += ' ';
    out.append(text, i, end - i);
    ++words;
    i = end;
  }
  if (i < text.size()) out += "…";
  return out;
}

Status FillSnippet(Db& db, int64_t page_id, const std::vector<std::string>& terms,
                   std::string* snippet) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows body, db.Query("SELECT substr(body, 1, ?) FROM page_search "
                                                  "WHERE rowid = ?",
                                                  {kSnippetScanChars, page_id}));
  if (body.empty()) return Status::Ok();
  const std::string source = SnippetSource(body[0].Text(0), terms);
  ARKWIKI_RETURN_IF_ERROR(
      db.Exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_snippet USING "
              "fts5(body, tokenize='unicode61')"));
  ARKWIKI_RETURN_IF_ERROR(db.Exec("DELETE FROM temp.search_snippet"));
  ARKWIKI_RETURN_IF_ERROR(
      db.Exec("INSERT INTO temp.search_snippet(rowid, body) VALUES(1, ?)", {source}));
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           db.Query("SELECT snippet(search_snippet, 0, char(1), char(2), '…', 16) "
                                    "FROM temp.search_snippet WHERE search_snippet MATCH ?",
                                    {FtsQuery(terms, " OR ")}));
  *snippet = rows.empty() ? LeadingWords(source) : rows[0].Text(0);
  return Status::Ok();
}

Status RunSearch(Db& db, const SearchRequest& request, SearchResult* out) {
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows,
      db.Query(std::string("SELECT p.id, p.slug, p.title FROM page_search s JOIN pages p "
                           "ON p.id = s.rowid WHERE page_search MATCH ? AND "
                           "p.deleted_at IS NULL") +
                   (request.include_private ? "" : " AND p.visibility = 'public'") +
                   " ORDER BY bm25(page_search, 5.0, 1.0) LIMIT ?",
               {FtsQuery(out->terms, " "), request.limit}));
  for (const SqlRow& r : rows) out->hits.push_back({r.Text(1), r.Text(2), ""});
  for (size_t i = 0; i < rows.size(); ++i) {
    ARKWIKI_RETURN_IF_ERROR(FillSnippet(db, rows[i].Int(0), out->terms, &out->hits[i].snippet));
  }
  return Status::Ok();
}

}  // namespace

Result<SearchResult> PageStore::Search(const SearchRequest& request) {
  SearchResult result;
  ParseTerms(request.query, &result);
  if (result.terms.empty()) return result;
  if (reads_ == nullptr) {
    ARKWIKI_RETURN_IF_ERROR(RunSearch(*db_, request, &result));
    return result;
  }
  ARKWIKI_ASSIGN_OR_RETURN(ReadPool::Lease lease, reads_->Acquire(request.budget));
  const Status s = RunSearch(lease.db(), request, &result);
  result.stop = lease.stop();
  result.truncated = result.stop != QueryStop::kNone;
  // A query stopped by its budget fails with SQLITE_INTERRUPT; that is the
  // truncation reported above, not an error.
  if (!s.ok() && !result.truncated) return s;
  return result;
}

Result<std::vector<SearchHit>> PageStore::Search(const std::string& query, bool include_private,
                                                 int64_t limit) {
  SearchRequest request;
  request.query = query;
  request.include_private = include_private;
  request.limit = limit;
  ARKWIKI_ASSIGN_OR_RETURN(SearchResult result, Search(request));
  return std::move(result.hits);
}

}  // namespace arkwiki
