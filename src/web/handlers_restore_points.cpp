#include "handlers_restore_points.h"

#include <Poco/JSON/Array.h>

#include <algorithm>

#include "arkwiki/core/clock.h"
#include "handlers_restore_api.h"
#include "json_util.h"
#include "reauthentication.h"
#include "restore_view.h"
#include "view_format.h"

namespace arkwiki::web::restore_points {
namespace {

using Poco::JSON::Object;

constexpr size_t kMaxLabelBytes = 200;
constexpr char kBackupPage[] = "/settings/backup";
// What deleting a restore point confirms (reauthentication.h).
constexpr char kDeletePointAction[] = "Deleting a restore point";

Object::Ptr CheckJson(const CheckStatus& check) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("state", std::string(CheckStateName(check.state)));
  if (check.checked_at > 0) {
    o->set("checked_at", FormatIsoUtc(check.checked_at));
  } else {
    o->set("checked_at", Poco::Dynamic::Var());
  }
  o->set("message", check.message);
  return o;
}

Object::Ptr PointJson(const SnapshotInfo& p) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", p.id);
  o->set("created", FormatIsoUtc(p.created));
  o->set("created_unix", p.created);
  o->set("trigger", std::string(SnapshotTriggerName(p.trigger)));
  o->set("made_by", p.made_by);
  o->set("label", p.label);
  o->set("total_bytes", static_cast<Poco::UInt64>(p.total_bytes));
  o->set("new_bytes", static_cast<Poco::UInt64>(p.new_bytes));
  o->set("file_count", static_cast<Poco::UInt64>(p.file_count));
  o->set("check", CheckJson(p.check));
  return o;
}

bool IsDryRun(const Exchange& ex) {
  const std::string text = ex.Query("dry_run");
  return text == "1" || text == "true";
}

// The optional label of POST /api/restore-points; an empty body has none.
Result<std::string> LabelFromBody(Exchange& ex) {
  if (ex.request.getContentLength64() <= 0 && !ex.request.getChunkedTransferEncoding()) {
    return std::string();
  }
  ARKWIKI_ASSIGN_OR_RETURN(Object::Ptr body, ReadJsonObject(ex, 64 << 10));
  ARKWIKI_ASSIGN_OR_RETURN(std::optional<std::string> label, OptionalString(body, "label"));
  if (label && label->size() > kMaxLabelBytes) {
    return Status::InvalidArgument("the label is longer than " + std::to_string(kMaxLabelBytes) +
                                   " bytes");
  }
  return label.value_or("");
}

void FlashError(Exchange& ex, const Status& s) {
  RedirectWithFlash(ex, kBackupPage, AsSentence(s.message()), "error");
}

}  // namespace

void List(BackupService& backup, const Renderer& pages, Exchange& ex) {
  auto points = backup.ListPoints();
  if (!points.ok()) return pages.SendError(ex, points.status());
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  std::for_each(points->rbegin(), points->rend(),
                [&](const SnapshotInfo& p) { list->add(PointJson(p)); });
  Object::Ptr body = new Object;
  body->set("restore_points", list);
  SendJson(ex, 200, body);
}

void Create(BackupService& backup, const Renderer& pages, Exchange& ex) {
  auto label = LabelFromBody(ex);
  if (!label.ok()) return pages.SendError(ex, label.status());
  auto point = backup.CreatePoint(ex.user->name, *label);
  if (!point.ok()) return pages.SendError(ex, point.status());
  SendJson(ex, 201, PointJson(*point));
}

void Restore(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const bool dry_run = IsDryRun(ex);
  if (!dry_run && RefuseUnconfirmedApiCall(backup.app(), ex, kReplaceAllAction)) return;
  auto done = backup.RestorePoint(ex.Param("id"), ex.user->name, dry_run);
  if (!done.ok()) return pages.SendError(ex, done.status());
  restore_api::SendRestoreDone(backup, ex, *done);
}

void Delete(BackupService& backup, const Renderer& pages, Exchange& ex) {
  if (RefuseUnconfirmedApiCall(backup.app(), ex, kDeletePointAction)) return;
  Status s = backup.DeletePoint(ex.Param("id"), ex.user->name);
  if (!s.ok()) return pages.SendError(ex, s);
  AddCommonHeaders(ex);
  ex.response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  ex.response.setContentLength(0);
  SendHead(ex);
}

void Check(BackupService& backup, const Renderer& pages, Exchange& ex) {
  auto point = backup.CheckPoint(ex.Param("id"), ex.user->name);
  if (!point.ok()) return pages.SendError(ex, point.status());
  SendJson(ex, 200, PointJson(*point));
}

void BackUpNowForm(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  const std::string label = ex.Form("label").substr(0, kMaxLabelBytes);
  auto point = backup.CreatePoint(ex.user->name, label);
  if (!point.ok()) return FlashError(ex, point.status());
  RedirectWithFlash(ex, kBackupPage, "Restore point " + point->id + " made.");
}

void RestoreForm(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  auto staged = backup.StagePoint(ex.Param("id"), ex.user->name);
  if (!staged.ok()) return FlashError(ex, staged.status());
  SendRedirect(ex, RestorePageHref(staged->id));
}

// The check re-hashes every stored upload, which takes long on a big wiki:
// it runs in the background, and the list shows its outcome.
void CheckForm(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  Status s = backup.StartCheck(ex.Param("id"), ex.user->name);
  if (!s.ok()) return FlashError(ex, s);
  RedirectWithFlash(ex, kBackupPage,
                    "Checking every restore point and re-hashing every stored upload. Reload "
                    "this page to see the result; a failed check shows in red.");
}

void DeleteForm(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  if (RefuseUnconfirmedForm(backup.app(), ex, kDeletePointAction, kBackupPage)) return;
  const std::string id = ex.Param("id");
  Status s = backup.DeletePoint(id, ex.user->name);
  if (!s.ok()) return FlashError(ex, s);
  RedirectWithFlash(ex, kBackupPage, "Restore point " + id + " deleted.");
}

}  // namespace arkwiki::web::restore_points
