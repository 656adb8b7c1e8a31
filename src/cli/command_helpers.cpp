// Helpers the subcommands share (commands.h).
#include <Poco/JSON/Stringifier.h>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "arkwiki/backup/backup_journal.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/config.h"
#include "commands.h"

namespace arkwiki::cli {

Result<std::string> DataDir(const Args& args) {
  if (auto data = args.Get("data")) {
    // An empty value is a script's unset variable, not the current directory.
    if (data->empty()) return Status::InvalidArgument("--data is empty: give the data directory");
    return *data;
  }
  ARKWIKI_ASSIGN_OR_RETURN(ServerConfig config, LoadServerConfig(ConfigSources{}));
  return config.data_dir;
}

void JournalCli(const DataDirLayout& layout, JournalEntry entry) {
  entry.time = NowUnixSeconds();
  entry.actor = "cli";
  BackupJournal journal(Env::Default(), BackupJournal::JournalDir(layout.root));
  if (Status s = journal.Append(entry); !s.ok()) {
    std::fprintf(stderr, "arkwiki: warning: %s\n", s.message().c_str());
  }
}

void PrintJson(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(value, out);
  std::cout << out.str() << "\n";
}

}  // namespace arkwiki::cli
