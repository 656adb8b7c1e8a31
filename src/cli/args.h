// A small flag parser: "--name value", "--name=value" and boolean
// "--flag". Our own because the CLI needs exact, scriptable errors and
// nothing more; Poco::Util::OptionProcessor is built around Application.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "arkwiki/core/status.h"

namespace arkwiki::cli {

struct FlagSpec {
  std::set<std::string> with_value;  // e.g. "data", "out"
  std::set<std::string> booleans;    // e.g. "json", "yes", "help"
};

struct Args {
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
  std::vector<std::string> positional;
  std::optional<std::string> Get(const std::string& name) const;
  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
};

// Fails with InvalidArgument naming the unknown or incomplete flag.
Result<Args> ParseArgs(const std::vector<std::string>& argv, const FlagSpec& spec);

}  // namespace arkwiki::cli
