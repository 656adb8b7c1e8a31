#include "args.h"

namespace arkwiki::cli {

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

Result<Args> ParseArgs(const std::vector<std::string>& argv, const FlagSpec& spec) {
  Args args;
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a.size() < 2 || a.rfind("--", 0) != 0) {
      if (a == "-h" && !only_positional) {
        args.flags.insert("help");
        continue;
      }
      args.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (spec.booleans.count(name) || name == "help") {
      if (inline_value) return Status::InvalidArgument("--" + name + " takes no value");
      args.flags.insert(name);
    } else if (spec.with_value.count(name)) {
      if (inline_value) {
        args.values[name] = *inline_value;
      } else if (i + 1 < argv.size()) {
        args.values[name] = argv[++i];
      } else {
        return Status::InvalidArgument("--" + name + " needs a value");
      }
    } else {
      return Status::InvalidArgument("unknown option --" + name);
    }
  }
  return args;
}

}  // namespace arkwiki::cli
