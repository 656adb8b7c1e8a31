// Helpers the subcommands share (commands.h).
#include <Poco/JSON/Stringifier.h>

#include <iostream>
#include <sstream>

#include "arkwiki/core/config.h"
#include "commands.h"

namespace arkwiki::cli {

Result<std::string> DataDir(const Args& args) {
  ConfigSources sources;
  sources.flag_data = args.Get("data");
  ARKWIKI_ASSIGN_OR_RETURN(ServerConfig config, LoadServerConfig(sources));
  return config.data_dir;
}

void PrintJson(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(value, out);
  std::cout << out.str() << "\n";
}

}  // namespace arkwiki::cli
