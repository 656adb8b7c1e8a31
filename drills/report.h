// The drill report: a table on the terminal, report.json and junit.xml.
#pragma once

#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "drill.h"

namespace arkwiki::drill {

void PrintTable(const std::vector<Verdict>& verdicts);
// Writes DIR/report.json and DIR/junit.xml (DIR is created).
Status WriteReports(const std::string& dir, const std::vector<Verdict>& verdicts,
                    const DrillConfig& config, double total_seconds);
// True if any verdict failed or lost data.
bool AnyFailure(const std::vector<Verdict>& verdicts);

}  // namespace arkwiki::drill
