// arkwiki user ... and arkwiki token ...
#include <cstdio>
#include <functional>
#include <iostream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "args.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/storage/storage.h"
#include "commands.h"

namespace arkwiki::cli {
namespace {

const char kUserHelp[] =
    "usage: arkwiki user add --data DIR --name NAME --role admin|editor|reader\n"
    "                        --password-stdin\n"
    "       arkwiki user set-role --data DIR --name NAME --role ROLE\n"
    "       arkwiki user disable|enable --data DIR --name NAME\n"
    "       arkwiki user passwd --data DIR --name NAME --password-stdin\n"
    "\n"
    "The password is read from the first line of standard input; it is never\n"
    "taken from the command line, where other users could see it.\n"
    "--data defaults to $ARKWIKI_DATA, then ./arkwiki-data.\n";

const char kTokenHelp[] =
    "usage: arkwiki token create --data DIR --user NAME [--label TEXT]\n"
    "       arkwiki token list --data DIR [--json]\n"
    "       arkwiki token revoke ID --data DIR\n"
    "\n"
    "create prints a new API token for the user on standard output. It carries\n"
    "the user's role; send it as 'Authorization: Bearer <token>'. Only its hash\n"
    "is stored, so it cannot be shown again.\n"
    "list prints each token's id, owner, label, when it was created and when\n"
    "it was last used (never the token itself); --json prints one JSON object.\n"
    "revoke ends the token with that id at once (exit 1 if there is none).\n";

Result<std::string> ReadPasswordLine() {
  std::string line;
  if (!std::getline(std::cin, line)) {
    return Status::InvalidArgument("no password on standard input");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int WithStorage(const Args& args, const std::function<Status(Storage&)>& fn) {
  const Result<std::string> data = DataDir(args);
  if (!data.ok()) return ReportError(data.status());
  auto storage = Storage::Open(Env::Default(), *data);
  if (!storage.ok()) return ReportError(storage.status());
  Status s = fn(**storage);
  return s.ok() ? 0 : ReportError(s);
}

int UserAdd(const Args& args) {
  auto name = args.Get("name");
  auto role_name = args.Get("role");
  if (!name || !role_name) return UsageError("--name and --role are required", kUserHelp);
  if (!args.Has("password-stdin")) return UsageError("--password-stdin is required", kUserHelp);
  auto role = ParseRole(*role_name);
  if (!role.ok()) return ReportError(role.status());
  auto password = ReadPasswordLine();
  if (!password.ok()) return ReportError(password.status());
  return WithStorage(args, [&](Storage& storage) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(User user, storage.users().Create(*name, *password, *role));
    ARKWIKI_RETURN_IF_ERROR(storage.audit().Append("cli", AuditKind::kUserAdd,
                                                   user.name + " as " + RoleName(user.role)));
    std::printf("created %s %s\n", RoleName(user.role), user.name.c_str());
    // The wiki has a user now: the first-run setup code of a running
    // server (DATA/setup-code) ends; its /setup answers 404 from now on.
    Status ended = Env::Default()->RemoveFile(storage.layout().setup_code);
    if (!ended.ok() && ended.code() != StatusCode::kNotFound) return ended;
    return Status::Ok();
  });
}

// The audit kind of each `user` subcommand that changes a user.
AuditKind UserChangeKind(const std::string& verb) {
  if (verb == "set-role") return AuditKind::kUserSetRole;
  if (verb == "disable") return AuditKind::kUserDisable;
  if (verb == "enable") return AuditKind::kUserEnable;
  return AuditKind::kUserPasswd;
}

int UserChange(const std::string& verb, const Args& args) {
  auto name = args.Get("name");
  if (!name) return UsageError("--name is required", kUserHelp);
  std::string password;
  if (verb == "passwd") {
    if (!args.Has("password-stdin")) return UsageError("--password-stdin is required", kUserHelp);
    auto line = ReadPasswordLine();
    if (!line.ok()) return ReportError(line.status());
    password = *line;
  }
  Result<Role> role = Role::kReader;
  if (verb == "set-role") {
    if (!args.Get("role")) return UsageError("--role is required", kUserHelp);
    role = ParseRole(*args.Get("role"));
    if (!role.ok()) return ReportError(role.status());
  }
  return WithStorage(args, [&](Storage& storage) -> Status {
    if (verb == "set-role") ARKWIKI_RETURN_IF_ERROR(storage.users().SetRole(*name, *role));
    if (verb == "disable") ARKWIKI_RETURN_IF_ERROR(storage.users().SetDisabled(*name, true));
    if (verb == "enable") ARKWIKI_RETURN_IF_ERROR(storage.users().SetDisabled(*name, false));
    if (verb == "passwd") ARKWIKI_RETURN_IF_ERROR(storage.users().SetPassword(*name, password));
    return storage.audit().Append("cli", UserChangeKind(verb), *name);
  });
}

}  // namespace

int CmdUser(const Argv& argv) {
  if (argv.empty()) return UsageError("user needs a subcommand", kUserHelp);
  const std::string& verb = argv[0];
  auto args =
      ParseArgs(Argv(argv.begin() + 1, argv.end()), {{"data", "name", "role"}, {"password-stdin"}});
  if (verb == "--help" || verb == "-h" || (args.ok() && args->Has("help"))) {
    std::fputs(kUserHelp, stdout);
    std::fputs(kExitCodesHelp, stdout);
    return 0;
  }
  if (!args.ok()) return UsageError(args.status().message(), kUserHelp);
  if (verb == "add") return UserAdd(*args);
  if (verb == "set-role" || verb == "disable" || verb == "enable" || verb == "passwd") {
    return UserChange(verb, *args);
  }
  return UsageError("unknown user subcommand '" + verb + "'", kUserHelp);
}

void PrintTokens(const std::vector<ApiToken>& tokens, bool json) {
  if (json) {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const ApiToken& t : tokens) {
      Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      o->set("id", t.id);
      o->set("user", t.user_name);
      o->set("label", t.label);
      o->set("created_at", FormatIsoUtc(t.created_at));
      o->set("last_used_at", t.last_used_at ? Poco::Dynamic::Var(FormatIsoUtc(*t.last_used_at))
                                            : Poco::Dynamic::Var());
      list->add(o);
    }
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("tokens", list);
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(body, out);
    std::printf("%s\n", out.str().c_str());
    return;
  }
  std::printf("%-6s %-20s %-24s %-20s %s\n", "ID", "USER", "LABEL", "CREATED", "LAST USED");
  for (const ApiToken& t : tokens) {
    std::printf("%-6lld %-20s %-24s %-20s %s\n", static_cast<long long>(t.id), t.user_name.c_str(),
                t.label.c_str(), FormatIsoUtc(t.created_at).c_str(),
                t.last_used_at ? FormatIsoUtc(*t.last_used_at).c_str() : "never");
  }
}

int TokenList(const Args& args) {
  if (!args.positional.empty()) {
    return UsageError("token list takes no arguments besides flags", kTokenHelp);
  }
  return WithStorage(args, [&](Storage& storage) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(std::vector<ApiToken> tokens, storage.users().ListApiTokens());
    PrintTokens(tokens, args.Has("json"));
    return Status::Ok();
  });
}

int TokenRevoke(const Args& args) {
  if (args.positional.size() != 1) return UsageError("token revoke needs one token ID", kTokenHelp);
  const std::string& text = args.positional[0];
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return UsageError("'" + text + "' is not a token ID (see arkwiki token list)", kTokenHelp);
  }
  const int64_t id = std::stoll(text);
  return WithStorage(args, [&](Storage& storage) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(ApiToken token, storage.users().GetApiToken(id));
    ARKWIKI_RETURN_IF_ERROR(storage.users().RevokeApiToken(id));
    ARKWIKI_RETURN_IF_ERROR(storage.audit().Append("cli", AuditKind::kTokenRevoke,
                                                   "id=" + text + ", user=" + token.user_name));
    std::printf("revoked token %s of %s\n", text.c_str(), token.user_name.c_str());
    return Status::Ok();
  });
}

int CmdToken(const Argv& argv) {
  if (argv.empty()) return UsageError("token needs a subcommand", kTokenHelp);
  auto args = ParseArgs(Argv(argv.begin() + 1, argv.end()), {{"data", "user", "label"}, {"json"}});
  if (argv[0] == "--help" || argv[0] == "-h" || (args.ok() && args->Has("help"))) {
    std::fputs(kTokenHelp, stdout);
    std::fputs(kExitCodesHelp, stdout);
    return 0;
  }
  if (!args.ok()) return UsageError(args.status().message(), kTokenHelp);
  if (argv[0] == "list") return TokenList(*args);
  if (argv[0] == "revoke") return TokenRevoke(*args);
  if (argv[0] != "create")
    return UsageError("unknown token subcommand '" + argv[0] + "'", kTokenHelp);
  auto name = args->Get("user");
  if (!name) return UsageError("--user is required", kTokenHelp);
  return WithStorage(*args, [&](Storage& storage) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(User user, storage.users().Get(*name));
    ARKWIKI_ASSIGN_OR_RETURN(std::string token, storage.users().CreateApiToken(
                                                    user.id, args->Get("label").value_or("cli")));
    ARKWIKI_RETURN_IF_ERROR(storage.audit().Append("cli", AuditKind::kTokenCreate, user.name));
    std::printf("%s\n", token.c_str());
    return Status::Ok();
  });
}

}  // namespace arkwiki::cli
