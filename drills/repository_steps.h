// Steps the restore-point scenarios (14-17) share: changing a served wiki
// between restore points, and the `backup snapshot|snapshots|check`
// commands of the CLI.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scenario_util.h"

namespace arkwiki::drill {

// A restore point's id and the fingerprint of the wiki it holds.
using PointList = std::vector<std::pair<std::string, fixture::Fingerprint>>;

// A change of its own per round: a new page with an upload, and an edit of
// the previous round's page, so that every restore point differs. Returns
// the fingerprint after it (same tokens as `before`).
Result<fixture::Fingerprint> ChangeRound(int port, const fixture::Fingerprint& before, int round);

// Uploads `data` as `name` to the page of round `round` (ChangeRound made
// it); the fingerprint after it.
Result<fixture::Fingerprint> AddRoundUpload(int port, const fixture::Fingerprint& before, int round,
                                            const std::string& name, const std::string& data);

// `arkwiki backup snapshot --data DATA --json` plus `extra` (e.g.
// {"--backup-dir", DIR}); the new id. Fails unless it exits 0.
Result<std::string> Snapshot(DrillContext& ctx, const std::string& data,
                             const std::vector<std::string>& extra = {});

// The ids `backup snapshots --json` lists, oldest first.
Result<std::vector<std::string>> ListPoints(DrillContext& ctx, const std::string& data,
                                            const std::vector<std::string>& extra = {});

// `backup check --read-all` must pass (exit 0), and the restore points
// listed must be exactly `expected`; fails the verdict naming `when`
// otherwise.
void ExpectHealthy(DrillContext& ctx, const std::string& data,
                   const std::vector<std::string>& extra, const std::vector<std::string>& expected,
                   const std::string& when, Verdict* v);

// The ids of `points`, in order.
std::vector<std::string> IdsOf(const PointList& points);

// Exports each restore point (`backup export`, into the scenario's
// directory) and restores it along `path` over `p.data`, oldest first,
// diffing each against its fingerprint. Stops at the first that fails.
void RestoreEachPoint(DrillContext& ctx, const Golden& g, const std::string& path, Prepared& p,
                      const PointList& points, const std::vector<std::string>& extra, Verdict* v);

}  // namespace arkwiki::drill
