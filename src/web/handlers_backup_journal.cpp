#include "handlers_backup_journal.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstdlib>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "json_util.h"
#include "view_format.h"

namespace arkwiki::web::backup_journal {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr int64_t kDefaultLimit = 50;
constexpr int64_t kMaxLimit = 1000;
// The journal keeps two files of about 1 MiB: a few thousand entries.
constexpr int64_t kMaxOffset = 100000;
constexpr size_t kShownEntries = 20;  // on the Settings page

// What an entry was, in the words Settings uses.
std::string WhatText(const JournalEntry& e) {
  if (e.event == "backup") return "backup";
  if (e.event == "download") return "restore point downloaded";
  if (e.event == "import") return "import";
  if (e.event == "undo") return "undo of the last import";
  if (e.event == "restore_point") return "restore point made";
  if (e.event == "forget") return "restore point deleted";
  if (e.event == "prune") return "prune";
  if (e.event == "check") return "check";
  if (e.event == "test_restore") return "test restore";
  if (e.event == "offsite_copy") return "off-site copy";
  return e.event;
}

Object::Ptr EntryJson(const JournalEntry& e) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("time", FormatIsoUtc(e.time));
  o->set("time_unix", e.time);
  o->set("event", e.event);
  o->set("outcome", e.outcome);
  o->set("actor", e.actor);
  o->set("subject", e.subject);
  o->set("bytes", static_cast<Poco::UInt64>(e.bytes));
  o->set("duration_ms", static_cast<Poco::UInt64>(e.duration_ms));
  o->set("message", e.message);
  return o;
}

int64_t QueryNumber(const Exchange& ex, const char* name, int64_t fallback, int64_t lo,
                    int64_t hi) {
  const std::string text = ex.Query(name);
  if (text.empty()) return fallback;
  return std::clamp<int64_t>(std::atoll(text.c_str()), lo, hi);
}

}  // namespace

void List(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const int64_t limit = QueryNumber(ex, "limit", kDefaultLimit, 1, kMaxLimit);
  const int64_t offset = QueryNumber(ex, "offset", 0, 0, kMaxOffset);
  // One more than asked says whether there are more.
  auto read = backup.ReadJournal(static_cast<size_t>(offset), static_cast<size_t>(limit) + 1);
  if (!read.ok()) return pages.SendError(ex, read.status());
  const bool more = read->entries.size() > static_cast<size_t>(limit);
  if (more) read->entries.pop_back();
  Array::Ptr list = new Array;
  for (const JournalEntry& e : read->entries) list->add(EntryJson(e));
  Object::Ptr body = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  body->set("entries", list);
  body->set("offset", offset);
  body->set("limit", limit);
  body->set("more", more);
  body->set("skipped_lines", static_cast<Poco::UInt64>(read->skipped_lines));
  SendJson(ex, 200, body);
}

void SetView(BackupService& backup, TemplateValue* data) {
  TemplateValue rows = TemplateValue::List{};
  auto read = backup.ReadJournal(0, kShownEntries);
  if (!read.ok()) {
    LogWarning("cannot read the backup journal: " + read.status().ToString());
    data->Set("journal_error",
              "The backup journal cannot be read: " + AsSentence(read.status().message()));
  } else {
    for (const JournalEntry& e : read->entries) {
      const bool failed = e.outcome == "failed";
      rows.Append(TemplateValue::MakeMap(
          {{"date", DateValue(e.time)},
           {"event", e.event},
           {"what", WhatText(e)},
           {"failed", failed},
           {"outcome", e.outcome == "skipped" ? e.outcome : std::string(failed ? "failed" : "ok")},
           {"actor", e.actor},
           {"subject", e.subject},
           {"message", e.message}}));
    }
  }
  SetList(data, "journal", std::move(rows));
}

}  // namespace arkwiki::web::backup_journal
